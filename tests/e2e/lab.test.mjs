// The lab in the page (`?view=lab`): the comparison table measured in the compute
// worker with progress and cancel, the page responsive meanwhile, and the same figures
// as `electionscope table` for the same trials and seed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, cli } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/// The CLI's Markdown table as { algorithm title: [cells] }.
function markdownRows(markdown) {
  const rows = {};
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| Algorithm') || line.startsWith('|---')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    rows[cells[0]] = cells.slice(1);
  }
  return rows;
}

test('the comparison table is measured in a worker, shows progress, keeps the page responsive and matches the CLI', async () => {
  const { page, problems } = await openPage(browser, server.url, '?view=lab');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.locator('#table-run').waitFor();
  await page.selectOption('#table-trials', '20');
  await page.click('#table-run');
  await page.locator('#table-progress progress').waitFor();
  // Frames keep coming while the worker measures: the main thread is free.
  const frames = await page.evaluate(() => new Promise((done) => {
    let n = 0; const end = performance.now() + 1000;
    const tick = (t) => { n++; if (t < end) requestAnimationFrame(tick); else done(n); };
    requestAnimationFrame(tick);
  }));
  assert.ok(frames >= 30, `${frames} frames in a second while measuring`);
  await page.locator('#comparison-table').waitFor({ timeout: 120000 });
  const shown = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#comparison-table tbody tr')].map((tr) => [
    tr.querySelector('th').textContent,
    { messages: tr.querySelector('[data-cell="messages"]').textContent, growth: tr.querySelector('[data-cell="growth"]').textContent, time: tr.querySelector('[data-cell="time"]').textContent },
  ])));
  assert.equal(Object.keys(shown).length, 8, 'a row per algorithm');
  const expected = markdownRows(cli(['table', '--trials', '20', '--seed', '1']));
  for (const [title, cells] of Object.entries(expected)) {
    assert.equal(shown[title]?.messages, cells[0], `${title}: messages`);
    assert.ok(cells[2].endsWith(shown[title].time.split(' / ')[1]), `${title}: time ${shown[title].time} vs ${cells[2]}`);
    assert.ok(cells[1].replace(/\*\*/g, '').includes(shown[title].growth.split(' / ')[1]), `${title}: growth`);
  }
  assert.match(await page.locator('#table-elapsed').textContent(), /20 trials, measured in \d+\.\d s/);
  // The partition cell opens the split-brain scenario in the simulator.
  assert.equal(await page.locator('tr[data-algo="bully"] [data-cell="partition"] a').getAttribute('href'), '?algo=bully&scenario=bully-partition');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a measurement can be cancelled', async () => {
  const { page, problems } = await openPage(browser, server.url, '?view=lab');
  await page.locator('#table-run').waitFor();
  await page.selectOption('#table-trials', '200');
  await page.click('#table-run');
  await page.locator('#table-cancel').waitFor();
  await page.click('#table-cancel');
  await page.locator('#table-progress').waitFor({ state: 'detached' });
  assert.equal(await page.locator('#comparison-table').count(), 0);
  assert.equal(await page.locator('#table-run').isEnabled(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Figure 16 is plotted as a CDF per timeout range beside the paper\'s statements, with the CLI lab\'s figures, and saved as SVG and CSV', async () => {
  const { page, problems } = await openPage(browser, server.url, '?view=lab');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.locator('#figure16-run').waitFor();
  await page.selectOption('#figure16-trials', '100');
  await page.click('#figure16-run');
  await page.locator('#figure16-progress').waitFor();
  await page.locator('#figure16-table').waitFor({ timeout: 180000 });
  const plot = await page.evaluate(() => {
    const svg = document.querySelector('.lab-plot svg');
    const texts = [...svg.querySelectorAll('text')];
    return {
      series: [...svg.querySelectorAll('path[data-series]')].map((p) => p.dataset.series),
      smallestText: Math.min(...texts.map((t) => t.getBoundingClientRect().height)),
      width: svg.getBoundingClientRect().width,
    };
  });
  assert.deepEqual(plot.series, ['150-150ms', '150-151ms', '150-155ms', '150-175ms', '150-200ms', '150-300ms']);
  assert.ok(plot.width >= 800, `the plot is ${plot.width}px wide`);
  assert.ok(plot.smallestText >= 12, `its smallest text is ${plot.smallestText}px tall`);
  const cell = (range, name) => page.locator(`#figure16-table tr[data-run="${range}"] [data-cell="${name}"]`).textContent();
  // The CLI's lab gives the same median for the same preset and seeds.
  for (const range of ['150-155ms', '150-300ms']) {
    const rows = JSON.parse(cli(['lab', '--algo', 'raft', '--nodes', '5', '--trials', '100', '--seed', '1', '--election-timeout', range, '--heartbeat', '75ms', '--latency', '2-4ms', '--fault', 'crash-leader', '--json']));
    const p50 = rows.rows[0].time_to_leader_us.p50;
    const shown = await cell(range, 'p50');
    assert.equal(shown, p50 < 1000000 ? `${Math.round(p50 / 1000)}ms` : shown, `${range}: ${shown} vs ${p50}us`);
  }
  // Without randomness the split votes go on: far slower than with 5 ms of it.
  const toMs = (text) => (text.endsWith('ms') ? Number(text.slice(0, -2)) : Number(text.slice(0, -1)) * 1000);
  const fixed = await cell('150-150ms', 'p50');
  assert.ok(fixed === '-' || toMs(fixed) > 3 * toMs(await cell('150-155ms', 'p50')), `150-150: ${fixed}`);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#figure16-svg')]);
  assert.equal(svg.suggestedFilename(), 'electionscope-figure16.svg');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#figure16-csv')]);
  const lines = (await import('node:fs/promises')).readFile(await csv.path(), 'utf8');
  const text = await lines;
  assert.equal(text.split('\n')[0], 'series,ms,cumulative_share');
  assert.equal(text.trim().split('\n').length, 1 + 6 * 100, 'a line per trial');
  assert.deepEqual(problems, []);
  await page.close();
});

/// Runs the page's own experiment on `runs` and waits for its table.
async function measureExperiment(page, kind, runs, trials) {
  await page.locator('#experiment-run').waitFor();
  await page.selectOption('#experiment-kind', kind);
  await page.fill('#experiment-runs', runs.join('\n'));
  await page.selectOption('#experiment-trials', String(trials));
  await page.click('#experiment-run');
  await page.locator(`#experiment-table[data-experiment="${kind}"]`).waitFor({ timeout: 180000 });
}

/// The CLI's figures for the same experiment, runs, trials and first seed.
function cliExperiment(kind, runs, trials) {
  return JSON.parse(cli(['lab', '--experiment', kind, ...runs.flatMap((r) => ['--run', r]), '--trials', String(trials), '--seed', '1', '--json']));
}

test('messages per election against cluster size: a panel per run with the textbook formula and the fitted growth, the CLI\'s medians, saved as SVG and CSV', async () => {
  const { page, problems } = await openPage(browser, server.url, '?view=lab');
  await page.setViewportSize({ width: 1920, height: 1080 });
  const runs = ['algo=bully', 'algo=raft', 'algo=ring'];
  await measureExperiment(page, 'messages', runs, 10);
  const plot = await page.evaluate(() => {
    const svg = document.querySelector('#experiment-title').closest('section').querySelector('.lab-plot svg');
    return {
      panels: [...svg.querySelectorAll('[data-panel]')].map((g) => ({
        run: g.dataset.panel,
        lines: [...g.querySelectorAll('path[data-line]')].map((p) => p.dataset.line),
      })),
      smallestText: Math.min(...[...svg.querySelectorAll('text')].map((t) => t.getBoundingClientRect().height)),
    };
  });
  assert.deepEqual(plot.panels.map((p) => p.run), runs);
  for (const p of plot.panels) {
    assert.deepEqual(p.lines.slice(0, 2), ['cold start', 'after a crash'], p.run);
    assert.ok(p.lines[2].startsWith('textbook '), `${p.run}: ${p.lines}`);
    assert.match(p.lines[3], /^fit \d+\.\d\d·(n|n log n|n²)$/, p.run);
  }
  assert.equal(plot.panels[0].lines[2], 'textbook n(n−1)');
  assert.ok(plot.smallestText >= 12, `the plot's smallest text is ${plot.smallestText}px tall`);
  const expected = cliExperiment('messages', runs, 10);
  for (const row of expected.runs) {
    const shown = await page.locator(`#experiment-table tr[data-run="${row.label}"] [data-cell="cold"]`).textContent();
    assert.equal(shown.split(' (')[0], row.cold_start.map(([, m]) => m ?? '-').join(' / '), row.label);
    const crash = await page.locator(`#experiment-table tr[data-run="${row.label}"] [data-cell="crash"]`).textContent();
    assert.equal(crash, row.after_crash.map(([, m]) => m ?? '-').join(' / '), row.label);
  }
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#experiment-svg')]);
  assert.equal(svg.suggestedFilename(), 'electionscope-messages.svg');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#experiment-csv')]);
  const text = await (await import('node:fs/promises')).readFile(await csv.path(), 'utf8');
  assert.equal(text.split('\n')[0], 'run,nodes,cold_start_median,after_crash_median,textbook');
  assert.equal(text.trim().split('\n').length, 1 + 3 * 8, 'a line per run and size');
  assert.deepEqual(problems, []);
  await page.close();
});

test('random partitions and pauses: time with two leaders, updates lost without fencing and none with it, as the CLI measures; the time-to-leader CDF for any algorithm; a bad run named by its line', async () => {
  const { page, problems } = await openPage(browser, server.url, '?view=lab');
  await page.setViewportSize({ width: 1920, height: 1080 });
  const runs = ['algo=raft', 'algo=raft&prevote=on&check-quorum=on', 'algo=lease', 'algo=bully'];
  await measureExperiment(page, 'faults', runs, 10);
  const expected = cliExperiment('faults', runs, 10);
  const cell = (run, name) => page.locator(`#experiment-table tr[data-run="${run}"] [data-cell="${name}"]`).textContent();
  for (const row of expected.runs) {
    assert.equal(await cell(row.label, 'two-leaders'), `${(100 * row.two_leaders_us / row.measured_us).toFixed(1)}%`, row.label);
    assert.equal(await cell(row.label, 'lost-fenced'), '0', `${row.label}: fencing loses nothing`);
    assert.equal(await cell(row.label, 'refused'), String(row.refused_fenced), row.label);
    if (row.numbered) assert.equal((await cell(row.label, 'lost')).split(' ')[0], String(row.lost_updates_unfenced), row.label);
  }
  assert.ok(expected.runs[0].lost_updates_unfenced > 0, 'plain Raft loses updates without fencing');
  assert.match(await cell('algo=bully', 'lost'), /no leadership number/);
  // Its plot: a group of bars per run, the two shares the table states.
  const bars = await page.evaluate(() => [...document.querySelector('#experiment-title').closest('section').querySelectorAll('.lab-plot [data-group]')].map((g) => ({
    run: g.dataset.group, values: [...g.querySelectorAll('rect[data-value]')].map((r) => Number(r.dataset.value).toFixed(1)),
  })));
  assert.deepEqual(bars.map((b) => b.run), runs);
  for (const [i, row] of expected.runs.entries()) {
    assert.deepEqual(bars[i].values, [(100 * row.two_leaders_us / row.measured_us).toFixed(1), (100 * row.leaderless_us / row.measured_us).toFixed(1)], row.label);
  }
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#experiment-svg')]);
  assert.equal(svg.suggestedFilename(), 'electionscope-faults.svg');

  // Time to a new leader for any algorithms: a CDF line and percentiles per run.
  const recoveryRuns = ['algo=zab', 'algo=bully&nodes=7'];
  await measureExperiment(page, 'recovery', recoveryRuns, 20);
  const series = await page.evaluate(() => [...document.querySelector('#experiment-title').closest('section').querySelectorAll('.lab-plot path[data-series]')].map((p) => p.dataset.series));
  assert.deepEqual(series, recoveryRuns);
  const recovery = cliExperiment('recovery', recoveryRuns, 20);
  for (const row of recovery.runs) {
    const p50 = row.time_to_leader_us.p50;
    const shown = await cell(row.label, 'p50');
    if (p50 < 1000000 && p50 >= 10000) assert.equal(shown, `${Math.round(p50 / 1000)}ms`, row.label);
  }

  // A run the simulator cannot make is named by its line, and nothing starts.
  await page.fill('#experiment-runs', 'algo=raft\nalgo=rat');
  await page.click('#experiment-run');
  await page.locator('.notice[role="alert"]').waitFor();
  assert.match(await page.locator('.notice[role="alert"]').textContent(), /line 2: .*'rat'/);
  assert.deepEqual(problems, []);
  await page.close();
});
