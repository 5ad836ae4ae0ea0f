// Nothing a user can click, drag or type may freeze the page: a flooding engine is
// stopped by the kernel's guard and said so on the banner, frames keep coming while it
// floods, a day-long link does not hold the page while its fingerprint is computed, and
// a scenario is checked against the cluster the whole link describes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { serveDist, launch, openPage, cli, DIST_BUGS, ROOT } from './harness.mjs';

const ART = join(ROOT, 'tests', 'e2e', 'artifacts');
let server; let bugs; let browser;
before(async () => {
  await mkdir(ART, { recursive: true });
  server = await serveDist();
  bugs = await serveDist(DIST_BUGS);
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); await bugs?.close(); });

// Longest gap between animation frames over `ms` of wall time (or until `selector`
// appears), measured in the page, with the number of frames seen.
const longestFrameGap = (page, ms, selector = null) => page.evaluate(([ms, selector]) => new Promise((done) => {
  let last = performance.now(); let worst = 0; let frames = 0; const end = last + ms;
  const tick = (t) => {
    worst = Math.max(worst, t - last); last = t; frames += 1;
    if (t < end && !(selector && document.querySelector(selector))) requestAnimationFrame(tick);
    else done({ worst, frames });
  };
  requestAnimationFrame(tick);
}), [ms, selector]);

test('a flooding engine is stopped with a finding on the banner while the page stays responsive', async () => {
  // Built with the bug-injection feature: Raft nodes that repeat every message to
  // every peer, so each message begets four more.
  const { page, problems } = await openPage(browser, bugs.url, '?algo=raft&nodes=5&seed=7&bug=raft-echo&speed=0.1');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('.notice').count(), 0, 'this page knows bug=raft-echo');
  await page.click('#play');
  // From boot to the halt, frames keep coming: each handles a bounded number of events.
  const halted = '#monitor[data-state="halted"]';
  const { worst: gap, frames } = await longestFrameGap(page, 30000, halted);
  const banner = page.locator(halted);
  await banner.waitFor({ timeout: 1000 });
  const text = await banner.textContent();
  await page.screenshot({ path: join(ART, '12-message-storm.png') });
  assert.match(text, /^■Stopped at [0-9.]+m?s: message storm: n\d sent [0-9,]+ \w+ in 100ms; /);
  assert.match(text, /so the simulation stopped here\. Rewind, or reset with other settings\./);
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Play', 'playback stopped by itself');
  // The page still answers: the help overlay opens and closes, the clock is frozen.
  const clock = await page.locator('.clock').textContent();
  const asked = Date.now();
  await page.click('#help');
  await page.locator('[role="dialog"]').waitFor({ timeout: 2000 });
  const answered = Date.now() - asked;
  await page.keyboard.press('Escape');
  await page.click('#play');
  await page.waitForTimeout(500);
  assert.equal(await page.locator('.clock').textContent(), clock, 'a halted run does not move');
  // Going back in time is still possible: the run before the storm is intact.
  await page.keyboard.press('Home');
  await page.locator('#monitor[data-state="ok"]').waitFor({ timeout: 5000 });
  console.log(`longest frame gap while flooding ${gap.toFixed(0)} ms over ${frames} frames; help opened in ${answered} ms; banner: ${text}`);
  assert.ok(gap < 500, `a frame took ${gap.toFixed(0)} ms while the engine flooded`);
  assert.ok(answered < 1500, `the page took ${answered} ms to answer a click`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a day-long link does not hold the page: its fingerprint is computed off the main thread', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=7&duration=1440m');
  await page.setViewportSize({ width: 1440, height: 1000 });
  const opened = Date.now();
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 10000 });
  const drawn = Date.now() - opened;
  assert.equal(await page.locator('#trace-hash').count(), 0, 'a day of virtual time takes a while');
  // It shows how far it has got, and that figure grows.
  const progress = page.locator('.fingerprint [role="progressbar"]');
  const first = Number(await progress.getAttribute('aria-valuenow'));
  await page.waitForFunction((f) => Number(document.querySelector('.fingerprint [role="progressbar"]')?.getAttribute('aria-valuenow')) > f, first, { timeout: 10000 });
  const later = Number(await progress.getAttribute('aria-valuenow'));
  assert.match(await progress.textContent(), new RegExp(`^computing… ${later}%$`));
  // Meanwhile the page plays: the clock moves and frames keep coming.
  await page.click('#play');
  const { worst: gap } = await longestFrameGap(page, 1000);
  await page.click('#play');
  assert.notEqual(await page.locator('.clock').textContent(), '0ms / 0ms');
  console.log(`day-long link: cluster drawn in ${drawn} ms; longest frame gap ${gap.toFixed(0)} ms while the fingerprint runs`);
  assert.ok(gap < 200, `a frame took ${gap.toFixed(0)} ms while the fingerprint ran`);
  // A new seed starts a new job; the old one is dropped, the new one finishes.
  await page.goto(`${server.url}?algo=raft&nodes=5&seed=7&duration=10s`);
  assert.match(await page.locator('#trace-hash').textContent({ timeout: 20000 }), /^[0-9a-f]{16}$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a long run is fingerprinted in the compute worker, with the user\'s actions, as the CLI does; a short one in the page without fetching the worker', async () => {
  const acts = '5~1000000~crash n1';
  const { page, problems } = await openPage(browser, server.url, '?duration=10s');
  const workers = [];
  page.on('worker', (w) => workers.push(w.url().split('/').pop()));
  await page.goto(`${server.url}?algo=raft&nodes=5&seed=3&duration=15m&v=2&acts=${encodeURIComponent(acts)}&t=2000000`);
  const hash = await page.locator('#trace-hash').textContent({ timeout: 60000 });
  const expected = JSON.parse(cli(['run', '--query', 'algo=raft&nodes=5&seed=3&duration=15m', '--acts', acts, '--json'])).trace_hash;
  assert.equal(hash, expected);
  assert.deepEqual(workers.filter((w) => w.startsWith('electionscope-worker')), ['electionscope-worker_loader.js'], 'the compute worker computed it');
  workers.length = 0;
  await page.goto(`${server.url}?algo=raft&nodes=5&seed=3&duration=10s`);
  assert.match(await page.locator('#trace-hash').textContent({ timeout: 20000 }), /^[0-9a-f]{16}$/);
  assert.deepEqual(workers.filter((w) => w.startsWith('electionscope-worker')), [], 'a short run needs no compute worker');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a link checks its scenario against the cluster the whole link describes', async () => {
  const crashN6 = 'scenario=at%201s%20crash%20n6';
  for (const query of [`?${crashN6}&nodes=7&speed=1`, `?nodes=7&${crashN6}&speed=1`, `?${crashN6}&algo=zk-recipe&speed=1`]) {
    const { page, problems } = await openPage(browser, server.url, query);
    await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
    assert.equal(await page.locator('.notice').count(), 0, `${query}: ${await page.locator('.notice').allTextContents()}`);
    // The scenario is kept, and at 1 s it crashes n6 (zk, for the recipe).
    await page.click('#play');
    await page.waitForFunction(() => document.querySelector('[data-node-id="6"]')?.dataset.role === 'crashed', null, { timeout: 10000 });
    assert.deepEqual(problems, [], query);
    await page.close();
  }
  const { page } = await openPage(browser, server.url, `?${crashN6}&nodes=4`);
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('.notice').textContent(),
    'scenario: line 1, column 13: n6 does not exist: the cluster has n1 to n4; running without it');
  await page.close();
});
