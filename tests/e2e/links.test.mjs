// Links that hold what the user did: the actions with their instants, the instant the
// link was copied at and the run's hash there, under a format version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const state = (page) => page.evaluate(() => ({
  nodes: [...document.querySelectorAll('[data-node-id]')].map((e) => `${e.dataset.nodeId}:${e.dataset.role}:${e.dataset.term}`),
  now: Number(document.querySelector('#timeline').value),
}));
const fingerprint = async (page) => {
  await page.locator('#trace-hash').waitFor({ timeout: 60000 });
  return page.locator('#trace-hash').textContent();
};
async function forward(page, times) {
  for (let i = 0; i < times; i++) await page.keyboard.press('Shift+ArrowRight');
}

test('a copied link after three actions reproduces the same node states, instant and fingerprint', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=11');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor();
  const plain = await fingerprint(page);
  await forward(page, 10);
  await page.keyboard.press('1'); // select n1
  await page.keyboard.press('c'); // and crash it
  await forward(page, 4);
  await page.keyboard.press('w'); // a write to the (new) leader
  await forward(page, 3);
  await page.keyboard.press('l'); // isolate the leader
  await forward(page, 3);
  const before = await state(page);
  const mine = await fingerprint(page);
  assert.notEqual(mine, plain, 'the fingerprint covers what was done');
  await page.click('#copy-link');
  const toast = await page.locator('.toast').textContent();
  const link = toast.replace(/^Link copied: /, '');
  assert.match(link, /[?&]v=2&/);
  assert.match(link, /&acts=[^&]+&t=\d+&h=[0-9a-f]+/);
  assert.equal(decodeURIComponent(link.match(/acts=([^&]+)/)[1]).split(';').length, 3, 'three actions');
  assert.deepEqual(problems, []);
  await page.close();

  const { page: opened, problems: openedProblems } = await openPage(browser, '', link);
  await opened.setViewportSize({ width: 1440, height: 1000 });
  await opened.locator('[data-node-id="1"]').waitFor();
  assert.deepEqual(await state(opened), before, 'the same nodes at the same instant');
  assert.equal(await opened.locator('#play').getAttribute('aria-label'), 'Play', 'and it waits');
  assert.equal(await fingerprint(opened), mine);
  assert.equal(await opened.locator('.notice').count(), 0, 'no complaint about the link');
  assert.deepEqual(openedProblems, []);
  await opened.close();
});

test('a corrupt link says what is wrong and shows the settings; nothing throws', async () => {
  const { page, problems } = await openPage(browser, server.url,
    '?algo=raft&nodes=5&seed=3&v=1&acts=' + encodeURIComponent('1~x~crash n1;\u0000<script>alert(1)</script>') + '&t=soon');
  await page.locator('[data-node-id="1"]').waitFor();
  const notices = (await page.locator('.notice').allTextContents()).join('\n');
  assert.match(notices, /acts: action 1 \('1~x~crash n1'\): 'x' is not a count of microseconds/);
  assert.match(notices, /t: 'soon' is not an instant/);
  assert.equal(await page.locator('script:not([src])').evaluateAll((s) => s.filter((e) => e.textContent.includes('alert')).length), 0);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#timeline').value) > 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a link from another format, or whose run no longer reproduces, says so', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=3&v=9&acts=' + encodeURIComponent('5~1000000~crash n1') + '&t=2000000');
  await page.locator('[data-node-id="1"]').waitFor();
  assert.match(await page.locator('.notice').first().textContent(), /link format 9; this page reads format 2/);
  assert.equal(await page.locator('#timeline').inputValue(), '0', 'its actions and instant are not applied');
  await page.close();
  const { page: other, problems: otherProblems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=3&v=2&t=1000000&h=0123456789abcdef');
  await other.locator('[data-node-id="1"]').waitFor();
  assert.match(await other.locator('.notice').first().textContent(), /does not reproduce here: at 1s its hash was 0123456789abcdef/);
  assert.equal(await other.locator('#timeline').inputValue(), '1000000');
  await other.close();
  // Format 1's `h` was another hash function: its actions replay, its hash is not compared.
  const { page: old, problems: oldProblems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=3&v=1&acts=' + encodeURIComponent('5~1000000~crash n1') + '&t=2000000&h=0123456789abcdef');
  await old.locator('[data-node-id="1"]').waitFor();
  await old.waitForFunction(() => document.querySelector('#timeline').value === '2000000');
  assert.equal(await old.locator('.notice').count(), 0, 'no notice for a format-1 link');
  assert.match(await old.locator('[data-node-id="1"]').textContent(), /crashed|down/i);
  assert.deepEqual([...problems, ...otherProblems, ...oldProblems], []);
  await old.close();
});

test('acting in the past keeps the old future as a branch; it can be left, returned to, and undone', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=7');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor();
  assert.ok(await page.locator('#undo').isDisabled(), 'nothing to undo yet');
  await forward(page, 10);
  await page.keyboard.press('2'); // select n2
  await page.keyboard.press('c'); // and crash it at 1 s
  await forward(page, 20);
  const first = { ...(await state(page)), fp: await fingerprint(page) };
  // Back to 2 s and another future: a write.
  for (let i = 0; i < 10; i++) await page.keyboard.press('Shift+ArrowLeft');
  assert.equal((await state(page)).now, 2000000);
  await page.keyboard.press('w');
  await forward(page, 10);
  const second = { ...(await state(page)), fp: await fingerprint(page) };
  assert.notEqual(second.fp, first.fp, 'another future, another fingerprint');
  assert.equal(await page.locator('.fork-mark').getAttribute('data-time'), '2000000', 'the fork is marked at 2 s');
  // Back to the first future: the same nodes, instant and fingerprint.
  await page.selectOption('#branch', '0');
  assert.deepEqual({ ...(await state(page)), fp: await fingerprint(page) }, first);
  // And to the second again.
  await page.selectOption('#branch', '0');
  assert.deepEqual({ ...(await state(page)), fp: await fingerprint(page) }, second);
  // Ctrl+Z takes back the write: the clock stands where it was made.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  assert.equal((await state(page)).now, 2000000);
  await page.keyboard.press('Control+z');
  assert.equal((await state(page)).now, 1000000, 'then the crash');
  assert.ok(await page.locator('#undo').isDisabled(), 'nothing left to undo');
  assert.ok(await page.locator('.fork-mark').count() >= 2, 'every future left is kept');
  assert.deepEqual(problems, []);
  await page.close();
});
