// Measures the visualizer's quality bars in headless Chromium. Not a test: it prints
// figures. Run after `trunk build --release --offline`:   node tests/e2e/bench.mjs
// `--throttle 4` slows the CPU four times (Chromium's Emulation.setCPUThrottlingRate,
// a slow laptop) for the frame measurements; `--frames-only` skips the rest;
// `--repeat N` (default 5) plays each frame measurement N times, in rounds (the two
// floors below, then each case), so that a busy spell of the host hits all. A shared
// 2-core machine misses a frame now and then whatever the page does, so the figures
// come with the same count for an empty page (a bare requestAnimationFrame loop at the
// same throttle), the floor under which no page can go, and for a control page of the
// app's shape (see CONTROL_PAGE). On a virtual machine the host also takes CPU time
// away now and then (steal time in /proc/stat): each run reports how much, and the
// missed frames are also given for the runs in which the host took less than
// STEAL_QUIET_MS, and for the frames with no steal booked near them: the page's own.
//   - frame times (requestAnimationFrame timestamps) while playing: 5 nodes, and
//     25 nodes with 200+ messages in flight; main-thread work per frame (CDP metrics)
//   - start-up: from the wasm arriving to the first node drawn, for long links
//   - CPU used over 10 s while paused, and while the tab is hidden and playing
//   - the release bundle's gzipped size
import { readdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { serveDist, launch, ROOT } from './harness.mjs';

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const r1 = (x) => Math.round(x * 10) / 10;
const r2 = (x) => Math.round(x * 100) / 100;

async function metrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

const arg = (name) => { const i = process.argv.indexOf(name); return i < 0 ? undefined : process.argv[i + 1] ?? ''; };
const THROTTLE = Number(arg('--throttle') ?? 1);
const FRAMES_ONLY = process.argv.includes('--frames-only');
const REPEAT = Math.max(1, Number(arg('--repeat') ?? 5));
const SECONDS = 6;

// CPU time (ms, all cores together) the hypervisor gave to other guests, from
// /proc/stat; null where there is no such file.
function stolenMs() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    return (Number(cpu[8]) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}
// Over a 6 s run, a quiet host takes 0 to 30 ms; a busy spell takes several hundred.
const STEAL_QUIET_MS = 50;

// Measures `loop` and the CPU time the host took meanwhile, overall and as a series of
// [wall-clock ms, steal so far] read every 10 ms, to tell which frames it hit.
async function measured(loop) {
  const series = [];
  const sample = () => { const s = stolenMs(); if (s !== null) series.push([Date.now(), s]); };
  sample();
  const timer = setInterval(sample, 10);
  const result = await loop();
  clearInterval(timer);
  sample();
  const stolen = series.length < 2 ? null : series[series.length - 1][1] - series[0][1];
  return { ...result, stolen, series };
}

// The kernel books steal time at its next tick (or when an idle core wakes), so a
// missed frame counts as the host's when steal was booked within this margin of it.
const STEAL_NEAR_MS = 100;

// Missed frames during which (give or take STEAL_NEAR_MS) the host took no CPU time:
// the page's own. `stamps` are the page's frame times in wall-clock ms.
function missedWithoutSteal(stamps, series) {
  if (series.length < 2) return null;
  let own = 0;
  for (let i = 1; i < stamps.length; i++) {
    if (stamps[i] - stamps[i - 1] <= MISSED_MS) continue;
    const before = series.findLast(([t]) => t <= stamps[i - 1] - STEAL_NEAR_MS) ?? series[0];
    const after = series.find(([t]) => t >= stamps[i] + STEAL_NEAR_MS) ?? series[series.length - 1];
    if (after[1] === before[1]) own++;
  }
  return own;
}

// Missed frames per run, the host's steal per run, the misses of the quiet runs, and
// the misses with no steal near them in any run.
function missedSummary(runs) {
  const quiet = runs.filter((r) => r.stolen !== null && r.stolen < STEAL_QUIET_MS);
  const own = runs.map((r) => missedWithoutSteal(r.wallStamps, r.series));
  return {
    missed_frames: runs.reduce((a, r) => a + missed(r.deltas), 0),
    missed_frames_per_run: runs.map((r) => missed(r.deltas)),
    host_steal_ms_per_run: runs.map((r) => r.stolen),
    quiet_runs: quiet.length,
    missed_frames_in_quiet_runs: quiet.reduce((a, r) => a + missed(r.deltas), 0),
    frames_in_quiet_runs: quiet.reduce((a, r) => a + r.deltas.length, 0),
    missed_frames_without_host_steal_per_run: own,
    missed_frames_without_host_steal: own.includes(null) ? null : own.reduce((a, b) => a + b, 0),
  };
}

// A frame is missed when its interval spans more than one display refresh (60 Hz:
// 16.7 ms, and rAF timestamps jitter by a few tenths of a millisecond around it).
const MISSED_MS = 20;
const missed = (deltas) => deltas.filter((d) => d > MISSED_MS).length;

// requestAnimationFrame timestamps for `ms`, and at each frame the number of messages
// in flight the cluster's canvas says it draws (0 on a page without one).
function rafLoop(page, ms) {
  return page.evaluate((ms) => new Promise((done) => {
    const read = () => Number(document.querySelector('.msg-layer')?.dataset.inflight ?? 0);
    const stamps = []; const samples = [];
    const start = performance.now();
    function tick(t) {
      stamps.push(t);
      samples.push(read());
      if (t - start < ms) requestAnimationFrame(tick); else done({ stamps, samples, origin: performance.timeOrigin });
    }
    requestAnimationFrame(tick);
  }), ms);
}

const intervals = (stamps) => stamps.slice(1).map((t, i) => t - stamps[i]);

// A run's steal figures, with its frame times moved onto the wall clock the steal
// series was read on.
const hostTime = (result) => ({
  stolen: result.stolen, series: result.series, wallStamps: result.stamps.map((t) => result.origin + t),
});

async function playOnce(browser, base, query) {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(base + query);
  await page.locator('[data-node-id="1"]').waitFor();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  if (THROTTLE !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  await page.click('#play');
  await page.waitForTimeout(2000); // warm up: elections settle, messages fill the wire
  const before = await metrics(cdp);
  const result = await measured(() => rafLoop(page, SECONDS * 1000));
  const after = await metrics(cdp);
  await page.click('#play');
  await page.close();
  const per = (k) => after[k] - before[k];
  return {
    deltas: intervals(result.stamps), inflight: result.samples, ...hostTime(result),
    task: per('TaskDuration'), script: per('ScriptDuration'), layout: per('LayoutDuration') + per('RecalcStyleDuration'),
  };
}

// What every frame measurement reports, the floors included.
const runsSummary = (name, runs) => ({ name, cpu_throttle: THROTTLE, runs: REPEAT, seconds_each: SECONDS, ...missedSummary(runs) });

function framesSummary(name, runs) {
  const deltas = runs.flatMap((r) => r.deltas);
  const inflight = runs.flatMap((r) => r.inflight);
  const n = deltas.length;
  const sum = (k) => runs.reduce((a, r) => a + r[k], 0) * 1000 / n;
  return {
    ...runsSummary(name, runs), frames: n,
    frame_ms: { p50: r2(pct(deltas, 50)), p95: r2(pct(deltas, 95)), p99: r2(pct(deltas, 99)), max: r2(Math.max(...deltas)) },
    main_thread_ms_per_frame: { total: r1(sum('task')), script: r1(sum('script')), style_layout: r1(sum('layout')) },
    messages_in_flight: { min: Math.min(...inflight), mean: Math.round(inflight.reduce((a, b) => a + b, 0) / inflight.length), max: Math.max(...inflight) },
  };
}

// A floor's frames: `page` is loaded; it is throttled, warmed up and measured, and
// `check` (if any) may refuse the run before the page closes.
async function floorRun(page, check = async () => {}) {
  const cdp = await page.context().newCDPSession(page);
  if (THROTTLE !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  await page.waitForTimeout(2000);
  const result = await measured(() => rafLoop(page, SECONDS * 1000));
  await check();
  await page.close();
  return { deltas: intervals(result.stamps), ...hostTime(result) };
}

// The machine's own floor: an empty page's animation frames at the same throttle.
async function emptyPageOnce(browser) {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.setContent('<!doctype html><title>empty</title><p>An empty page.</p>');
  return floorRun(page);
}

// A second floor, for a page of the app's shape: a worker animates two canvases where
// the app's cluster and space-time diagram sit at 1440x1000, and the main thread is
// busy each frame for as long as the app's frame takes (CONTROL_MAIN_MS of work at
// full speed, which the throttle stretches). What this misses, any page that animates
// the same pictures the same way would miss on this machine.
const CONTROL_MAIN_MS = 1.3;
const CONTROL_PAGE = `<!doctype html><title>control</title>
<style>body{margin:0;background:#f6f6f2;font:14px sans-serif}canvas{position:absolute}
#c{left:16px;top:167px;width:858px;height:620px}#d{left:82px;top:911px;width:1326px;height:227px}</style>
<p>Control: a worker animates two canvases; the main thread works each frame.</p>
<svg width="858" height="620" style="position:absolute;left:16px;top:167px"><circle cx="429" cy="310" r="200" fill="#def" stroke="#333"/></svg>
<canvas id="c"></canvas><canvas id="d"></canvas>
<script>
const busy = ${CONTROL_MAIN_MS} * ${THROTTLE};
const c = document.getElementById('c').transferControlToOffscreen();
const d = document.getElementById('d').transferControlToOffscreen();
const w = new Worker('control-worker.js');
w.postMessage({ c, d }, [c, d]);
w.onmessage = (e) => { document.body.dataset.painted = e.data; };
function frame(t) { const s = performance.now(); while (performance.now() - s < busy) {} w.postMessage(t); requestAnimationFrame(frame); }
requestAnimationFrame(frame);
</script>`;
const CONTROL_WORKER = `let g, h, t = 0, due = false, painted = 0;
onmessage = (e) => {
  if (e.data.c) {
    e.data.c.width = 858; e.data.c.height = 620; g = e.data.c.getContext('2d');
    e.data.d.width = 1326; e.data.d.height = 227; h = e.data.d.getContext('2d');
    return;
  }
  t = e.data;
  if (!due) { due = true; setTimeout(draw, 0); }
};
function draw() {
  due = false;
  g.clearRect(0, 0, 858, 620); g.fillStyle = '#c33';
  for (let i = 0; i < 12; i++) { const a = t / 500 + i; g.beginPath(); g.arc(429 + 250 * Math.cos(a), 310 + 250 * Math.sin(a), 8, 0, 7); g.fill(); }
  h.clearRect(0, 0, 1326, 227); h.strokeStyle = '#567'; h.beginPath();
  for (let i = 0; i < 40; i++) { const x = (((i * 40 - t / 2) % 1326) + 1326) % 1326; h.moveTo(x, 10); h.lineTo(x + 20, 200); }
  h.stroke();
  if (++painted % 60 === 0) postMessage(painted);
}`;

async function controlPageOnce(browser, base) {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.route(`${base}control*`, (route) => route.fulfill(route.request().url().endsWith('.js')
    ? { contentType: 'text/javascript', body: CONTROL_WORKER }
    : { contentType: 'text/html', body: CONTROL_PAGE }));
  await page.goto(`${base}control.html`);
  // A control that painted nothing would miss fewer frames than a page of this shape.
  return floorRun(page, async () => {
    const painted = Number(await page.evaluate(() => document.body.dataset.painted ?? 0));
    if (painted < 60 * SECONDS) throw new Error(`the control page's worker painted ${painted} frames in ${SECONDS + 2} s`);
  });
}

// Plays each case REPEAT times in rounds (the floors, then each case), so that a busy
// spell of the host falls on all of them alike rather than on whichever ran then.
async function frameRounds(browser, base, cases) {
  const floor = [];
  const control = [];
  const runs = cases.map(() => []);
  for (let round = 0; round < REPEAT; round++) {
    floor.push(await emptyPageOnce(browser));
    control.push(await controlPageOnce(browser, base));
    for (const [i, c] of cases.entries()) runs[i].push(await playOnce(browser, base, c.query));
  }
  const out = {
    empty_page: runsSummary('an empty page (the machine\'s floor)', floor),
    control_page: runsSummary('two canvases painted by a worker where the app\'s are, and the main thread busy as long as the app\'s frame (a floor for a page of its shape)', control),
  };
  for (const [i, c] of cases.entries()) out[c.key] = framesSummary(c.name, runs[i]);
  return out;
}

async function cpu(browser, base) {
  const page = await browser.newPage();
  await page.goto(base + '?algo=raft&nodes=5&seed=7');
  await page.locator('[data-node-id="1"]').waitFor();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const measure = async () => { const a = await metrics(cdp); await page.waitForTimeout(10000); const b = await metrics(cdp); return r1((b.TaskDuration - a.TaskDuration) * 1000); };
  const paused = await measure();
  await page.click('#play');
  const playing = await measure();
  // Hide the tab while it plays. Headless Chromium keeps a backgrounded tab
  // 'visible', so first try minimising its window through CDP; if the page still
  // reports visible, tell it the document is hidden (visibilityState and the
  // visibilitychange event, the signal the app listens to) and say so in the output.
  let method = 'minimised window';
  try {
    const { windowId } = await cdp.send('Browser.getWindowForTarget');
    await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'minimized' } });
    await page.waitForTimeout(500);
  } catch (e) { method = `minimise failed (${e.message.split('\n')[0]})`; }
  let hiddenState = await page.evaluate(() => document.visibilityState);
  if (hiddenState !== 'hidden') {
    method = 'visibilityState emulated in the page';
    hiddenState = await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
      return document.visibilityState;
    });
  }
  const hidden = await measure();
  await page.close();
  return { paused_cpu_ms_over_10s: paused, playing_cpu_ms_over_10s: playing, hidden_playing_cpu_ms_over_10s: hidden, hidden_by: method, visibility_when_measured: hiddenState };
}

// From the wasm's arrival to the first node on screen, for links whose fingerprint
// simulates a long run (it runs between frames, so it must not delay the drawing).
async function startup(browser, base, query) {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-node-id]')) { window.__drawn = performance.now(); obs.disconnect(); }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(base + query);
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 60000 });
  const t = await page.evaluate(() => {
    const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
    return { wasm_arrived_ms: wasm.responseEnd, first_node_ms: window.__drawn };
  });
  // Controls answer while the fingerprint runs: time a click on Help to its dialog.
  const asked = Date.now();
  await page.click('#help');
  await page.locator('[role="dialog"]').waitFor();
  const answered = Date.now() - asked;
  await page.close();
  return { query, wasm_to_first_node_ms: r1(t.first_node_ms - t.wasm_arrived_ms), click_to_dialog_ms: answered };
}

// The page's fingerprint of one hour of 5-node Raft (the configuration,
// RaftScope's model's settings): wall time from the wasm's arrival to the hash on
// screen, and how many times faster than real time that is. It runs in slices
// between frames, so this includes the page's own drawing meanwhile.
async function fingerprintSpeed(browser, base) {
  const query = '?algo=raft&nodes=5&seed=1&duration=3600s&election-timeout=100-200ms&heartbeat=50ms&latency=10-15ms';
  const page = await browser.newPage();
  await page.goto(base + query);
  await page.waitForFunction(() => /^[0-9a-f]{16}$/.test(document.querySelector('#trace-hash')?.textContent ?? ''), null, { timeout: 120000 });
  const t = await page.evaluate(() => {
    const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
    return { wasm_arrived_ms: wasm.responseEnd, now: performance.now(), hash: document.querySelector('#trace-hash').textContent };
  });
  await page.close();
  const seconds = (t.now - t.wasm_arrived_ms) / 1000;
  return { query, hash: t.hash, seconds: r1(seconds * 10) / 10, times_real_time: Math.round(3600 / seconds) };
}

// The lab's whole comparison table (8 algorithms, n in 3..25, 200 trials each) in the
// compute worker: wall time from the click to the table on screen, and the worker's
// own figure (the target is 10 s on this 2-core machine).
async function labTable(browser, base) {
  const page = await browser.newPage();
  await page.goto(base + '?view=lab');
  await page.locator('#table-run').waitFor();
  await page.selectOption('#table-trials', '200');
  const started = Date.now();
  await page.click('#table-run');
  await page.locator('#comparison-table').waitFor({ timeout: 300000 });
  const seconds = (Date.now() - started) / 1000;
  const said = await page.locator('#table-elapsed').textContent();
  await page.close();
  return { trials: 200, click_to_table_s: r1(seconds), worker_says: said };
}

async function bundle() {
  const dist = join(ROOT, 'dist');
  const files = (await readdir(dist)).filter((f) => /\.(wasm|js|css|html)$/.test(f));
  const sizes = {};
  let total = 0;
  let worker = 0;
  for (const f of files) {
    const buf = await readFile(join(dist, f));
    const gz = gzipSync(buf, { level: 9 }).length;
    sizes[f.replace(/-[0-9a-f]{16}/, '')] = { bytes: buf.length, gzip: gz };
    // The compute worker is fetched only when an export, an import or the lab first
    // needs it: not part of the page's load.
    if (f.startsWith('electionscope-worker')) worker += gz;
    else total += gz;
  }
  return { files: sizes, total_gzip_kb: r1(total / 1024), compute_worker_gzip_kb: r1(worker / 1024) };
}

const server = await serveDist();
const browser = await launch();
try {
  const out = {
    chromium: browser.version(),
    ...await frameRounds(browser, server.url, [
      { key: 'five_nodes', name: '5 nodes', query: '?algo=raft&nodes=5&seed=7&speed=1' },
      { key: 'twenty_five_nodes', name: '25 nodes, 200+ messages',
        query: '?algo=raft&nodes=25&seed=1&latency=100-150ms&heartbeat=25ms&election-timeout=1-2s&speed=1' },
      { key: 'twenty_five_nodes_400', name: '25 nodes, about 400 messages',
        query: '?algo=raft&nodes=25&seed=1&latency=150-250ms&heartbeat=20ms&election-timeout=1-2s&speed=1' },
    ]),
  };
  if (!FRAMES_ONLY) {
    out.startup = [
      await startup(browser, server.url, '?algo=raft&nodes=5&seed=7&duration=1440m'),
      await startup(browser, server.url, '?algo=zab&nodes=25&seed=7&duration=60m'),
    ];
    out.fingerprint_one_hour = await fingerprintSpeed(browser, server.url);
    out.lab_table = await labTable(browser, server.url);
    out.idle = await cpu(browser, server.url);
    out.bundle = await bundle();
  }
  console.log(JSON.stringify(out, null, 2));
} finally {
  await browser.close(); await server.close();
}
