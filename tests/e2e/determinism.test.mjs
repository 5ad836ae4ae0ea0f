// The same seed and inputs give the same trace on native and on wasm: the page's run
// fingerprint (#trace-hash) must equal the CLI's `trace_hash` for the same query.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, cli } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const CASES = [
  { query: 'algo=raft&nodes=5&seed=7&duration=10s', args: ['--nodes', '5', '--seed', '7', '--duration', '10s'] },
  { query: 'algo=raft&nodes=7&seed=123&duration=20s&scenario=leader-partition&prevote=on',
    args: ['--nodes', '7', '--seed', '123', '--duration', '20s', '--scenario', 'leader-partition', '--prevote'] },
  { query: 'algo=raft&nodes=3&seed=99&duration=15s&drop=10%25&latency=1-40ms&check-quorum=on',
    args: ['--nodes', '3', '--seed', '99', '--duration', '15s', '--drop', '10%', '--latency', '1-40ms', '--check-quorum'] },
];

for (const { query, args } of CASES) {
  test(`wasm and native agree for ?${query}`, async () => {
    const native = JSON.parse(cli(['run', '--algo', 'raft', '--json', ...args]));
    const { page, problems } = await openPage(browser, server.url, `?${query}`);
    const hash = await page.locator('#trace-hash').textContent({ timeout: 20000 });
    assert.match(hash, /^[0-9a-f]{16}$/);
    assert.equal(hash, native.trace_hash);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('another seed gives another fingerprint in the browser', async () => {
  const hashes = [];
  for (const seed of [7, 8]) {
    const { page } = await openPage(browser, server.url, `?algo=raft&nodes=5&seed=${seed}&duration=5s`);
    hashes.push(await page.locator('#trace-hash').textContent({ timeout: 20000 }));
    await page.close();
  }
  assert.notEqual(hashes[0], hashes[1]);
});

test('bad query values fall back to defaults with a visible notice, not a blank page', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=nope&nodes=999&seed=abc&duration=banana');
  await page.locator('#trace-hash').waitFor({ timeout: 20000 });
  const notices = await page.locator('.notice').allTextContents();
  assert.equal(notices.length, 4, notices.join('\n'));
  assert.ok(notices.some((n) => n.includes("unknown algorithm 'nope'")));
  assert.ok(notices.some((n) => n.includes('nodes')));
  assert.deepEqual(problems, []);
  await page.close();
});
