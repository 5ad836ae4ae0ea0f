// The scenario editor: errors as they are typed, running what was written, the text
// travelling compressed in the link, and links whose text is hostile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const role = (page, id) => page.locator(`[data-node-id="${id}"]`).getAttribute('data-role');
async function to(page, micros) {
  // Shift+→ moves 100 ms.
  for (let t = 0; t < micros; t += 100000) await page.keyboard.press('Shift+ArrowRight');
  await page.waitForFunction((v) => Number(document.querySelector('#timeline').value) === v, micros);
}

test('the editor names a mistake as it is typed, runs what was written, and the link carries it', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=7');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor();
  const editor = page.locator('#scenario-editor');
  await editor.fill('# Crash and return\nset algo raft\nat 1s crash n1\nat 2s explode n1\n');
  const status = page.locator('#editor-status');
  assert.match(await status.textContent(), /Line 4, column 7: unknown action 'explode'/);
  assert.equal(await editor.getAttribute('aria-invalid'), 'true');
  assert.ok(await page.locator('#editor-run').isDisabled(), 'a text with a mistake does not run');
  await editor.fill('# Crash and return\nset algo raft\nat 1s crash n1\nat 2s restart n1\n');
  assert.match(await status.textContent(), /Reads as a scenario: Raft with 5 nodes/);
  await page.click('#editor-run');
  await to(page, 1500000);
  assert.equal(await role(page, 1), 'crashed', 'the written crash happened');
  await page.click('#copy-link');
  const link = (await page.locator('.toast').textContent()).replace(/^Link copied: /, '');
  assert.match(link, /&sc=[A-Za-z0-9+$-]+/);
  assert.doesNotMatch(link, /scenario=/, 'the text travels compressed, not raw');
  const { page: opened, problems: openedProblems } = await openPage(browser, '', link);
  await opened.locator('[data-node-id="1"]').waitFor();
  assert.equal((await opened.locator('#scenario-editor').inputValue()).trimEnd(), '# Crash and return\nset algo raft\nat 1s crash n1\nat 2s restart n1');
  assert.equal(await role(opened, 1), 'crashed', 'at the link\'s instant, as it was');
  assert.equal(await opened.locator('.notice').count(), 0);
  assert.deepEqual([...problems, ...openedProblems], []);
  await page.close(); await opened.close();
});

test('a text with checkpoints runs as a lesson', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=7');
  await page.locator('[data-node-id="1"]').waitFor();
  await page.locator('#scenario-editor').fill('# Who leads?\nset algo raft\nat 10ms say "Watch the *first* election."\nat next leader-elected say "A leader."\n');
  assert.match(await page.locator('#editor-status').textContent(), /a lesson with 2 checkpoints/);
  await page.click('#editor-run');
  assert.equal(await page.locator('.lesson-title').textContent(), 'Lesson: Who leads?');
  await page.click('#lesson-continue');
  await page.locator('#lesson-caption[data-checkpoint="0"]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#lesson-caption em').textContent(), 'first');
  await page.click('#copy-link');
  assert.match(await page.locator('.toast').textContent(), /\?sc=[^&]+&seed=7/);
  assert.deepEqual(problems, []);
  await page.close();
});

for (const [name, sc, expected] of [
  ['script tags', 'DwZwxgTglgDgLgPgIYBsCmE4AoCMBKYAenGngSA', /sc: line 1, column 1/],
  ['binary', encodeURIComponent('\u0000\u0001\u00ff\u2028%%'), /sc: the scenario in this link is corrupt/],
  ['a megabyte', 'A'.repeat(1_000_000), /more than the 6000 a link may carry/],
]) {
  test(`a link whose scenario is ${name} shows an error and nothing else`, async () => {
    const { page, problems } = await openPage(browser, server.url, `?algo=raft&nodes=5&seed=3&sc=${sc}`);
    await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
    const notices = (await page.locator('.notice').allTextContents()).join('\n');
    assert.match(notices, expected);
    assert.ok(notices.length < 400, `the notice is short: ${notices.length} characters`);
    assert.equal(await page.evaluate(() => window.alerted ?? null), null);
    assert.equal(await page.locator('.scenario-text').count(), 0, 'no scenario runs');
    assert.deepEqual(problems, []);
    await page.close();
  });
}
