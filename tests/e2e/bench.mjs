// Measures the visualizer's quality bars in headless Chromium. Not a test: it prints
// figures. Run after `trunk build --release --offline`:   node tests/e2e/bench.mjs
// `--throttle 4` slows the CPU four times (Chromium's Emulation.setCPUThrottlingRate,
// a slow laptop) for the frame measurements; `--frames-only` skips the rest;
// `--repeat N` (default 5) plays each frame measurement N times, in rounds (the empty
// page below, then each case), so that a busy spell of the host hits all. A shared 2-core
// machine misses a frame now and then whatever the page does, so the figures come
// with the same count for an empty page (a bare requestAnimationFrame loop at the
// same throttle): the floor under which no page can go. On a virtual machine the
// host also takes CPU time away now and then (steal time in /proc/stat): each run
// reports how much, and the missed frames are also given for the runs in which the
// host took less than STEAL_QUIET_MS, which are the page's own.
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

// Measures `loop` and the CPU time the host took meanwhile.
async function measured(loop) {
  const before = stolenMs();
  const result = await loop();
  const after = stolenMs();
  return { ...result, stolen: before === null || after === null ? null : after - before };
}

// Missed frames per run, the host's steal per run, and the misses of the quiet runs.
function missedSummary(runs) {
  const quiet = runs.filter((r) => r.stolen !== null && r.stolen < STEAL_QUIET_MS);
  return {
    missed_frames: runs.reduce((a, r) => a + missed(r.deltas), 0),
    missed_frames_per_run: runs.map((r) => missed(r.deltas)),
    host_steal_ms_per_run: runs.map((r) => r.stolen),
    quiet_runs: quiet.length,
    missed_frames_in_quiet_runs: quiet.reduce((a, r) => a + missed(r.deltas), 0),
    frames_in_quiet_runs: quiet.reduce((a, r) => a + r.deltas.length, 0),
  };
}

// A frame is missed when its interval spans more than one display refresh (60 Hz:
// 16.7 ms, and rAF timestamps jitter by a few tenths of a millisecond around it).
const missed = (deltas) => deltas.filter((d) => d > 20).length;

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
      if (t - start < ms) requestAnimationFrame(tick); else done({ stamps, samples });
    }
    requestAnimationFrame(tick);
  }), ms);
}

const intervals = (stamps) => stamps.slice(1).map((t, i) => t - stamps[i]);

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
    deltas: intervals(result.stamps), inflight: result.samples, stolen: result.stolen,
    task: per('TaskDuration'), script: per('ScriptDuration'), layout: per('LayoutDuration') + per('RecalcStyleDuration'),
  };
}

function framesSummary(name, runs) {
  const deltas = runs.flatMap((r) => r.deltas);
  const inflight = runs.flatMap((r) => r.inflight);
  const n = deltas.length;
  const sum = (k) => runs.reduce((a, r) => a + r[k], 0) * 1000 / n;
  return {
    name, cpu_throttle: THROTTLE, runs: REPEAT, seconds_each: SECONDS, frames: n,
    frame_ms: { p50: r2(pct(deltas, 50)), p95: r2(pct(deltas, 95)), p99: r2(pct(deltas, 99)), max: r2(Math.max(...deltas)) },
    ...missedSummary(runs),
    main_thread_ms_per_frame: { total: r1(sum('task')), script: r1(sum('script')), style_layout: r1(sum('layout')) },
    messages_in_flight: { min: Math.min(...inflight), mean: Math.round(inflight.reduce((a, b) => a + b, 0) / inflight.length), max: Math.max(...inflight) },
  };
}

// The machine's own floor: an empty page's animation frames at the same throttle.
async function emptyPageOnce(browser) {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.setContent('<!doctype html><title>empty</title><p>An empty page.</p>');
  const cdp = await page.context().newCDPSession(page);
  if (THROTTLE !== 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  await page.waitForTimeout(2000);
  const result = await measured(() => rafLoop(page, SECONDS * 1000));
  await page.close();
  return { deltas: intervals(result.stamps), stolen: result.stolen };
}

// Plays each case REPEAT times in rounds (the floor, then each case), so that a busy
// spell of the host falls on all of them alike rather than on whichever ran then.
async function frameRounds(browser, base, cases) {
  const floor = [];
  const runs = cases.map(() => []);
  for (let round = 0; round < REPEAT; round++) {
    floor.push(await emptyPageOnce(browser));
    for (const [i, c] of cases.entries()) runs[i].push(await playOnce(browser, base, c.query));
  }
  const out = {
    empty_page: { name: 'an empty page (the machine\'s floor)', cpu_throttle: THROTTLE, runs: REPEAT, seconds_each: SECONDS, ...missedSummary(floor) },
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
