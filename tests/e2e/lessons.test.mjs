// Lessons in the page (`?lesson=NAME`): the run pauses at each checkpoint with its
// caption, asks for a prediction, plays to the instant that decides it and says who
// was right. Answers are computed by the run, so two seeds can disagree: the page must
// give the same answers as `electionscope run --lesson NAME --json`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, cli } from './harness.mjs';

let server; let browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const now = (page) => page.locator('#timeline').evaluate((e) => Number(e.value));
const resolved = (name, seed) => JSON.parse(cli(['run', '--lesson', name, '--seed', String(seed), '--json']));

// Seeds whose split-vote question has different answers, found from the CLI.
function twoSeedsThatDisagree() {
  const bySeed = new Map();
  for (let seed = 1; seed < 40; seed++) {
    const answer = resolved('split-vote', seed).find((c) => c.question)?.question.answer;
    for (const [other, a] of bySeed) if (a !== answer) return [other, seed];
    bySeed.set(seed, answer);
  }
  throw new Error('every seed gave the same answer');
}

test('a lesson pauses at its checkpoints and checks a prediction against the run; two seeds, two answers', async () => {
  const seeds = twoSeedsThatDisagree();
  const answers = [];
  for (const seed of seeds) {
    const expected = resolved('split-vote', seed);
    const asked = expected.findIndex((c) => c.question);
    const { page, problems } = await openPage(browser, server.url, `?lesson=split-vote&seed=${seed}`);
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.locator('[data-node-id="1"]').waitFor();
    assert.match(await page.locator('.lesson-title').textContent(), /Split votes/);
    await page.click('#lesson-continue'); // Start
    for (let i = 0; i <= asked; i++) {
      if (i > 0) await page.click('#lesson-continue');
      await page.locator(`#lesson-caption[data-checkpoint="${i}"]`).waitFor({ timeout: 20000 });
      assert.equal(await now(page), expected[i].at, `checkpoint ${i} pauses exactly at its instant`);
      assert.equal(await page.locator('#play').getAttribute('aria-label'), 'Play', 'and the run is paused');
    }
    // Every checkpoint is marked on the time slider.
    assert.equal(await page.locator('.checkpoint-mark[data-checkpoint]').count(), expected.length);
    const q = expected[asked].question;
    assert.deepEqual(await page.locator('.choice').allTextContents(), q.choices);
    assert.ok(await page.locator('#lesson-continue').isDisabled(), 'a question waits for a prediction');
    const wrong = q.choices.find((c) => c !== q.answer);
    await page.click(`.choice[data-choice="${wrong}"]`);
    const verdict = page.locator('.verdict');
    await verdict.waitFor({ timeout: 20000 });
    assert.equal(await now(page), q.decided_at, 'the page plays to the instant that decides it');
    assert.equal(await verdict.getAttribute('data-answer'), q.answer);
    assert.match(await verdict.getAttribute('class'), /wrong/);
    assert.match(await verdict.textContent(), new RegExp(q.because));
    assert.equal(await page.locator('.choice.right').textContent(), q.answer, 'the right answer is highlighted');
    answers.push(q.answer);
    assert.deepEqual(problems, []);
    await page.close();
  }
  assert.notEqual(answers[0], answers[1], `seeds ${seeds} give different answers`);
});

test('a right prediction is called right, and the link holds the lesson and its seed', async () => {
  const expected = resolved('fencing-tokens', 3);
  const asked = expected.findIndex((c) => c.question);
  const { page, problems } = await openPage(browser, server.url, '?lesson=fencing-tokens&seed=3&speed=1');
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor();
  await page.click('#lesson-continue');
  for (let i = 0; i <= asked; i++) {
    if (i > 0) await page.click('#lesson-continue');
    await page.locator(`#lesson-caption[data-checkpoint="${i}"]`).waitFor({ timeout: 20000 });
  }
  await page.click(`.choice[data-choice="${expected[asked].question.answer}"]`);
  await page.locator('.verdict.right').waitFor({ timeout: 20000 });
  // A new seed keeps the lesson (answers computed again) and the address says so.
  await page.click('#new-seed');
  await page.waitForFunction(() => location.search.includes('lesson=fencing-tokens'));
  const search = await page.evaluate(() => location.search);
  assert.match(search, /^\?lesson=fencing-tokens&seed=\d+/);
  assert.doesNotMatch(search, /scenario=/, 'the lesson stands for its scenario');
  assert.equal(await page.locator('.lesson-step').textContent(), `checkpoint 0 of ${expected.length}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('an unknown lesson is named in a notice and the page runs on', async () => {
  const { page, problems } = await openPage(browser, server.url, '?lesson=<script>nope');
  await page.locator('[data-node-id="1"]').waitFor();
  const notice = await page.locator('.notice').textContent();
  assert.match(notice, /no lesson '<script>nope'; the lessons are raft-majority/);
  assert.equal(await page.locator('.lesson').count(), 0);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#timeline').value) > 0);
  assert.deepEqual(problems, []);
  await page.close();
});

for (const [name, query, viewport] of [
  ['the 640x400 embed', '?lesson=split-vote&seed=5&embed=1', { width: 640, height: 400 }],
  ['a 360x740 phone', '?lesson=split-vote&seed=5', { width: 360, height: 740 }],
]) {
  test(`a lesson is readable on ${name}: caption and choices on screen, the drawing's text at least 11 px`, async () => {
    const page = await browser.newPage({ viewport, ...(viewport.width < 400 ? { isMobile: true, hasTouch: true } : {}) });
    const errors = []; page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + query);
    await page.locator('[data-node-id="1"]').waitFor();
    await page.click('#lesson-continue');
    await page.locator('#lesson-caption[data-checkpoint="0"]').waitFor({ timeout: 20000 });
    await page.click('#lesson-continue');
    await page.locator('.choice').first().waitFor({ timeout: 20000 });
    const onScreen = async (sel) => {
      const b = await page.locator(sel).first().boundingBox();
      return b && b.x >= 0 && b.y >= 0 && b.x + b.width <= viewport.width + 1 && b.y + b.height <= viewport.height + 1;
    };
    assert.ok(await onScreen('#lesson-caption'), 'the caption is on screen');
    assert.ok(await onScreen('.choice'), 'the choices are on screen');
    const captionPx = await page.locator('#lesson-caption p').first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(captionPx >= 13, `caption text ${captionPx}px`);
    const smallest = await page.locator('svg.cluster').evaluate((svg) => Math.min(...[...svg.querySelectorAll('text')]
      .filter((t) => t.getBBox().width > 0 && getComputedStyle(t).display !== 'none' && getComputedStyle(t).visibility !== 'hidden')
      .map((t) => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize))));
    assert.ok(smallest >= 11, `the drawing's smallest text is ${smallest.toFixed(1)}px`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
