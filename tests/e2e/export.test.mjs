// Export for slides: the cluster as a standalone SVG that parses and holds every node
// and the messages in flight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveDist, launch, openPage } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the exported SVG parses, holds every node with its role and the messages in flight, and carries its styles', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=7&seed=5&speed=1');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor();
  await page.click('#play');
  await page.waitForFunction(() => document.querySelectorAll('[data-role="leader"]').length === 1, null, { timeout: 20000 });
  await page.click('#play');
  const inflight = Number(await page.locator('.msg-layer').getAttribute('data-inflight'));
  const roles = await page.locator('svg.cluster [data-node-id]').evaluateAll((els) => els.map((e) => `${e.dataset.nodeId}:${e.dataset.role}`));
  await page.click('#export-menu > summary');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  assert.match(download.suggestedFilename(), /^electionscope-raft-seed5-\d+us\.svg$/);
  const text = await readFile(await download.path(), 'utf8');
  // Parsed as XML by the browser, outside the page's document and stylesheet.
  const parsed = await page.evaluate((svg) => {
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const error = doc.querySelector('parsererror');
    return {
      error: error?.textContent ?? null,
      root: doc.documentElement.nodeName,
      nodes: [...doc.querySelectorAll('[data-node-id]')].map((e) => `${e.getAttribute('data-node-id')}:${e.getAttribute('data-role')}`),
      dots: doc.querySelectorAll('.messages .msg circle').length,
      styled: (doc.querySelector('style')?.textContent ?? '').includes('.node.leader .body'),
    };
  }, text);
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, 'svg');
  assert.deepEqual(parsed.nodes, roles, 'every node, with the role it has on screen');
  assert.equal(parsed.dots, inflight, 'a dot per message in flight');
  assert.ok(parsed.styled, 'the styles travel with the drawing');
  assert.deepEqual(problems, []);
  await page.close();
});
