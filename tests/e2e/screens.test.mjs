// The page as its three kinds of users see it, measured in headless Chromium: a
// projector (1920x1080), a documentation embed (640x400) and a phone (360x740), plus
// what shows before the app has started.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, cli, pngPixels } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('before the wasm arrives the page says what it is and that it is loading', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  let release;
  const held = new Promise((ok) => { release = ok; });
  await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(server.url + '?algo=raft&nodes=5');
  const loading = page.locator('#loading');
  await loading.waitFor();
  assert.match(await loading.locator('h1').textContent(), /ElectionScope/);
  assert.match(await page.locator('#loading-state').textContent(), /Loading the simulator/);
  assert.equal(await page.locator('.loading-cluster circle').count(), 5);
  const box = await page.locator('.loading-cluster').boundingBox();
  assert.ok(box.width > 100, `the still cluster is drawn (${box.width} px wide)`);
  release();
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  assert.equal(await loading.count(), 0, 'the app replaces the loading page');
  await page.close();
});

test('when the wasm cannot load the page says so instead of staying blank', async () => {
  const page = await browser.newPage();
  await page.route('**/*.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(server.url);
  const alert = page.locator('#loading-state[role="alert"]');
  await alert.waitFor({ timeout: 10000 });
  assert.match(await alert.textContent(), /^The simulator could not start: .+ Reload the page to try again\.$/);
  await page.close();
});

test('a first visit plays and shows an election within seconds; asking for less motion gets a hint instead', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const started = Date.now();
  await page.goto(server.url);
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Pause', 'the bare address plays');
  await page.waitForFunction(() => document.querySelectorAll('[data-role="leader"]').length === 1, null, { timeout: 15000 });
  console.log(`first visit: a leader on screen ${Date.now() - started} ms after the page was asked for`);
  await page.close();

  const calm = await browser.newPage({ viewport: { width: 1920, height: 1080 }, reducedMotion: 'reduce' });
  await calm.goto(server.url);
  await calm.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  assert.equal(await calm.locator('#play').getAttribute('aria-label'), 'Play');
  assert.match(await calm.locator('.narration-empty').textContent(), /Press ▶ Play \(Space\)/);
  assert.equal(await calm.locator('.playback .clock').textContent(), '0s / 0s');
  await calm.keyboard.press('Space');
  await calm.locator('.narration .lines li').first().waitFor({ timeout: 15000 });
  assert.equal(await calm.locator('.narration-empty').count(), 0, 'the hint goes once something happens');
  await calm.close();
});

// Every piece of text in the cluster drawing, as rendered: its font size in CSS px
// (computed size times the drawing's scale), its box, whether it stays inside the
// drawing and off every other piece of text.
async function clusterText(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg.cluster');
    const frame = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() && t.getBBox().width > 0);
    return {
      frame: { left: frame.left, top: frame.top, right: frame.right, bottom: frame.bottom },
      texts: texts.map((t) => {
        const r = t.getBoundingClientRect();
        return {
          text: t.textContent.trim(), cls: t.getAttribute('class'),
          px: t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize),
          box: { left: r.left, top: r.top, right: r.right, bottom: r.bottom, height: r.height },
        };
      }),
      labelPx: svg.getScreenCTM().a * Number(document.querySelector('.msg-layer').dataset.labelFont),
    };
  });
}

const VIEWS = [
  { name: '1920x1080', viewport: { width: 1920, height: 1080 }, dpr: 1, embed: false },
  { name: '1920x1080 at 150% zoom', viewport: { width: 1280, height: 720 }, dpr: 1.5, embed: false },
  { name: '640x400 embed', viewport: { width: 640, height: 400 }, dpr: 1, embed: true },
  { name: '360x740 phone', viewport: { width: 360, height: 740 }, dpr: 1, embed: false },
];
const RUNS = ['?algo=raft&nodes=5&seed=7&storage=fenced', '?algo=zab&nodes=25&seed=7', '?algo=zab&nodes=9&seed=7', '?algo=zk-recipe&nodes=5&seed=7', '?algo=paxos&nodes=9&seed=3&storage=unfenced'];

test('every piece of text in the cluster renders at 11 CSS px or more, inside the drawing and off other text, and grows with zoom', async () => {
  const nameAt = {};
  for (const view of VIEWS) {
    for (const run of RUNS) {
      const page = await browser.newPage({ viewport: view.viewport, deviceScaleFactor: view.dpr });
      await page.goto(server.url + run + '&speed=1' + (view.embed ? '&embed=1' : ''));
      await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
      await page.click('#play');
      await page.waitForTimeout(1500);
      await page.click('#play');
      const { frame, texts, labelPx } = await clusterText(page);
      const where = `${run} at ${view.name}`;
      assert.ok(texts.length >= 5, `${where}: text is drawn (${texts.length})`);
      for (const t of texts) {
        assert.ok(t.px >= 10.95, `${where}: "${t.text}" (${t.cls}) renders at ${t.px.toFixed(1)} px`);
        assert.ok(t.box.height >= 11, `${where}: "${t.text}" is ${t.box.height.toFixed(1)} px tall`);
        assert.ok(t.box.left >= frame.left - 1 && t.box.right <= frame.right + 1 && t.box.top >= frame.top - 1 && t.box.bottom <= frame.bottom + 1,
          `${where}: "${t.text}" leaves the drawing`);
      }
      assert.ok(labelPx >= 10.95, `${where}: labels on dots render at ${labelPx.toFixed(1)} px`);
      // A role word stays inside its circle (ZAB's FOLLOWING at 25 nodes spilled out).
      const spills = await page.evaluate(() => [...document.querySelectorAll('svg.cluster .node:not(.service)')].flatMap((g) => {
        const badge = g.querySelector('.badge'); const body = g.querySelector('.body');
        if (!badge || !badge.textContent.trim()) return [];
        const [b, c] = [badge.getBoundingClientRect(), body.getBoundingClientRect()];
        return b.left >= c.left && b.right <= c.right ? [] : [`${g.dataset.nodeId}: ${badge.textContent}`];
      }));
      assert.deepEqual(spills, [], `${where}: role words spill out of their circles`);
      // Text boxes include line spacing: a third of the smaller height may touch.
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
          const [a, b] = [texts[i].box, texts[j].box];
          const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          const slack = Math.min(a.height, b.height) / 3;
          assert.ok(!(dx > 1 && dy > slack), `${where}: "${texts[i].text}" overlaps "${texts[j].text}"`);
        }
      }
      if (run.includes('raft')) nameAt[view.name] = texts.find((t) => t.cls === 'name').px * view.dpr;
      await page.close();
    }
  }
  console.log('node name in device px:', JSON.stringify(nameAt));
  assert.ok(nameAt['1920x1080 at 150% zoom'] > nameAt['1920x1080'], 'zooming in makes the text larger on the screen');
});

test('each algorithm has its own legend, and no colour means two things', async () => {
  const algorithms = JSON.parse(cli(['algorithms', '--json']));
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  for (const algo of algorithms) {
    await page.goto(`${server.url}?algo=${algo.name}&nodes=5&seed=1`);
    await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
    const items = await page.locator('.legend li').evaluateAll((lis) => lis.map((li) => ({
      cls: li.dataset.class, text: li.textContent.trim(),
      fill: getComputedStyle(li.querySelector('circle, line')).getPropertyValue(li.dataset.class === 'cut' ? 'stroke' : 'fill'),
    })));
    const own = items.filter((i) => !['dropped', 'cut'].includes(i.cls));
    assert.deepEqual(own.map((i) => [i.cls, i.text]), algo.messages.map((m) => [m.class, m.meaning]), `${algo.name}: the legend lists its own messages`);
    if (algo.name !== 'raft') {
      assert.doesNotMatch(await page.locator('.legend').textContent(), /append with entries|AppendEntries/, `${algo.name}: no Raft words`);
    }
    // One colour, one meaning: message colours differ from each other and from the
    // red of a dropped message or a cut link (which share one meaning: lost).
    const rgb = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
    const far = (a, b) => Math.hypot(...rgb(a).map((v, k) => v - rgb(b)[k])) > 60;
    const red = items.find((i) => i.cls === 'dropped').fill;
    assert.equal(items.find((i) => i.cls === 'cut').fill, red, 'dropped and cut share the red of loss');
    for (let i = 0; i < own.length; i++) {
      assert.ok(far(own[i].fill, red), `${algo.name}: ${own[i].text} (${own[i].fill}) looks like the red of loss (${red})`);
      for (let j = i + 1; j < own.length; j++) {
        assert.ok(far(own[i].fill, own[j].fill), `${algo.name}: ${own[i].text} and ${own[j].text} share a colour`);
      }
    }
  }
  await page.close();
});

test('the embed: caption, scrubber, stop or loop at the end of its duration, the host page theme', async () => {
  const open = async (query, options = {}) => {
    const page = await browser.newPage({ viewport: { width: 640, height: 400 }, ...options });
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(server.url + query);
    await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
    return { page, problems };
  };
  // The scenario's description as caption, or the author's own words.
  let { page, problems } = await open('?algo=raft&scenario=leader-crash&embed=1&caption=1');
  assert.match(await page.locator('.embed-caption').textContent(), /.{20,}/);
  const described = await page.locator('.embed-caption').textContent();
  await page.goto(server.url + '?algo=raft&embed=1&caption=Watch%20n1%20lose%20its%20lease');
  await page.locator('[data-node-id="1"]').waitFor();
  assert.equal(await page.locator('.embed-caption').textContent(), 'Watch n1 lose its lease');
  console.log(`caption=1 shows: ${described}`);
  // A description longer than two lines ends in an ellipsis, and a tap or Tab shows
  // all of it (zk-herd's is three lines at 640 px).
  await page.goto(server.url + '?scenario=zk-herd&embed=1&caption=1');
  await page.locator('[data-node-id="1"]').waitFor();
  const caption = page.locator('.embed-caption');
  const box = () => caption.evaluate((e) => ({
    lines: Math.round(e.clientHeight / parseFloat(getComputedStyle(e).lineHeight)),
    hidden: e.scrollHeight - e.clientHeight, px: parseFloat(getComputedStyle(e).fontSize),
  }));
  const clamped = await box();
  assert.equal(clamped.lines, 2, 'two lines while not read');
  assert.ok(clamped.hidden > 10, `the rest is hidden (${clamped.hidden} px)`);
  assert.ok(clamped.px >= 11, `caption text ${clamped.px} px`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'embed-caption');
  const read = await box();
  assert.ok(read.hidden <= 0 && read.lines >= 3, `all of it shows once focused: ${JSON.stringify(read)}`);
  await page.locator('#play').focus();
  assert.equal((await box()).lines, 2, 'two lines again once focus moves on');
  // A scrubber moves time.
  await page.goto(server.url + '?algo=raft&nodes=5&seed=7&duration=4s&embed=1&scrubber=1');
  await page.locator('#timeline').fill('2000000');
  await page.waitForFunction(() => document.querySelector('.embed-bar .clock').textContent.startsWith('2s'));
  assert.equal(await page.locator('.embed-bar .clock').textContent(), '2s / 4s');
  // It stops at the end of its duration and says so...
  await page.goto(server.url + '?algo=raft&nodes=5&seed=7&duration=1s&speed=1&autoplay=1&embed=1');
  await page.locator('#play[aria-label="Play"]').waitFor({ timeout: 10000 });
  assert.equal(await page.locator('.embed-bar .clock').textContent(), '1s / 1s');
  assert.match(await page.locator('.embed-line').textContent(), /^The end \(1s\)/);
  // ...or, with loop=1, starts again.
  await page.goto(server.url + '?algo=raft&nodes=5&seed=7&duration=500ms&speed=1&autoplay=1&embed=1&loop=1');
  await page.waitForFunction(() => parseFloat(document.querySelector('.embed-bar .clock').textContent) >= 300, null, { timeout: 10000 });
  await page.waitForFunction(() => parseFloat(document.querySelector('.embed-bar .clock').textContent) < 200, null, { timeout: 10000 });
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Pause', 'still playing after the loop');
  assert.deepEqual(problems, []);
  await page.close();
  // The theme the link names wins over the reader's system setting.
  ({ page } = await open('?algo=raft&embed=1&theme=dark', { colorScheme: 'light' }));
  const dark = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await page.close();
  ({ page } = await open('?algo=raft&embed=1&theme=light', { colorScheme: 'dark' }));
  const light = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await page.goto(server.url + '?algo=raft&embed=1&theme=purple');
  await page.locator('[data-node-id="1"]').waitFor();
  assert.match(await page.locator('.notice').textContent(), /theme: 'purple' is not light or dark/);
  await page.close();
  const lum = (c) => c.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b, 0) / 3;
  console.log(`theme=dark on a light system: ${dark}; theme=light on a dark system: ${light}`);
  assert.ok(lum(dark) < 60, `theme=dark is dark (${dark})`);
  assert.ok(lum(light) > 200, `theme=light is light (${light})`);
});

test('an embed plays only while it is on screen in its host page', async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  await page.setContent(`<body style="margin:0"><h1>Docs</h1><div style="height:2000px">Reading...</div>
    <iframe id="demo" src="${server.url}?algo=raft&nodes=5&seed=7&speed=1&autoplay=1&embed=1" width="640" height="400"></iframe>
    <div style="height:2000px"></div></body>`);
  const frame = await (await page.locator('#demo').elementHandle()).contentFrame();
  await frame.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  const clock = () => frame.locator('.embed-bar .clock').textContent();
  await page.waitForTimeout(1500);
  assert.match(await clock(), /^0s \//, 'out of view, it waits');
  await page.locator('#demo').scrollIntoViewIfNeeded();
  await frame.waitForFunction(() => !document.querySelector('.embed-bar .clock').textContent.startsWith('0s'), null, { timeout: 10000 });
  // Scrolled away, it pauses where it was.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  const left = await clock();
  await page.waitForTimeout(1000);
  assert.equal(await clock(), left, 'out of view again, it holds still');
  console.log(`embed paused off screen at ${left}`);
  await page.close();
});

test('on a 1920x1080 projector the cluster, playback and network presets share one screen, and presets have keys', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(server.url + '?algo=raft&nodes=5&seed=7&storage=fenced');
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelectorAll('[data-role="leader"]').length === 1, null, { timeout: 15000 });
  await page.keyboard.press('Space');
  const onScreen = async () => page.evaluate(() => ['svg.cluster', '#play', '#timeline', '#isolate-leader', '#minority', '#majority', '#heal']
    .map((sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return [sel, r.top >= 0 && r.bottom <= innerHeight && r.height > 0]; })
    .filter(([, ok]) => !ok).map(([sel]) => sel));
  assert.deepEqual(await onScreen(), [], 'everything a teacher uses is on the first screen');
  const leader = await page.locator('[data-role="leader"]').getAttribute('data-node-id');
  await page.click('#minority');
  assert.equal(await page.evaluate(() => scrollY), 0, 'a preset does not scroll the cluster away');
  assert.deepEqual(await onScreen(), []);
  const state = () => page.locator('.panel[aria-label="Network"] .state').textContent();
  assert.match(await state(), new RegExp(`^Partitioned: (n\\d+,)?n${leader}(,n\\d+)? \\| `), 'the leader is in the two-node minority');
  // The same from the keyboard: H heals, Shift+M puts the leader in a majority, L isolates it.
  await page.keyboard.press('h');
  assert.equal(await state(), 'Fully connected');
  await page.keyboard.press('Shift+M');
  const majority = (await state()).match(/^Partitioned: ([^|]+) \|/)[1].split(',');
  assert.equal(majority.length, 3, `the leader's side is a majority: ${majority}`);
  assert.ok(majority.includes(`n${leader}`));
  await page.keyboard.press('h');
  await page.keyboard.press('m');
  assert.equal((await state()).match(/^Partitioned: ([^|]+) \|/)[1].split(',').length, 2);
  await page.keyboard.press('h');
  await page.keyboard.press('l');
  assert.match(await state(), new RegExp(`n${leader}`));
  assert.match(await page.locator('.narration .lines').textContent(), /isolat|splits/);
  await page.close();
});

test('the space-time diagram zooms in and out and fits the whole run, so a 2 s to 6 s partition fits on screen', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(server.url + '?algo=raft&nodes=5&seed=7&speed=10&scenario=' + encodeURIComponent('at 2s partition n1,n2 | n3,n4,n5\nat 6s heal'));
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  // To 7 s exactly (Shift+→ moves 100 ms): playing and pausing lands wherever a
  // loaded machine lets the click through, and past 8 s the fitted window doubles.
  for (let i = 0; i < 70; i++) await page.keyboard.press('Shift+ArrowRight');
  assert.equal(await page.locator('#timeline').evaluate((e) => Number(e.value)), 7000000);
  const span = () => page.locator('.lamport').evaluate((e) => [Number(e.dataset.start), Number(e.dataset.end)]);
  const [s0, now] = await span();
  assert.equal(now - s0, 1000000, 'a second by default');
  await page.click('#lamport-fit');
  const [start, end] = await span();
  assert.ok(start === 0 && end === 8000000, `the whole run: ${start}..${end} at ${now}`);
  // The partition's start and end both fall in the drawn ticks.
  const ticks = (await page.locator('.lamport-canvas').getAttribute('data-ticks')).split(' ');
  assert.ok(ticks.includes('2s') && ticks.includes('6s'), `ticks ${ticks}`);
  assert.equal(await page.locator('.lamport-range').textContent(), 'Showing 8s');
  await page.click('#lamport-in');
  assert.deepEqual(await span(), [now - 4000000, now], 'zooming in from the whole run halves it');
  await page.click('#lamport-out');
  await page.click('#lamport-out');
  assert.deepEqual(await span(), [0, 16000000]);
  await page.close();
});

test('on a phone the scenario choice is near the top and every word the page uses opens its meaning by tap or key', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  await page.goto(server.url + '?algo=raft&nodes=5&seed=7&storage=fenced&stonith=on');
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  const box = await page.locator('#scenario').boundingBox();
  assert.ok(box.y + box.height < 740 / 3, `the scenario menu is in the top third (at ${box.y})`);
  assert.ok(box.x >= 0 && box.x + box.width <= 360, 'and fits the width');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 360, `nothing is wider than the phone (${scrollWidth})`);
  // Tap the stats strip's TERM: its meaning opens; tap again: it closes.
  const term = page.locator('#stat-term .jargon-word');
  await term.tap();
  const def = page.locator('#stat-term .jargon-def');
  assert.match(await def.textContent(), /election counter/);
  const r = await def.boundingBox();
  assert.ok(r.x >= 0 && r.x + r.width <= 361, `the meaning fits the screen (${r.x}..${r.x + r.width})`);
  await term.tap();
  assert.equal(await def.count(), 0);
  // By keyboard: focus the word, Enter opens, Escape closes.
  await page.locator('#stat-leaderless .jargon-word').focus();
  await page.keyboard.press('Enter');
  assert.match(await page.locator('#stat-leaderless .jargon-def').textContent(), /majority follows/);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#stat-leaderless .jargon-def').count(), 0);
  // Every word the issue names is explained in the legend's word list or the help.
  await page.locator('.legend').scrollIntoViewIfNeeded();
  for (const word of ['quorum', 'fencing token', 'STONITH']) {
    await page.locator('.legend .jargon-word', { hasText: word }).tap();
    assert.ok((await page.locator('.legend .jargon-def').last().textContent()).length > 40, word);
    await page.locator('.legend .jargon-word', { hasText: word }).tap();
  }
  await page.click('#help');
  const glossary = await page.locator('.glossary dt').allTextContents();
  for (const word of ['term', 'quorum', 'fencing token', 'lease', 'epoch', 'ballot', 'znode', 'STONITH']) {
    assert.ok(glossary.includes(word), `help explains ${word}`);
  }
  await page.close();
});

// 25 nodes with about 240 messages in flight once the first election is over.
const BUSY_WIRE = '?algo=raft&nodes=25&seed=1&latency=100-150ms&heartbeat=25ms&election-timeout=1-2s&speed=1';

// A 1440x1000 page of `query`, played for `ms` of wall time and still playing.
async function playing(query, ms) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(server.url + query);
  await page.locator('[data-node-id="1"]').waitFor();
  await page.click('#play');
  await page.waitForTimeout(ms);
  return page;
}

// Pixels whose colour differs clearly (over 40 in summed RGB) between two same-size
// screenshots.
function pixelsChanged(a, b) {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]) > 40) n++;
  }
  return n;
}

test('the space-time diagram\'s now line is painted where the arrows end, also in the first second', async () => {
  const page = await playing('?algo=raft&nodes=5&seed=7&speed=1', 400);
  await page.click('#play');
  await page.waitForTimeout(300);
  const [start, end, now] = await page.locator('.lamport').evaluate((e) => [e.dataset.start, e.dataset.end, e.dataset.now].map(Number));
  assert.ok(now > 0 && now < end, `paused inside the first window (${now} of ${end} µs)`);
  const accent = await page.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--accent)';
    document.body.append(probe);
    const rgb = getComputedStyle(probe).color.match(/\d+/g).map(Number);
    probe.remove();
    return rgb;
  });
  const clip = await page.locator('.lamport-canvas').boundingBox();
  const png = pngPixels(await page.screenshot({ clip }));
  // The columns where most of the height is the accent colour: the now line.
  const columns = [];
  for (let x = 0; x < png.width; x++) {
    let hits = 0;
    for (let y = 0; y < png.height; y++) {
      const i = (y * png.width + x) * 4;
      if (Math.abs(png.data[i] - accent[0]) + Math.abs(png.data[i + 1] - accent[1]) + Math.abs(png.data[i + 2] - accent[2]) < 60) hits++;
    }
    if (hits > png.height / 2) columns.push(x);
  }
  assert.ok(columns.length > 0 && columns.length <= 6, `one line, a few pixels wide (${columns})`);
  const drawn = columns.reduce((a, b) => a + b, 0) / columns.length / png.width;
  const expected = (now - start) / (end - start);
  assert.ok(Math.abs(drawn - expected) < 0.01, `line at ${drawn.toFixed(3)} of the plot, the instant at ${expected.toFixed(3)}`);
  await page.close();
});

test('the diagram sends its painter a tile only when something in it starts, lands or dies; arrows in flight go with each frame', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // Count what the page posts to the paint worker.
  await page.addInitScript(() => {
    const seen = window.__posted = { frames: 0, tiles: 0, live: 0 };
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (m, ...rest) {
      if (m?.type === 'frame' && m.diagram) {
        seen.frames += 1;
        seen.tiles += (m.messages ?? []).filter((x) => x.type === 'tile').length;
        if (m.diagram.live?.length) seen.live += 1;
      }
      return post.call(this, m, ...rest);
    };
  });
  await page.goto(server.url + '?algo=raft&nodes=5&seed=7&speed=1');
  await page.locator('[data-node-id="1"]').waitFor();
  await page.click('#play');
  await page.waitForTimeout(1500); // past the first election: heartbeats every 50 ms
  await page.evaluate(() => Object.assign(window.__posted, { frames: 0, tiles: 0, live: 0 }));
  await page.waitForTimeout(2000);
  const seen = await page.evaluate(() => ({ ...window.__posted }));
  await page.click('#play');
  assert.ok(seen.frames > 60, `frames kept coming (${seen.frames} in 2 s)`);
  // The newest tile changed with every frame while its arrows grew; now it goes again
  // only when a heartbeat or its reply starts or lands.
  assert.ok(seen.tiles < seen.frames / 3, `${seen.tiles} tiles posted in ${seen.frames} frames`);
  assert.ok(seen.live > 0, `frames carried arrows in flight (${seen.live} of ${seen.frames})`);
  await page.close();
});

test('while playing, frames move the canvases and leave the page alone; the page redraws about twice a second', async () => {
  const page = await playing(BUSY_WIRE, 2500); // past the first election: a steady wire
  const seen = await page.evaluate(() => new Promise((done) => {
    let changed = false;
    new MutationObserver(() => { changed = true; }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    const clock = () => document.querySelector('.clock').textContent;
    const clocks = new Set([clock()]);
    let frames = 0; let touched = 0; const start = performance.now();
    const tick = (t) => {
      frames += 1;
      if (changed) touched += 1;
      changed = false;
      clocks.add(clock());
      if (t - start < 3000) requestAnimationFrame(tick); else done({ frames, touched, clocks: clocks.size });
    };
    requestAnimationFrame(tick);
  }));
  assert.ok(seen.frames > 60, `frames kept coming (${seen.frames} in 3 s)`);
  // Redraws come at most five times a second (frame::REDRAW_MIN_MS), fewer when they cost more.
  assert.ok(seen.touched <= 16, `the DOM changed in ${seen.touched} of ${seen.frames} frames: only with the redraws`);
  assert.ok(seen.clocks >= 4, `the clock moved with the redraws (${seen.clocks} readings in 3 s)`);
  // Between redraws the messages still move: the canvas changes from frame to frame.
  const clip = await page.locator('.msg-layer').boundingBox();
  const a = pngPixels(await page.screenshot({ clip }));
  await page.waitForTimeout(50);
  const b = pngPixels(await page.screenshot({ clip }));
  const moved = pixelsChanged(a, b);
  assert.ok(moved > 1000, `${moved} px of the messages' canvas changed in 50 ms`);
  await page.click('#play');
  await page.close();
});

test('while the picture stays, a redraw renders only what follows the clock: the page itself is not rendered again', async () => {
  // Five nodes past the first election: heartbeats only, so no role, term or log changes.
  const page = await playing('?algo=raft&nodes=5&seed=7&speed=1', 2500);
  const seen = await page.evaluate(() => new Promise((done) => {
    const read = (s) => document.querySelector(s)?.textContent;
    const pages = new Set(); const clocks = new Set(); const times = new Set(); const messages = new Set();
    const start = performance.now();
    const tick = () => {
      pages.add(document.querySelector('.app').dataset.page);
      clocks.add(read('.clock')); times.add(read('#stat-time .value')); messages.add(read('#stat-messages .value'));
      if (performance.now() - start < 3000) requestAnimationFrame(tick);
      else done({ pages: [...pages], clocks: clocks.size, times: times.size, messages: messages.size });
    };
    requestAnimationFrame(tick);
  }));
  assert.ok(seen.pages.every((p) => /^[0-9]+$/.test(p ?? '')), `the page says how often it was rendered (${seen.pages})`);
  assert.ok(seen.pages.length <= 2, `the whole page was rendered ${seen.pages.length - 1} times in 3 s of heartbeats`);
  // What follows the clock still moves with each redraw.
  assert.ok(seen.clocks >= 4, `the clock moved (${seen.clocks} readings)`);
  assert.ok(seen.times >= 4, `the statistics' time moved (${seen.times} readings)`);
  assert.ok(seen.messages >= 3, `the message counts moved (${seen.messages} readings)`);
  // A change of picture still redraws the page: cut the leader off, and the election
  // among the others that follows (while playing, nothing else renders the page).
  await page.keyboard.press('l');
  const cut = Number(await page.locator('.app').getAttribute('data-page'));
  await page.waitForFunction((b) => Number(document.querySelector('.app').dataset.page) > b, cut, { timeout: 5000 });
  await page.click('#play');
  await page.close();
});

test('messages in flight are painted by the paint worker and show on screen', async () => {
  const page = await playing(BUSY_WIRE, 2500);
  await page.click('#play');
  await page.waitForTimeout(300);
  const inflight = Number(await page.locator('.msg-layer').getAttribute('data-inflight'));
  assert.ok(inflight > 100, `a busy wire to draw (${inflight} messages)`);
  const worker = await page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/paint-worker.js')));
  assert.ok(worker, 'the canvas is painted by static/paint-worker.js');
  const clip = await page.locator('.msg-layer').boundingBox();
  const shown = pngPixels(await page.screenshot({ clip }));
  await page.addStyleTag({ content: '.msg-layer { visibility: hidden !important; }' });
  await page.waitForTimeout(100);
  const hidden = pngPixels(await page.screenshot({ clip }));
  const painted = pixelsChanged(shown, hidden);
  // Each dot covers about 250 px at this size; overlapping dots and rings aside, a
  // few hundred messages paint tens of thousands of pixels.
  assert.ok(painted > inflight * 40, `${painted} px painted for ${inflight} messages`);
  await page.close();
});
