// The page as its three kinds of users see it, measured in headless Chromium: a
// projector (1920x1080), a documentation embed (640x400) and a phone (360x740), plus
// what shows before the app has started.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('before the wasm arrives the page says what it is and that it is loading', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  let release;
  const held = new Promise((ok) => { release = ok; });
  await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(server.url + '?algo=raft&nodes=5');
  const loading = page.locator('#loading');
  await loading.waitFor();
  assert.match(await loading.locator('h1').textContent(), /ElectionScope/);
  assert.match(await page.locator('#loading-state').textContent(), /Loading the simulator/);
  assert.equal(await page.locator('.loading-cluster circle').count(), 5);
  const box = await page.locator('.loading-cluster').boundingBox();
  assert.ok(box.width > 100, `the still cluster is drawn (${box.width} px wide)`);
  release();
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  assert.equal(await loading.count(), 0, 'the app replaces the loading page');
  await page.close();
});

test('when the wasm cannot load the page says so instead of staying blank', async () => {
  const page = await browser.newPage();
  await page.route('**/*.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(server.url);
  const alert = page.locator('#loading-state[role="alert"]');
  await alert.waitFor({ timeout: 10000 });
  assert.match(await alert.textContent(), /^The simulator could not start: .+ Reload the page to try again\.$/);
  await page.close();
});

test('a first visit plays and shows an election within seconds; asking for less motion gets a hint instead', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const started = Date.now();
  await page.goto(server.url);
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Pause', 'the bare address plays');
  await page.waitForFunction(() => document.querySelectorAll('[data-role="leader"]').length === 1, null, { timeout: 15000 });
  console.log(`first visit: a leader on screen ${Date.now() - started} ms after the page was asked for`);
  await page.close();

  const calm = await browser.newPage({ viewport: { width: 1920, height: 1080 }, reducedMotion: 'reduce' });
  await calm.goto(server.url);
  await calm.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  assert.equal(await calm.locator('#play').getAttribute('aria-label'), 'Play');
  assert.match(await calm.locator('.narration-empty').textContent(), /Press ▶ Play \(Space\)/);
  assert.equal(await calm.locator('.playback .clock').textContent(), '0s / 0s');
  await calm.keyboard.press('Space');
  await calm.locator('.narration .lines li').first().waitFor({ timeout: 15000 });
  assert.equal(await calm.locator('.narration-empty').count(), 0, 'the hint goes once something happens');
  await calm.close();
});
