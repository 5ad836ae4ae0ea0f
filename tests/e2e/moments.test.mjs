// Key moments: markers under the time slider, jumping between them, and the
// narration filtered to them, in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, cli } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const now = (page) => page.locator('#timeline').evaluate((e) => Number(e.value));
const marks = (page) => page.locator('.moment-mark').evaluateAll((ms) => ms.map((m) => ({ key: m.dataset.moment, time: Number(m.dataset.time) })));

test('next moment runs on to the split vote and the slider marks every moment the run told', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const errors = []; page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url + '?algo=raft&scenario=split-vote&seed=1');
  await page.locator('[data-node-id="1"]').waitFor();
  assert.equal(await now(page), 0);
  assert.equal(await page.locator('.moment-mark').count(), 0, 'nothing marked before anything happened');
  // The first jump simulates ahead until a moment happens and stops there, paused.
  await page.keyboard.press('>');
  const first = await marks(page);
  assert.ok(first.length >= 1, 'a marker after the jump');
  const t1 = await now(page);
  assert.equal(t1, first[0].time, 'the clock stands on the first moment');
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Play', 'the jump pauses');
  // Jump on until the split vote (the scenario's point): within a few presses.
  let seen = [];
  for (let i = 0; i < 6 && !seen.some((m) => m.key === 'split-vote'); i++) {
    await page.click('#next-moment');
    seen = await marks(page);
  }
  assert.ok(seen.some((m) => m.key === 'split-vote'), `a split vote is marked: ${JSON.stringify(seen)}`);
  const sv = seen.find((m) => m.key === 'split-vote');
  // The marker sits under the slider at its instant, as a person sees it.
  const track = await page.locator('#timeline').boundingBox();
  const mark = await page.locator(`.moment-mark[data-moment="split-vote"]`).first().boundingBox();
  const end = Number(await page.locator('#timeline').getAttribute('max'));
  const expected = track.x + 8 + (track.width - 16) * sv.time / end;
  assert.ok(Math.abs(mark.x + mark.width / 2 - expected) < 12, `marker at ${mark.x + mark.width / 2}, its instant at ${expected}`);
  assert.ok(mark.y >= track.y + track.height - 2 && mark.y < track.y + track.height + 16, 'just under the slider');
  // Previous moment goes back; a marker's click lands on its instant.
  const before = await now(page);
  await page.keyboard.press('<');
  assert.ok(await now(page) < before, 'back to an earlier moment');
  await page.locator(`.moment-mark[data-moment="split-vote"]`).first().click();
  assert.equal(await now(page), sv.time);
  // The narration filtered to moments tells the split vote in words.
  await page.click('#moments-only');
  assert.equal(await page.locator('#moments-only').getAttribute('aria-pressed'), 'true');
  const told = await page.locator('.lines li').evaluateAll((ls) => ls.map((l) => l.dataset.moment));
  assert.ok(told.length >= 1 && told.every((k) => k), `only moments are listed: ${told}`);
  assert.ok(told.includes('split-vote'));
  assert.match(await page.locator('.lines li[data-moment="split-vote"] .moment-tag').first().textContent(), /split vote/);
  // Each moment is marked once, however often the run went back and forth.
  const all = await marks(page);
  assert.equal(new Set(all.map((m) => `${m.key}@${m.time}`)).size, all.length, JSON.stringify(all));
  // Past the last moment of a quiet cluster, the page says there is none to find.
  for (let i = 0; i < 8; i++) await page.click('#next-moment');
  await page.locator('.toast').waitFor();
  assert.match(await page.locator('.toast').textContent(), /No key moment in the next/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the markers agree with the CLI run of the same scenario', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(server.url + '?algo=raft&scenario=raft-paused-leader-fenced&seed=7');
  await page.locator('[data-node-id="1"]').waitFor();
  // On to 6 s of virtual time (Shift+→ moves 100 ms), then read the markers.
  for (let i = 0; i < 60; i++) await page.keyboard.press('Shift+ArrowRight');
  assert.equal(await now(page), 6_000_000);
  const shown = await marks(page);
  const counts = {};
  for (const m of shown) counts[m.key] = (counts[m.key] ?? 0) + 1;
  const summary = JSON.parse(cli(['run', '--scenario', 'raft-paused-leader-fenced', '--seed', '7', '--duration', '6s', '--json']));
  // Every kind the CLI counts is marked (markers may be thinned, never invented).
  for (const key of Object.keys(summary.moments)) assert.ok(counts[key] >= 1, `${key} marked in the page`);
  for (const key of Object.keys(counts)) assert.ok(summary.moments[key] >= counts[key], `${key}: no more markers than moments`);
  assert.ok(counts['write-refused'] >= 1 && counts['stale-leader'] >= 1, JSON.stringify(counts));
  await page.close();
});
