// Side by side (`?compare=raft,bully`): a column per algorithm with its own nodes,
// banner and statistics over one clock; what the user does happens in every column;
// a row says what differs; it fits a 640x400 embed and a phone; a lesson uses it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, cli } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const columns = (page) => page.evaluate(() => [...document.querySelectorAll('[data-column]')].map((c) => ({
  algo: c.dataset.column,
  nodes: [...c.querySelectorAll('svg.cluster [data-node-id]')].map((n) => `${n.dataset.nodeId}:${n.dataset.role}`),
  monitor: c.querySelector('.monitor')?.dataset.state,
})));

async function forward(page, times) {
  for (let i = 0; i < times; i++) await page.keyboard.press('Shift+ArrowRight');
}

test('two algorithms run side by side on one fault schedule and the differences are stated', async () => {
  const { page, problems } = await openPage(browser, server.url, '?compare=raft,bully&nodes=5&seed=4&scenario=bully-partition');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.locator('[data-column="bully"] [data-node-id="5"]').waitFor();
  let cols = await columns(page);
  assert.deepEqual(cols.map((c) => c.algo), ['raft', 'bully']);
  assert.ok(cols.every((c) => c.nodes.length === 5), 'each column draws its own five nodes');
  assert.equal(await page.locator('#timeline').count(), 1, 'one clock, one time slider');
  assert.match(await page.locator('#compare-diff').textContent(), /No difference yet/);
  // Past the partition (1s) and well into it.
  await forward(page, 30);
  const t = Number(await page.locator('#timeline').inputValue());
  assert.ok(t >= 2500000, `at ${t}us`);
  cols = await columns(page);
  assert.equal(cols[1].monitor, 'warning', 'Bully\'s banner reports split brain (by design: no quorum)');
  const row = (label) => page.locator(`#compare-diff tr[data-row="${label}"] td`).allTextContents();
  assert.equal((await row('most leaders at once'))[1], '2');
  const sent = await row('messages sent');
  assert.ok(sent.every((v) => Number(v) > 0) && sent[0] !== sent[1], sent.join());
  // The CLI gives each column's run the same counts (the same settings, one algorithm each).
  for (const [i, algo] of ['raft', 'bully'].entries()) {
    const summary = JSON.parse(cli(['run', '--algo', algo, '--nodes', '5', '--seed', '4', '--scenario', 'bully-partition', '--duration', `${t}us`, '--json']));
    assert.equal(Number(sent[i]), summary.messages_sent, `${algo}'s messages`);
  }
  assert.match(await page.locator('#compare-diff .diff-lines').textContent(), /Bully had a leader first, at the start \(Raft at \d+ms\)\./);
  // A crash of n2 (select it, press c) happens in both columns.
  await page.keyboard.press('2');
  await page.keyboard.press('c');
  cols = await columns(page);
  assert.ok(cols.every((c) => c.nodes.includes('2:crashed')), JSON.stringify(cols));
  // The link keeps the comparison; the page can go back to one algorithm.
  await page.waitForFunction(() => location.search.includes('compare=raft,bully'));
  await page.click('#compare-off');
  await page.waitForFunction(() => document.querySelectorAll('[data-column]').length === 0);
  assert.equal(await page.locator('svg.cluster [data-node-id]').count(), 5);
  // And add a column from the menu: it catches up with the run's instant and actions.
  const now = Number(await page.locator('#timeline').inputValue());
  await page.selectOption('#compare-add', 'zab');
  await page.locator('[data-column="zab"] [data-node-id="5"]').waitFor();
  assert.equal(Number(await page.locator('#timeline').inputValue()), now);
  assert.ok((await columns(page))[1].nodes.includes('2:crashed'), 'the added column replayed the crash');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad compare list says why and shows one algorithm', async () => {
  const { page, problems } = await openPage(browser, server.url, '?compare=raft,<b>nope</b>&seed=2');
  await page.locator('[data-node-id="1"]').waitFor();
  assert.match(await page.locator('.notice').first().textContent(), /compare: unknown algorithm '<b>nope<\/b>'.*; showing one algorithm/);
  assert.equal(await page.locator('[data-column]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

for (const [label, size, query] of [
  ['a 640x400 embed', { width: 640, height: 400 }, '&embed=1'],
  ['a 360x740 phone', { width: 360, height: 740 }, ''],
]) {
  test(`two columns are readable in ${label}`, async () => {
    const { page, problems } = await openPage(browser, server.url, `?compare=raft,bully&nodes=5&seed=3${query}`);
    await page.setViewportSize(size);
    await page.locator('[data-column="bully"] [data-node-id="5"]').waitFor();
    await forward(page, 5);
    const measured = await page.evaluate(() => [...document.querySelectorAll('[data-column]')].map((c) => {
      const svg = c.querySelector('svg.cluster');
      const box = svg.getBoundingClientRect();
      const texts = [...svg.querySelectorAll('text')].filter((t) => t.getBBox().width > 0 && getComputedStyle(t).display !== 'none');
      return {
        box: { x: box.x, y: box.y, w: box.width, h: box.height },
        smallest: Math.min(...texts.map((t) => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize))),
        names: texts.filter((t) => /^n\d$/.test(t.textContent.trim())).length,
      };
    }));
    assert.equal(measured.length, 2);
    for (const m of measured) {
      assert.ok(m.smallest >= 11, `smallest text ${m.smallest.toFixed(1)}px`);
      assert.ok(m.box.w > 100 && m.box.h > 100, `drawing ${m.box.w}x${m.box.h}`);
      assert.ok(m.box.x >= 0 && m.box.x + m.box.w <= size.width + 1, 'within the width');
      assert.equal(m.names, 5, 'every node is named');
    }
    if (query) {
      // The embed: side by side, both whole on screen.
      assert.ok(measured[1].box.x >= measured[0].box.x + measured[0].box.w - 1, 'side by side');
      for (const m of measured) assert.ok(m.box.y + m.box.h <= size.height + 1, 'within the height');
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('the Bully-against-Raft lesson runs both columns and asks about each', async () => {
  const { page, problems } = await openPage(browser, server.url, '?lesson=bully-vs-raft&seed=6');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-column="raft"] [data-node-id="5"]').waitFor();
  assert.deepEqual((await columns(page)).map((c) => c.algo), ['bully', 'raft']);
  const expected = JSON.parse(cli(['run', '--lesson', 'bully-vs-raft', '--seed', '6', '--json']));
  // Through the opening caption to the first question; both questions at 2s are
  // asked before the run plays on to decide them.
  await page.locator('#lesson-caption[data-checkpoint="0"]').waitFor();
  await page.click('#lesson-continue');
  await page.locator('#lesson-caption[data-checkpoint="1"]').waitFor({ timeout: 30000 });
  await page.click(`.choice[data-choice="${expected[1].question.answer}"]`);
  await page.locator('#lesson-caption[data-checkpoint="2"]').waitFor();
  assert.equal(Number(await page.locator('#timeline').inputValue()), 2000000, 'still at the instant both are asked');
  assert.match(await page.locator('.lesson-on').textContent(), /Watch the Raft column/);
  assert.equal(expected[2].on, 'Raft');
  assert.equal(expected[2].question.answer, 'no');
  await page.click('.choice[data-choice="no"]');
  // Each answer is then shown where the run decides it: Bully's first, then Raft's.
  await page.locator('#lesson-caption[data-checkpoint="1"] ~ * .verdict.right, .verdict.right').first().waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#lesson-caption').getAttribute('data-checkpoint'), '1');
  assert.equal(Number(await page.locator('#timeline').inputValue()), expected[1].question.decided_at);
  await page.click('#lesson-continue');
  await page.locator('#lesson-caption[data-checkpoint="2"]').waitFor({ timeout: 30000 });
  await page.locator('.verdict.right').waitFor({ timeout: 30000 });
  assert.equal(Number(await page.locator('#timeline').inputValue()), expected[2].question.decided_at);
  assert.deepEqual(problems, []);
  await page.close();
});
