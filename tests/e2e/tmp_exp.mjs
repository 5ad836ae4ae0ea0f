import { serveDist, launch } from './harness.mjs';
const query = '?algo=raft&nodes=25&seed=1&latency=100-150ms&heartbeat=25ms&election-timeout=1-2s&speed=1';
const server = await serveDist(); const browser = await launch();
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
for (const [name, css] of [['all', ''], ['all again', '']]) {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url + query);
  await page.locator('[data-node-id="1"]').waitFor();
  if (css) await page.addStyleTag({ content: css });
  await page.click('#play'); await page.waitForTimeout(2000);
  const d = await page.evaluate(() => new Promise((done) => { const st = []; const s0 = performance.now(); function t(x) { st.push(x); if (x - s0 < 4000) requestAnimationFrame(t); else done(st); } requestAnimationFrame(t); }));
  const deltas = d.slice(1).map((t, i) => t - d[i]);
  console.log(name.padEnd(16), 'p50', pct(deltas, 50).toFixed(1), 'p95', pct(deltas, 95).toFixed(1), 'frames', deltas.length);
  await page.close();
}
await browser.close(); await server.close();
