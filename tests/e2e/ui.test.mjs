// The visualizer used as a teacher would: through its buttons and keyboard, in real
// headless Chromium. Screenshots of the main states go to tests/e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serveDist, launch, openPage, pngPixels, ROOT } from './harness.mjs';

const ART = join(ROOT, 'tests', 'e2e', 'artifacts');
let server; let browser;
before(async () => { await mkdir(ART, { recursive: true }); server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const shot = (page, name) => page.screenshot({ path: join(ART, `${name}.png`), fullPage: true });

async function open(query, viewport = { width: 1400, height: 1000 }) {
  const { page, problems } = await openPage(browser, server.url, query);
  await page.setViewportSize(viewport);
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  return { page, problems };
}

const roles = (page) => page.locator('[data-node-id]').evaluateAll((els) =>
  els.map((e) => ({ id: +e.dataset.nodeId, role: e.dataset.role, term: +e.dataset.term })));

const leaders = async (page) => (await roles(page)).filter((n) => n.role === 'leader');

async function playUntil(page, predicate, arg, timeout = 15000) {
  if ((await page.locator('#play').getAttribute('aria-label')) === 'Play') await page.click('#play');
  await page.waitForFunction(predicate, arg, { timeout });
  if ((await page.locator('#play').getAttribute('aria-label')) === 'Pause') await page.click('#play');
}

const oneLeaderIn = (ids) => {
  const ls = [...document.querySelectorAll('[data-node-id]')].filter((e) => e.dataset.role === 'leader' && (!ids || ids.includes(+e.dataset.nodeId)));
  return ls.length === 1;
};

test('the page loads with no console error and draws the cluster', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=7&duration=10s');
  assert.equal(await page.locator('[data-node-id]').count(), 5);
  assert.equal(await page.locator('#monitor').getAttribute('data-state'), 'ok');
  assert.match(await page.locator('#trace-hash').textContent(), /^[0-9a-f]{16}$/);
  await shot(page, '01-start');
  assert.deepEqual(problems, []);
  await page.close();
});

test('crashing the leader through the UI leads to a new leader', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=7&speed=1');
  await playUntil(page, oneLeaderIn, null);
  const [old] = await leaders(page);
  await page.click(`[data-node-id="${old.id}"]`);
  await page.click('#act-crash');
  assert.equal(await page.locator(`[data-node-id="${old.id}"]`).getAttribute('data-role'), 'crashed');
  await playUntil(page, (id) => [...document.querySelectorAll('[data-node-id]')].some((e) => e.dataset.role === 'leader' && +e.dataset.nodeId !== id), old.id);
  const [now] = await leaders(page);
  assert.notEqual(now.id, old.id);
  assert.ok(now.term > old.term, `new term ${now.term} > ${old.term}`);
  const narration = await page.locator('.narration .lines').textContent();
  assert.match(narration, new RegExp(`n${old.id} crashes`));
  assert.match(narration, new RegExp(`n${now.id} wins term ${now.term}`));
  await shot(page, '02-new-leader-after-crash');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a minority partition cannot elect a leader while the majority can; healing converges', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=11&speed=1');
  await playUntil(page, oneLeaderIn, null);
  const [first] = await leaders(page);
  // Build the partition with the UI: pick n1 and n2, split them from the rest.
  await page.click('.panel[aria-label="Network"] .chip >> text=n1');
  await page.click('.panel[aria-label="Network"] .chip >> text=n2');
  await page.click('#split');
  assert.match(await page.locator('.panel[aria-label="Network"] .state').textContent(), /n1,n2 \| n3,n4,n5/);
  await page.click('#play');
  await page.waitForTimeout(3000);
  await page.click('#play');
  const after = await roles(page);
  const minority = after.filter((n) => n.id <= 2);
  const majority = after.filter((n) => n.id > 2);
  assert.equal(majority.filter((n) => n.role === 'leader').length, 1, JSON.stringify(after));
  for (const n of minority.filter((n) => n.role === 'leader')) {
    assert.equal(n.term, first.term, 'a minority leader can only be the stale one from before');
  }
  assert.ok(minority.every((n) => n.role !== 'leader' || n.id === first.id));
  await shot(page, '03-minority-partition');
  await page.click('#heal');
  await playUntil(page, () => {
    const els = [...document.querySelectorAll('[data-node-id]')];
    const ls = els.filter((e) => e.dataset.role === 'leader');
    return ls.length === 1 && els.every((e) => e.dataset.term === ls[0].dataset.term);
  }, null);
  assert.equal((await leaders(page)).length, 1);
  assert.equal(await page.locator('#monitor').getAttribute('data-state'), 'ok');
  await shot(page, '04-healed');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a stale leader is shown by the monitor banner', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=7&scenario=leader-partition&speed=1');
  await page.locator('#timeline').evaluate((el) => { el.max = '3000000'; });
  await page.locator('#timeline').fill('3000000');
  await page.waitForFunction(() => document.querySelector('#monitor').dataset.state === 'warning');
  const text = await page.locator('#monitor').textContent();
  assert.match(text, /both believe they lead/);
  assert.match(text, /cannot commit/);
  assert.equal(await page.locator('.node.alarm').count(), 2);
  await shot(page, '05-stale-leader');
  assert.deepEqual(problems, []);
  await page.close();
});

test('scrubbing back and replaying reproduces the same node states', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=21&speed=1');
  await playUntil(page, oneLeaderIn, null);
  const [l] = await leaders(page);
  await page.click(`[data-node-id="${l.id}"]`);
  await page.click('#act-crash');
  await page.click('#play');
  await page.waitForTimeout(1500);
  await page.click('#play');
  const t = await page.locator('#timeline').inputValue();
  const before = { roles: await roles(page), stats: await page.locator('.stats').textContent() };
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('#timeline').value === '0');
  const atStart = await roles(page);
  assert.ok(atStart.every((n) => n.role !== 'crashed'), 'at t=0 nobody has crashed yet');
  await page.locator('#timeline').fill(t);
  await page.waitForFunction((v) => document.querySelector('#timeline').value === v, t);
  assert.deepEqual(await roles(page), before.roles);
  assert.equal(await page.locator('.stats').textContent(), before.stats);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the space-time diagram is painted and slides left as time passes; clicking or scrolling it moves the timeline', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=7&speed=1');
  await page.click('#play');
  await page.waitForTimeout(2500);
  await page.click('#play');
  await page.locator('.lamport-plot').scrollIntoViewIfNeeded();
  const canvas = page.locator('.lamport-canvas');
  assert.ok(Number(await canvas.getAttribute('data-arrows')) > 3, 'arrows are drawn');
  // What a person sees: how much ink each pixel column of the plot gains from the
  // canvas (against the lanes alone), before and after 100 ms (a tenth of the window).
  const clip = await canvas.boundingBox();
  const shoot = async () => pngPixels(await page.screenshot({ clip }));
  await page.addStyleTag({ content: '.lamport-canvas.off { visibility: hidden; }' });
  await canvas.evaluate((e) => e.classList.add('off'));
  const lanes = await shoot();
  await canvas.evaluate((e) => e.classList.remove('off'));
  const columns = async () => {
    await page.waitForTimeout(150); // the worker paints after the frame
    const { data, width, height } = await shoot();
    const ink = new Array(width).fill(0);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      for (let k = 0; k < 3; k++) ink[x] += Math.max(0, lanes.data[i + k] - data[i + k]);
    }
    return ink;
  };
  const before = await columns();
  const inked = before.filter((v) => v > 1000).length;
  assert.ok(inked > clip.width / 10, `arrows cover the plot: ${inked} of ${Math.round(clip.width)} columns`);
  await page.keyboard.press('Shift+ArrowRight');
  const after = await columns();
  // The best match of the new picture against the old one is the old one moved left.
  let best = { shift: 0, err: Infinity };
  for (let shift = 0; shift < clip.width / 4; shift++) {
    let err = 0;
    for (let x = 0; x + shift < before.length - 4; x++) err += Math.abs(after[x] - before[x + shift]);
    if (err < best.err) best = { shift, err };
  }
  const slide = Math.round(clip.width / 10);
  assert.ok(Math.abs(best.shift - slide) <= 3, `slid ${best.shift} px, expected about ${slide}`);
  // Clicking the middle of the diagram jumps to the instant drawn there (the plot spans
  // x 44..992 of 1000 units over the last second).
  const now = Number(await page.locator('#timeline').inputValue());
  await page.locator('.lamport-plot').scrollIntoViewIfNeeded();
  const box = await page.locator('.lamport-plot > svg').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const expected = now - 1e6 + ((500 - 44) / 948) * 1e6;
  await page.waitForFunction((v) => Number(document.querySelector('#timeline').value) !== v, now);
  const clicked = Number(await page.locator('#timeline').inputValue());
  assert.ok(Math.abs(clicked - expected) < 20000, `clicked to ${clicked}, expected about ${expected}`);
  // Scrolling up over it moves back in time.
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForFunction((v) => Number(document.querySelector('#timeline').value) < v, clicked);
  const scrolled = Number(await page.locator('#timeline').inputValue());
  assert.ok(Math.abs(clicked - scrolled - 100000) < 5000, `scrolled from ${clicked} to ${scrolled}`);
  await shot(page, '10-space-time');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the wheel over the space-time diagram scrolls the page unless the diagram has focus or Shift is held', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=3');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#timeline').value) > 1.5e6, null, { timeout: 20000 });
  await page.click('#play');
  const plot = page.locator('.lamport-plot');
  await plot.scrollIntoViewIfNeeded();
  const box = await plot.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const time = () => page.locator('#timeline').inputValue();
  const before = { y: await page.evaluate(() => window.scrollY), t: await time() };
  await page.mouse.wheel(0, 200);
  await page.waitForFunction((y) => window.scrollY !== y, before.y);
  assert.equal(await time(), before.t, 'an unfocused diagram leaves time alone');
  // Shift + wheel moves time and leaves the page where it is.
  const box2 = await plot.boundingBox();
  await page.mouse.move(box2.x + box2.width / 2, box2.y + box2.height / 2);
  const y = await page.evaluate(() => window.scrollY);
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, -400);
  await page.keyboard.up('Shift');
  await page.waitForFunction((t) => document.querySelector('#timeline').value !== t, before.t);
  assert.ok(Number(await time()) < Number(before.t), 'Shift + wheel up goes back in time');
  assert.equal(await page.evaluate(() => window.scrollY), y, 'and does not scroll the page');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a clicked node shows no focus ring; a node reached by keyboard does', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=1');
  await page.click('[data-node-id="1"]');
  const focus = () => page.evaluate(() => {
    const a = document.activeElement;
    return { node: a.dataset.nodeId ?? null, outline: getComputedStyle(a).outlineStyle };
  });
  const clicked = await focus();
  assert.equal(clicked.node, '1', 'the click focuses the node');
  assert.equal(clicked.outline, 'none', 'no ring after a click');
  await page.keyboard.press('Tab');
  const tabbed = await focus();
  assert.ok(tabbed.node, `Tab moves to a node, not ${JSON.stringify(tabbed)}`);
  assert.equal(tabbed.outline, 'solid', 'the keyboard focus ring shows');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the URL holds the run and reproduces it', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=5');
  await page.check('#prevote');
  await page.selectOption('#scenario', 'split-vote');
  await page.waitForFunction(() => location.search.includes('scenario=split-vote') && location.search.includes('prevote=on'));
  await page.selectOption('#speed', '7');
  const url = page.url();
  assert.match(url, /seed=5/);
  assert.match(url, /speed=2/);
  const fingerprint = await page.locator('#trace-hash').textContent();
  const nodes = await page.locator('[data-node-id]').count();
  assert.equal(nodes, 4, 'the split-vote scenario sets 4 nodes');
  const again = await openPage(browser, url.slice(0, url.indexOf('?')), url.slice(url.indexOf('?')));
  await again.page.locator('[data-node-id="1"]').waitFor();
  assert.equal(await again.page.locator('#trace-hash').textContent(), fingerprint);
  assert.equal(await again.page.isChecked('#prevote'), true);
  assert.equal(await again.page.locator('#speed').inputValue(), '7');
  assert.equal(await again.page.locator('[data-node-id]').count(), 4);
  assert.deepEqual([...problems, ...again.problems], []);
  await page.close(); await again.page.close();
});

test('embed mode renders legibly in a 640x400 frame', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=3&embed=1&autoplay=1&speed=1', { width: 640, height: 400 });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-node-id]')].some((e) => e.dataset.role === 'leader'), null, { timeout: 15000 });
  assert.equal(await page.locator('.panels').count(), 0, 'no settings panels in embed mode');
  assert.ok(await page.locator('#play').isVisible());
  // The embed's icon buttons have names a screen reader can say.
  assert.equal(await page.getByRole('button', { name: 'Pause', exact: true }).count(), 1, 'playing: a Pause button');
  await page.click('#play');
  assert.equal(await page.getByRole('button', { name: 'Play', exact: true }).count(), 1, 'paused: a Play button');
  assert.ok(await page.locator('#monitor').isVisible());
  const overflow = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
  assert.ok(overflow <= 0, `embed page overflows its frame by ${overflow}px`);
  const box = await page.locator('svg.cluster').boundingBox();
  assert.ok(box.height > 200, `cluster is ${box.height}px tall`);
  // The frame's width is the drawing's: the stage and the banner span it.
  for (const part of ['.stage', '#monitor']) {
    const { width } = await page.locator(part).boundingBox();
    assert.ok(width >= 600, `${part} is ${width}px wide in a 640px frame`);
  }
  await shot(page, '06-embed');
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard shortcuts drive playback and the help overlay lists them', async () => {
  const { page, problems } = await open('?algo=raft&nodes=3&seed=2');
  await page.keyboard.press('?');
  await page.locator('[role=dialog]').waitFor();
  assert.match(await page.locator('[role=dialog]').textContent(), /play \/ pause/);
  await shot(page, '07-help');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[role=dialog]').count(), 0);
  const lines = () => page.locator('.narration .lines li').count();
  const before = await lines();
  await page.keyboard.press('ArrowRight');
  assert.ok(await lines() > before, 'each step shows something happen');
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
  assert.notEqual(await page.locator('#timeline').inputValue(), '0', 'steps move time on to the next events');
  await page.keyboard.press(' ');
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Pause');
  await page.keyboard.press(' ');
  assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Play');
  await page.keyboard.press('2');
  assert.equal(await page.locator('.node-panel h2').textContent().then((t) => t.startsWith('Node n2')), true);
  await page.keyboard.press('c');
  assert.equal(await page.locator('[data-node-id="2"]').getAttribute('data-role'), 'crashed');
  assert.deepEqual(problems, []);
  await page.close();
});

test('narrow phone and dark projector layouts render without errors', async () => {
  for (const [name, viewport, scheme] of [['08-phone', { width: 360, height: 740 }, 'light'], ['09-projector-dark', { width: 1920, height: 1080 }, 'dark']]) {
    const { page, problems } = await openPage(browser, server.url, '?algo=raft&nodes=9&seed=4&scenario=minority-partition');
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize(viewport);
    await page.locator('[data-node-id="9"]').waitFor();
    await page.locator('#timeline').evaluate((el) => { el.max = '2500000'; });
    await page.locator('#timeline').fill('2500000');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `${name}: page is ${width}px wide in a ${viewport.width}px viewport`);
    await shot(page, name);
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('in crowded clusters the node captions do not overlap each other or leave the drawing', async () => {
  for (const [algo, nodes] of [['raft', 25], ['raft', 15], ['paxos', 25]]) {
    const { page, problems } = await open(`?algo=${algo}&nodes=${nodes}&seed=1&speed=1`, { width: 1920, height: 1080 });
    await playUntil(page, oneLeaderIn, null, 20000);
    // A caption may be two text lines: its box is their union, one per node.
    const boxes = await page.locator('.node').evaluateAll((nodes) => nodes.map((n) => {
      const lines = [...n.querySelectorAll('.term')].filter((e) => e.textContent);
      if (!lines.length) return null;
      const bs = lines.map((e) => e.getBoundingClientRect());
      return { x: Math.min(...bs.map((b) => b.x)), y: Math.min(...bs.map((b) => b.y)), r: Math.max(...bs.map((b) => b.right)), b: Math.max(...bs.map((b) => b.bottom)), text: lines.map((e) => e.textContent).join(' / ') };
    }).filter(Boolean));
    const area = await page.locator('.cluster-wrap svg').first().boundingBox();
    assert.ok(boxes.length >= nodes, `${algo} ${nodes}: ${boxes.length} captions`);
    for (const [i, a] of boxes.entries()) {
      assert.ok(a.x >= area.x - 1 && a.r <= area.x + area.width + 1 && a.y >= area.y - 1 && a.b <= area.y + area.height + 1, `${algo} ${nodes}: "${a.text}" leaves the drawing`);
      for (const c of boxes.slice(i + 1)) {
        const overlap = Math.min(a.r, c.r) - Math.max(a.x, c.x) > 1 && Math.min(a.b, c.b) - Math.max(a.y, c.y) > 1;
        assert.ok(!overlap, `${algo} ${nodes}: "${a.text}" overlaps "${c.text}"`);
      }
    }
    if (nodes === 25 && algo === 'raft') await page.locator('.stage').screenshot({ path: join(ART, '11-twenty-five-nodes.png') });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('a hidden tab runs no animation loop: the virtual clock stops until it is visible again', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=7&speed=1');
  await page.click('#play');
  await page.waitForTimeout(500);
  const clock = () => page.locator('.clock').first().textContent();
  const hide = (hidden) => page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await hide(true);
  await page.waitForTimeout(200);
  const frozen = await clock();
  await page.waitForTimeout(1000);
  assert.equal(await clock(), frozen, 'the clock moved while the tab was hidden');
  await hide(false);
  await page.waitForFunction((t) => document.querySelector('.clock').textContent !== t, frozen, { timeout: 5000 });
  assert.deepEqual(problems, []);
  await page.close();
});
