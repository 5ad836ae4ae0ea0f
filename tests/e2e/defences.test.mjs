// The split-brain defences every algorithm shares, used through the page: the shared
// storage with and without fencing tokens, and STONITH. Screenshots go to
// tests/e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serveDist, launch, openPage, ROOT } from './harness.mjs';

const ART = join(ROOT, 'tests', 'e2e', 'artifacts');
let server; let browser;
before(async () => { await mkdir(ART, { recursive: true }); server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const shot = (page, name) => page.screenshot({ path: join(ART, `${name}.png`), fullPage: true });

async function open(query) {
  const { page, problems } = await openPage(browser, server.url, query);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  return { page, problems };
}

// Scrub the time slider to `us` microseconds of virtual time.
async function seek(page, us) {
  await page.locator('#timeline').evaluate((el, v) => { el.max = v; }, String(us));
  await page.locator('#timeline').fill(String(us));
}

const storage = (page) => page.locator('#storage').evaluate((e) => ({
  accepted: +e.dataset.accepted, rejected: +e.dataset.rejected,
  lost: +e.dataset.lostUpdates, highest: e.dataset.highestToken,
}));

test('without fencing the frozen leader\'s late write is a lost update on the banner', async () => {
  const { page, problems } = await open('?scenario=raft-paused-leader&seed=1');
  await seek(page, 3000000);
  await page.waitForFunction(() => document.querySelector('#storage')?.dataset.lostUpdates === '1');
  const s = await storage(page);
  assert.equal(s.rejected, 0);
  assert.ok(s.accepted > 10, `the leaders kept writing: ${JSON.stringify(s)}`);
  assert.equal(await page.locator('#monitor').getAttribute('data-state'), 'violation');
  assert.match(await page.locator('#monitor').textContent(), /Lost update/);
  assert.match(await page.locator('#storage').textContent(), /no fencing/);
  await shot(page, '30-lost-update');
  assert.deepEqual(problems, []);
  await page.close();
});

test('with fencing tokens the storage refuses the stale write and the monitor stays calm', async () => {
  const { page, problems } = await open('?scenario=raft-paused-leader-fenced&seed=1');
  await seek(page, 3000000);
  await page.waitForFunction(() => +document.querySelector('#storage')?.dataset.rejected >= 1);
  const s = await storage(page);
  assert.equal(s.lost, 0);
  assert.equal(s.highest, '2');
  assert.match(await page.locator('#storage .verdict.refused').first().textContent(), /refused/);
  assert.notEqual(await page.locator('#monitor').getAttribute('data-state'), 'violation');
  // The refusal is narrated with the monitor's lines, shown by default.
  assert.match(await page.locator('.narration').textContent(), /the storage rejects n\d's write/);
  await shot(page, '31-fenced');
  assert.deepEqual(problems, []);
  await page.close();
});

test('STONITH powers the frozen leader off before the new leader takes over', async () => {
  const { page, problems } = await open('?scenario=raft-stonith&seed=1');
  await seek(page, 3000000);
  await page.waitForFunction(() => document.querySelectorAll('[data-role="crashed"]').length === 1);
  assert.equal((await storage(page)).lost, 0);
  assert.match(await page.locator('.narration').textContent(), /STONITH: before n\d takes over, a power switch turns n\d off/);
  await shot(page, '32-stonith');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the setup panel turns storage and STONITH on and writes them to the URL', async () => {
  const { page, problems } = await open('?algo=raft&seed=3');
  assert.equal(await page.locator('#storage').count(), 0, 'no storage unless asked for');
  await page.selectOption('#storage-mode', 'fenced');
  await page.locator('#storage').waitFor();
  await page.check('input#stonith');
  await page.waitForFunction(() => location.search.includes('storage=fenced') && location.search.includes('stonith=on'));
  await seek(page, 1000000);
  await page.waitForFunction(() => +document.querySelector('#storage').dataset.accepted > 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad storage value in the URL falls back with a notice, not a blank page', async () => {
  const { page, problems } = await open('?storage=sometimes&stonith=maybe');
  const text = await page.locator('body').textContent();
  assert.match(text, /storage: unknown storage mode 'sometimes'/);
  assert.match(text, /stonith: 'maybe' is not on or off/);
  assert.equal(await page.locator('#storage').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
