// Accessibility, measured by axe-core (from npm, injected into real headless
// Chromium): no serious or critical violation on the full page at 1440x1000, in the
// 640x400 embed and on a 360x740 phone, in light and dark themes, in the states a
// class sees (a leader elected, a node's actions open, every narration category on,
// the help overlay, a coordination service, a storage, a crowded cluster).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serveDist, launch, openPage } from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const FULL = { width: 1440, height: 1000 };
const EMBED = { width: 640, height: 400 };
const PHONE = { width: 360, height: 740 };

// Each state: a link, the screens it is checked on, and what to do before checking.
const STATES = [
  ['a leader elected, a node selected, every narration category on', '?algo=raft&nodes=5&seed=7&scenario=leader-crash', [FULL, PHONE], async (page) => {
    await page.keyboard.press('Shift+ArrowRight'); await page.keyboard.press('Shift+ArrowRight'); await page.keyboard.press('Shift+ArrowRight');
    await page.click('[data-node-id="2"]');
    for (const chip of await page.locator('.narration .chip[class*="cat-"]:not(.on)').all()) await chip.click();
  }],
  ['the help overlay', '?algo=raft&nodes=5&seed=7', [FULL, PHONE], async (page) => {
    await page.click('#help');
    await page.locator('[role="dialog"]').waitFor();
  }],
  ['the embed, played a little', '?algo=raft&nodes=5&seed=7&scenario=leader-crash&embed=1', [EMBED], async (page) => {
    await page.click('#step'); await page.click('#step');
  }],
  ['a coordination service box and a fenced storage', '?algo=zk-recipe&nodes=5&seed=3&scenario=zk-paused-leader-fenced', [FULL, EMBED], async (page) => {
    for (let i = 0; i < 20; i++) await page.keyboard.press('Shift+ArrowRight');
  }],
  ['two algorithms side by side under a partition', '?compare=raft,bully&nodes=5&seed=4&scenario=bully-partition', [FULL, EMBED, PHONE], async (page) => {
    for (let i = 0; i < 25; i++) await page.keyboard.press('Shift+ArrowRight');
  }],
  ['a crowded cluster of 25 with ballots', '?algo=paxos&nodes=25&seed=1', [FULL, PHONE], async (page) => {
    for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
  }],
];

async function violations(query, viewport, scheme, act) {
  const embed = query.includes('embed=1') || viewport === EMBED;
  const q = embed && !query.includes('embed=1') ? `${query}&embed=1` : query;
  const { page, problems } = await openPage(browser, server.url, q);
  await page.emulateMedia({ colorScheme: scheme });
  await page.setViewportSize(viewport);
  await page.locator('[data-node-id="1"]').first().waitFor({ timeout: 20000 });
  await act(page);
  await page.waitForTimeout(200);
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
  await page.close();
  return { found: result.violations, problems };
}

for (const scheme of ['light', 'dark']) {
  for (const [name, query, viewports, act] of STATES) {
    test(`axe finds no serious or critical violation: ${name} (${scheme})`, async () => {
      for (const viewport of viewports) {
        const { found, problems } = await violations(query, viewport, scheme, act);
        const where = `${viewport.width}x${viewport.height} ${scheme}`;
        const lines = found.map((v) => `${v.impact} ${v.id} (${v.nodes.length}): ${v.help}; e.g. ${v.nodes[0].target.join(' ')}: ${v.nodes[0].failureSummary.split('\n').slice(1, 2).join('').trim()}`);
        const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(serious.length, 0, `${where}:\n${lines.join('\n')}`);
        // Moderate and minor ones are kept at zero too, so that none creeps in unseen.
        assert.deepEqual(lines, [], `${where}`);
        assert.deepEqual(problems, [], where);
      }
    });
  }
}
