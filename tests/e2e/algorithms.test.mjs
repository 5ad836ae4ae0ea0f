// Every algorithm beyond Raft, used through the page as a teacher would:
// chosen in the setup panel or the URL, with their own decorations, narration and
// built-in scenarios. Screenshots go to tests/e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serveDist, launch, openPage, cli, ROOT } from './harness.mjs';

const ART = join(ROOT, 'tests', 'e2e', 'artifacts');
let server; let browser;
before(async () => { await mkdir(ART, { recursive: true }); server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const shot = (page, name) => page.screenshot({ path: join(ART, `${name}.png`), fullPage: true });

async function open(query) {
  const { page, problems } = await openPage(browser, server.url, query);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.locator('[data-node-id="1"]').waitFor({ timeout: 20000 });
  return { page, problems };
}

const roles = (page) => page.locator('[data-node-id]').evaluateAll((els) =>
  els.map((e) => ({ id: +e.dataset.nodeId, role: e.dataset.role })));

async function seek(page, us) {
  await page.locator('#timeline').evaluate((el, v) => { el.max = String(v); }, us);
  await page.locator('#timeline').fill(String(us));
}

async function playUntil(page, predicate, arg, timeout = 15000) {
  if ((await page.locator('#play').getAttribute('aria-label')) === 'Play') await page.click('#play');
  await page.waitForFunction(predicate, arg, { timeout });
  if ((await page.locator('#play').getAttribute('aria-label')) === 'Pause') await page.click('#play');
}

const leaderIs = (id) => [...document.querySelectorAll('[data-node-id]')]
  .filter((e) => e.dataset.role === 'leader').map((e) => +e.dataset.nodeId).join(',') === String(id);

// Every algorithm the registry lists, with its defaults and with each of its menu
// settings moved off its default: the page and the CLI take settings from the same
// schema and must run the same simulation.
for (const { name, settings } of JSON.parse(cli(['algorithms', '--json']))) {
  const moved = settings
    .filter((s) => s.choices.length > 1)
    .map((s) => [s.key, s.choices.find((c) => c !== s.default)]);
  for (const set of [[], moved]) {
    if (set === moved && moved.length === 0) continue;
    const label = set.length ? set.map(([k, v]) => `${k}=${v}`).join(', ') : 'defaults';
    test(`wasm and native agree for ${name} (${label})`, async () => {
      const args = set.flatMap(([k, v]) => ['--set', `${k}=${v}`]);
      const query = set.map(([k, v]) => `&${k}=${v}`).join('');
      const native = JSON.parse(cli(['run', '--algo', name, '--nodes', '7', '--seed', '21', '--duration', '8s', '--json', ...args]));
      const { page, problems } = await open(`?algo=${name}&nodes=7&seed=21&duration=8s${query}`);
      await page.waitForSelector('#trace-hash');
      assert.equal(await page.locator('#trace-hash').textContent(), native.trace_hash);
      for (const [key, value] of set) {
        const widget = page.locator(`#${key}`);
        if ((await widget.getAttribute('type')) === 'checkbox') {
          assert.equal(await widget.isChecked(), value !== 'off' && value !== 'none', key);
        } else {
          assert.equal(await widget.inputValue(), value, `the setup panel shows ${key}`);
        }
      }
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
}

test("a link that runs another algorithm's scenario says so in the menu and the caption", async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=1&scenario=bully-partition');
  assert.equal(await page.locator('#algo-title').textContent(), 'Raft');
  assert.equal(await page.locator('#scenario').inputValue(), 'bully-partition');
  const label = await page.locator('#scenario option:checked').textContent();
  assert.match(label, /written for Bully/, label);
  const caption = await page.locator('.scenario-text').textContent();
  assert.match(caption, /^Written for Bully, running here on Raft: /, caption);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the algorithm is chosen in the setup panel and lands in the URL', async () => {
  const { page, problems } = await open('?algo=raft&nodes=5&seed=3');
  await page.selectOption('#algo', 'bully');
  await page.waitForFunction(() => document.querySelector('#algo-title').textContent === 'Bully');
  assert.match(page.url(), /algo=bully/);
  assert.equal(await page.locator('#prevote').count(), 0, 'PreVote is a Raft setting');
  // Bully's own scenarios are offered, Raft's are not.
  const options = await page.locator('#scenario option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.includes('bully-partition'), options.join());
  assert.ok(!options.includes('split-vote'), options.join());
  await page.selectOption('#algo', 'ring');
  await page.waitForFunction(() => document.querySelector('#algo-title').textContent === 'Chang-Roberts ring');
  assert.equal(await page.locator('.ring-link').count(), 5, 'one arrowed link per ring edge');
  await page.selectOption('#ring-order', 'descending');
  await page.waitForFunction(() => location.search.includes('ring-order=descending'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('Bully: the highest id leads; crashing it through the UI elects the next; a partition is a reported split brain', async () => {
  const { page, problems } = await open('?algo=bully&nodes=5&seed=3&speed=1');
  await playUntil(page, leaderIs, 5);
  assert.match(await page.locator('[data-node-id="1"] .term').textContent(), /leader n5/);
  await page.click('[data-node-id="5"]');
  await page.click('#act-crash');
  await playUntil(page, leaderIs, 4);
  assert.match(await page.locator('.narration .lines').textContent(), /n4 becomes leader/);
  await page.close();

  const p2 = await open('?algo=bully&nodes=5&seed=1&scenario=bully-partition');
  await seek(p2.page, 2500000);
  await p2.page.waitForFunction(() => document.querySelector('#monitor').dataset.state === 'warning');
  const text = await p2.page.locator('#monitor').textContent();
  assert.match(text, /n3 and n5 both believe they lead/);
  assert.match(text, /no quorum/);
  assert.equal(await p2.page.locator('.node.alarm').count(), 2);
  await shot(p2.page, '20-bully-split-brain');
  await seek(p2.page, 3500000);
  await p2.page.waitForFunction(leaderIs, 5);
  assert.deepEqual([...problems, ...p2.problems], []);
  await p2.page.close();
});

test('Chang-Roberts: the ring is drawn in ring order and its worst case costs N(N+1)/2 elections', async () => {
  const { page, problems } = await open('?algo=ring&nodes=8&seed=1&scenario=ring-worst-case');
  assert.equal(await page.locator('.ring-link').count(), 8);
  await seek(page, 40000);
  await shot(page, '21-ring-worst-case-midway');
  await seek(page, 300000);
  await page.waitForFunction(leaderIs, 8);
  // The stats strip counts messages by type: 8*9/2 = 36 ELECTION messages.
  assert.match(await page.locator('#stat-messages .value').textContent(), /Election 36\b/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Hirschberg-Sinclair: the leader crashes and the next highest wins around the gap', async () => {
  const { page, problems } = await open('?algo=hs&nodes=6&seed=1&scenario=hs-leader-crash');
  assert.equal(await page.locator('.ring-link[marker-start]').count(), 6, 'bidirectional links');
  await seek(page, 1500000);
  await page.waitForFunction(leaderIs, 6);
  await seek(page, 3500000);
  await page.waitForFunction(leaderIs, 5);
  assert.match(await page.locator('[data-node-id="1"] .term').textContent(), /leader n5/);
  await shot(page, '22-hs-after-crash');
  assert.deepEqual(problems, []);
  await page.close();
});

test('Paxos: duelling proposers are visible, ballots label the nodes, and without backoff nobody keeps the lead', async () => {
  const { page, problems } = await open('?algo=paxos&nodes=5&seed=1&scenario=paxos-duel');
  await seek(page, 1009000);
  await page.waitForFunction(() => /pre-empted by/.test(document.querySelector('.narration .lines').textContent));
  await shot(page, '23-paxos-duel');
  await seek(page, 2500000);
  await page.waitForFunction(leaderIs, 2);
  assert.match(await page.locator('[data-node-id="2"] .term').textContent(), /ballot 2\.n2/);
  assert.match(await page.locator('.narration .lines').textContent(), /instance 1 is chosen/);
  await page.close();

  const p2 = await open('?algo=paxos&nodes=5&seed=1&scenario=paxos-duel-no-backoff');
  await seek(p2.page, 3000000);
  const elections = await p2.page.locator('#stat-elections .value').textContent();
  assert.ok(+elections >= 100, `a livelock restarts phase 1 again and again: ${elections} elections in 2s`);
  await shot(p2.page, '24-paxos-livelock');
  assert.deepEqual([...problems, ...p2.problems], []);
  await p2.page.close();
});

test('Paxos: the backoff switch is in the setup panel and in the URL', async () => {
  const { page, problems } = await open('?algo=paxos&nodes=5&seed=1');
  assert.equal(await page.locator('#backoff').isChecked(), true);
  await page.locator('#backoff').uncheck();
  await page.waitForFunction(() => location.search.includes('backoff=none'));
  assert.equal(await page.locator('#backoff').isChecked(), false);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Lease: the lock service is a box in the middle; a paused holder overlaps its successor and fencing turns its write away', async () => {
  const native = JSON.parse(cli(['run', '--algo', 'lease', '--nodes', '5', '--seed', '1', '--duration', '6s', '--scenario', 'lease-paused-leader-fenced', '--json']));
  const { page, problems } = await open('?algo=lease&nodes=5&seed=1&duration=6s&scenario=lease-paused-leader-fenced');
  assert.equal(await page.locator('#trace-hash').textContent(), native.trace_hash);
  // The lease settings replace Raft's timers in the setup panel.
  assert.equal(await page.locator('#renew-deadline').count(), 1);
  assert.equal(await page.locator('#prevote').count(), 0);
  const service = page.locator('[data-node-id="6"]');
  assert.equal(await service.getAttribute('data-role'), 'service');
  await seek(page, 1000000);
  await page.waitForFunction(leaderIs, 2);
  assert.match(await service.textContent(), /lease-api/);
  assert.match(await service.textContent(), /holder: n2/);
  assert.match(await page.locator('[data-node-id="2"] .term').textContent(), /lease #1/);
  // n2 froze at 2s; n5 took the lease at 3.53s; n2 wakes at 4.5s.
  await seek(page, 4000000);
  await page.waitForFunction(() => document.querySelector('#monitor').dataset.state === 'warning');
  const text = await page.locator('#monitor').textContent();
  assert.match(text, /n2 \(lease #1\) and n5 \(lease #11\) both believe they lead/);
  assert.match(text, /own clock/);
  assert.match(await service.textContent(), /holder: n5/);
  await shot(page, '25-lease-paused-holder');
  await seek(page, 5000000);
  // On waking, its first look at its own clock ends its leadership.
  assert.match(await page.locator('.narration .lines').textContent(), /n2 could not renew within renewDeadline 1s/);
  assert.notEqual(await page.locator('[data-node-id="2"]').getAttribute('data-role'), 'leader');
  assert.deepEqual(problems, []);
  await page.close();
});

test('ZAB: a leader cut off in a minority steps down, the majority establishes epoch 2, the heal converges', async () => {
  const { page, problems } = await open('?algo=zab&nodes=5&seed=1&scenario=zab-minority-leader');
  const leading = () => [...document.querySelectorAll('[data-node-id]')]
    .filter((e) => e.dataset.role === 'leading').map((e) => +e.dataset.nodeId).join(',');
  await seek(page, 1500000);
  await page.waitForFunction((id) => [...document.querySelectorAll('[data-node-id]')]
    .filter((e) => e.dataset.role === 'leading').map((e) => +e.dataset.nodeId).join(',') === String(id), 5);
  assert.equal(await page.locator('[data-node-id="5"] .crown').count(), 1, 'the established leader has its star');
  assert.match(await page.locator('[data-node-id="5"] .term').textContent(), /epoch 1/);
  await seek(page, 4000000);
  await page.waitForFunction(() => /loses quorum/.test(document.querySelector('.narration .lines').textContent));
  const text = await page.locator('.narration .lines').textContent();
  assert.match(text, /n5 loses quorum: .* steps down from epoch 1 to LOOKING/);
  assert.match(text, /n3 is established as leader of epoch 2/);
  assert.equal(await page.evaluate(leading), '3');
  assert.match(await page.locator('[data-node-id="3"] .term').textContent(), /epoch 2/);
  assert.match(await page.locator('#algo-title').textContent(), /ZAB/);
  await shot(page, '26-zab-minority-leader');
  await seek(page, 6500000);
  await page.waitForFunction(() => document.querySelector('[data-node-id="5"]').dataset.role === 'following');
  assert.match(await page.locator('[data-node-id="5"] .term').textContent(), /epoch 2/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('ZooKeeper recipe: zk is a box of znodes in the middle, and watching the leader wakes the herd', async () => {
  const { page, problems } = await open('?algo=zk-recipe&nodes=5&seed=1&scenario=zk-herd');
  const zk = page.locator('[data-service="true"]');
  assert.equal(await zk.count(), 1, 'one service, drawn apart from the candidates');
  assert.equal(await page.locator('#watch').inputValue(), 'leader', 'the scenario watches the leader');
  assert.equal(await page.locator('#session-timeout').count(), 1);
  await seek(page, 500000);
  await page.waitForFunction(leaderIs, 2);
  assert.match(await zk.textContent(), /\/election\/n_0000000001:?\s+n2/);
  await seek(page, 2500000);
  await page.waitForFunction(leaderIs, 5);
  // All four waiting clients watched n2's znode: four notifications for one failure.
  assert.match(await zk.textContent(), /notifications:?\s+4 \(last failure: 4\)/);
  assert.match(await page.locator('.narration .lines').textContent(), /herd effect/);
  assert.match(await page.locator('[data-node-id="5"] .term').textContent(), /znode #2/);
  await shot(page, '27-zk-herd');
  assert.deepEqual(problems, []);
  await page.close();
});
