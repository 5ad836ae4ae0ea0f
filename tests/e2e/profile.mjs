// Where a frame's main-thread time goes while playing: a CDP CPU profile of the page at
// 25 nodes with ~240 messages in flight, summarised as self time per function (wasm
// functions appear by name when the build keeps a name section). Not a test.
//   node tests/e2e/profile.mjs ['?query']
import { serveDist, launch } from './harness.mjs';

const query = process.argv[2] ?? '?algo=raft&nodes=25&seed=1&latency=100-150ms&heartbeat=25ms&election-timeout=1-2s&speed=1';
const server = await serveDist(process.env.DIST ?? undefined);
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url + query);
  await page.locator('[data-node-id="1"]').waitFor();
  const cdp = await page.context().newCDPSession(page);
  await page.click('#play');
  await page.waitForTimeout(2000);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.waitForTimeout(4000);
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const name = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  for (const [name, us] of rows) console.log(`${(100 * us / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
} finally {
  await browser.close(); await server.close();
}
