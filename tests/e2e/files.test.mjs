// Files out of the page and back in: the trace as JSON lines (the CLI's bytes for the
// same run and actions), imported to be inspected; the space-time diagram of a window
// as SVG; the cluster and the diagram as PNG. Bad imports change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDist, launch, openPage, cli, pngPixels } from './harness.mjs';

let server; let browser; let dir;
before(async () => {
  server = await serveDist(); browser = await launch();
  dir = await mkdtemp(join(tmpdir(), 'electionscope-files-'));
});
after(async () => { await browser?.close(); await server?.close(); });

const state = (page) => page.evaluate(() => ({
  nodes: [...document.querySelectorAll('svg.cluster [data-node-id]')].map((e) => `${e.dataset.nodeId}:${e.dataset.role}:${e.dataset.term}`),
  now: Number(document.querySelector('#timeline').value),
}));

async function exported(page, button) {
  if (!(await page.locator('#export-menu').evaluate((d) => d.open))) await page.click('#export-menu > summary');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.click(button)]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

async function importFile(page, path) {
  if (!(await page.locator('#export-menu').evaluate((d) => d.open))) await page.click('#export-menu > summary');
  await page.setInputFiles('#import-trace', path);
}

test('the exported trace is the CLI\'s file for the same run, and importing it shows that run', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=21&duration=4s');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor();
  for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('1');
  await page.keyboard.press('c'); // the user crashes n1
  const { name, bytes } = await exported(page, '#export-trace');
  assert.match(name, /^electionscope-raft-seed21-trace\.jsonl$/);
  const text = bytes.toString('utf8');
  const lines = text.trim().split('\n');
  const header = JSON.parse(lines[0]);
  assert.equal(header.electionscope, 'trace');
  assert.equal(header.query, 'algo=raft&nodes=5&seed=21&duration=4s');
  assert.match(header.acts, /crash n1$/);
  assert.ok(lines.slice(1).some((l) => /"type":"action"/.test(l) && /n1 crashes/.test(l)), 'the crash is in the trace');
  // The CLI, given the same settings and actions, writes the same bytes.
  const cliPath = join(dir, 'cli.jsonl');
  cli(['run', '--query', header.query, '--acts', header.acts, '--trace', cliPath, '--json']);
  assert.equal(text, await readFile(cliPath, 'utf8'));

  // Imported in a fresh page: the same run, at its last event, paused.
  const file = join(dir, 'trace.jsonl');
  await writeFile(file, text);
  const { page: fresh, problems: freshProblems } = await openPage(browser, server.url, '?algo=bully&nodes=7&seed=3');
  await fresh.setViewportSize({ width: 1440, height: 1000 });
  await fresh.locator('[data-node-id="7"]').waitFor();
  await importFile(fresh, file);
  await fresh.locator('.toast', { hasText: 'Inspecting trace.jsonl' }).waitFor({ timeout: 60000 });
  assert.equal(await fresh.locator('svg.cluster [data-node-id]').count(), 5);
  const last = JSON.parse(lines.at(-1));
  const shown = await state(fresh);
  assert.equal(shown.now, last.time, 'opened at the file\'s last event');
  // A link to the same run and instant shows the same nodes and narration.
  const { page: linked } = await openPage(browser, server.url,
    `?${header.query}&v=2&acts=${encodeURIComponent(header.acts)}&t=${last.time}`);
  await linked.setViewportSize({ width: 1440, height: 1000 });
  await linked.locator('[data-node-id="1"]').waitFor();
  assert.deepEqual(await state(linked), shown);
  const narration = (p) => p.locator('.narration li').allTextContents();
  const told = await narration(fresh);
  assert.ok(told.length > 10);
  assert.deepEqual(told, await narration(linked));
  await linked.close();
  assert.deepEqual(problems, []);
  assert.deepEqual(freshProblems, []);
  await page.close();
  await fresh.close();
});

test('a foreign, malformed or tampered trace file is refused with the reason and changes nothing', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=zab&nodes=5&seed=4&duration=3s');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor();
  for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
  const before = await state(page);
  const good = cli(['run', '--query', 'algo=raft&nodes=5&seed=2&duration=2s', '--trace', join(dir, 'good.jsonl'), '--json']) && await readFile(join(dir, 'good.jsonl'), 'utf8');
  const lines = good.trim().split('\n');
  const tampered = [...lines];
  const victim = JSON.parse(tampered[40]);
  victim.text = 'n9 wins everything';
  tampered[40] = JSON.stringify(victim);
  const cases = [
    ['foreign.jsonl', '{"hello":"world"}\n', /Import: line 1: this is not an ElectionScope trace/],
    ['binary.jsonl', Buffer.from([0, 1, 2, 255, 254, 10, 13]), /Import: line 1: this is not an ElectionScope trace/],
    ['broken.jsonl', `${lines[0]}\n${lines[1]}\n{"seq": oops}\n`, /Import: line 3: not a trace event/],
    ['tampered.jsonl', tampered.join('\n'), new RegExp(`Import: this version of ElectionScope does not make the run the file holds: event ${victim.seq} at ${victim.time}us differs`)],
    ['settings.jsonl', good.replace('nodes=5', 'nodes=40'), /Import: line 1: the run's settings: nodes: 40 is outside 3 to 25/],
  ];
  for (const [name, contents, want] of cases) {
    const path = join(dir, name);
    await writeFile(path, contents);
    await importFile(page, path);
    await page.locator('.toast', { hasText: 'Import:' }).waitFor({ timeout: 60000 });
    assert.match(await page.locator('.toast').textContent(), want, name);
    assert.deepEqual(await state(page), before, `${name} changed nothing`);
    await page.click('.toast'); // dismissed
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('the diagram of a chosen window downloads as SVG with a lane per node and the window\'s arrows', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=bully&nodes=6&seed=8&duration=5s');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor();
  await page.click('#export-menu > summary');
  await page.fill('#diagram-from', '0s');
  await page.fill('#diagram-to', '1.5s');
  const { name, bytes } = await exported(page, '#export-diagram-svg');
  assert.match(name, /^electionscope-bully-seed8-diagram-0s-1\.5s\.svg$/);
  const svg = bytes.toString('utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      lanes: [...doc.querySelectorAll('[data-lane]')].map((e) => e.textContent),
      arrows: doc.querySelectorAll('line.m').length,
      title: doc.querySelector('.title')?.textContent,
    };
  }, svg);
  assert.equal(parsed.error, null);
  assert.deepEqual(parsed.lanes, ['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
  assert.ok(parsed.arrows > 5, `${parsed.arrows} arrows`);
  assert.equal(parsed.title, 'Bully, 6 nodes, seed 8: 0s to 1.5s');
  // The CLI draws the same file.
  const path = join(dir, 'd.svg');
  cli(['run', '--query', 'algo=bully&nodes=6&seed=8&duration=5s', '--diagram', path, '--window', '0s..1.5s', '--json']);
  assert.equal(svg, await readFile(path, 'utf8'));
  // A window past the run's end is refused with why.
  await page.fill('#diagram-to', '9s');
  await page.click('#export-diagram-svg');
  await page.locator('.toast', { hasText: 'Diagram:' }).waitFor();
  assert.match(await page.locator('.toast').textContent(), /Diagram: window ends at 9s, after the run's end \(5s\)/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('PNG exports are images twice the drawing\'s size with the drawing in them', async () => {
  const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=5&seed=5&duration=4s');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor();
  for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+ArrowRight');
  const box = await page.locator('svg.cluster').boundingBox();
  const cluster = await exported(page, '#export-png');
  assert.match(cluster.name, /^electionscope-raft-seed5-\d+us\.png$/);
  const img = pngPixels(cluster.bytes);
  assert.equal(img.width, 2 * Math.round(box.width));
  assert.equal(img.height, 2 * Math.round(box.height));
  // Not blank: many pixels differ from the background.
  const distinct = new Set();
  for (let i = 0; i < img.data.length; i += 4 * 97) distinct.add(img.data.slice(i, i + 3).join(','));
  assert.ok(distinct.size > 20, `${distinct.size} colours`);
  const diagram = await exported(page, '#export-diagram-png');
  const d = pngPixels(diagram.bytes);
  assert.ok(d.width >= 3000 && d.height > 200, `${d.width}x${d.height}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a long export shows its progress, can be cancelled, and the page plays on meanwhile', async () => {
  // The diagram of the last ten seconds of an hour of 25-node ZAB: the worker runs the
  // whole hour first, several seconds even in a wasm built for speed.
  const { page, problems } = await openPage(browser, server.url, '?algo=zab&nodes=25&seed=3&duration=60m&speed=1');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="25"]').waitFor();
  await page.click('#export-menu > summary');
  await page.fill('#diagram-from', '3590s');
  await page.fill('#diagram-to', '3600s');
  await page.click('#export-diagram-svg');
  await page.locator('#job-status progress').waitFor();
  await page.waitForFunction(() => Number(document.querySelector('#job-status progress')?.value) > 0, null, { timeout: 30000 });
  // The page is not frozen: playing moves the clock while the worker runs.
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#timeline').value) > 200000, null, { timeout: 10000 });
  await page.click('#play');
  let downloaded = false;
  page.on('download', () => { downloaded = true; });
  await page.click('#job-cancel');
  await page.locator('#job-status').waitFor({ state: 'detached' });
  await page.waitForTimeout(500);
  assert.equal(downloaded, false, 'a cancelled export saves nothing');
  assert.deepEqual(problems, []);
  await page.close();
});
