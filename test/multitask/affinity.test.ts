/**
 * Task affinity on toy problems whose sign is known: two identical tasks help each other (positive
 * lookahead affinity, cosine 1), two opposed tasks hurt each other (negative, cosine −1); absent
 * tasks give NaN; the parameters are restored; the tracker measures every K steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/core/rng.js';
import { Linear, Parameter, ReLU, Sequential } from '../../src/nn/index.js';
import { randn, tensor, type Tensor } from '../../src/tensor/index.js';
import {
  AffinityTracker,
  MultiTaskModel,
  defineTask,
  measureAffinity,
  meanMatrix,
  taskHeads,
} from '../../src/multitask/index.js';

const sq = (w: Tensor, target: number[]): Tensor => w.sub(tensor(target)).square().sum();

test('two identical tasks: positive affinity both ways, cosine 1', () => {
  const w = new Parameter(tensor([0.5, -1, 2]));
  const m = measureAffinity(
    { tasks: ['a', 'b'], sharedParams: [w], losses: () => ({ a: sq(w, [1, 1, 1]), b: sq(w, [1, 1, 1]) }) },
    { lr: 0.1 },
  );
  // one step of size 0.1 on (w − t)² shrinks w − t by 0.8, so the loss to 0.64 of itself
  for (const row of m.lookahead) for (const z of row) assert.ok(Math.abs(z - (1 - 0.64)) < 1e-5, `${z}`);
  for (const row of m.cosine) for (const c of row) assert.ok(Math.abs(c - 1) < 1e-6);
  assert.deepEqual([...w.data], [0.5, -1, 2], 'parameters restored');
});

test('two opposed tasks: negative affinity across, positive on the diagonal, cosine −1', () => {
  const w = new Parameter(tensor([0, 0]));
  const m = measureAffinity(
    { tasks: ['up', 'down'], sharedParams: [w], losses: () => ({ up: sq(w, [1, 1]), down: sq(w, [-1, -1]) }) },
    { lr: 0.1 },
  );
  assert.ok(m.lookahead[0]![1]! < 0 && m.lookahead[1]![0]! < 0, JSON.stringify(m.lookahead));
  assert.ok(m.lookahead[0]![0]! > 0 && m.lookahead[1]![1]! > 0);
  // step on up: w = 0.2 → down's loss (1.2² · 2) / 2 = 1.44 of itself
  assert.ok(Math.abs(m.lookahead[0]![1]! - (1 - 1.44)) < 1e-5);
  assert.ok(Math.abs(m.cosine[0]![1]! + 1) < 1e-6);
});

test('a task absent from the batch (loss 0) has NaN affinities; lr is checked', () => {
  const w = new Parameter(tensor([1, 2]));
  const m = measureAffinity(
    { tasks: ['a', 'gone'], sharedParams: [w], losses: () => ({ a: sq(w, [0, 0]), gone: w.sum().mul(0) }) },
    { lr: 0.01 },
  );
  assert.ok(m.lookahead[0]![0]! > 0);
  assert.ok(Number.isNaN(m.lookahead[0]![1]!) && Number.isNaN(m.lookahead[1]![0]!) && Number.isNaN(m.cosine[1]![1]!));
  assert.throws(
    () => measureAffinity({ tasks: ['a'], sharedParams: [w], losses: () => ({ a: w.sum() }) }, { lr: 0 }),
    /lr must be a positive number/,
  );
});

test('the tracker measures every K steps on a model and averages over time', () => {
  manualSeed(0);
  const tasks = [defineTask({ name: 'p', kind: 'regression' }), defineTask({ name: 'q', kind: 'regression' })];
  const model = new MultiTaskModel(new Sequential(new Linear(3, 6), new ReLU()), taskHeads(6, tasks));
  // identical heads on identical targets: two copies of one task
  const [pw, pb] = model.taskParameters()['p']!;
  const [qw, qb] = model.taskParameters()['q']!;
  qw!.data.set(pw!.data);
  qb!.data.set(pb!.data);
  const x = randn([16, 3]);
  const y = x.sum(1);
  const tracker = new AffinityTracker(model, tasks, { every: 3, lr: 0.01 });
  for (let step = 0; step < 7; step++) tracker.observe(step, { x, y: { p: y, q: y } });
  const h = tracker.summary();
  assert.deepEqual(h.steps, [0, 3, 6]);
  assert.equal(h.lookahead.length, 3);
  assert.ok(h.meanLookahead[0]![1]! > 0, 'identical targets help each other');
  assert.ok(h.meanCosine[0]![1]! > 0);
  assert.equal(model.training, true, 'modes restored');
  assert.deepEqual(
    meanMatrix([
      [
        [1, NaN],
        [NaN, NaN],
      ],
      [
        [3, 2],
        [NaN, 4],
      ],
    ]),
    [
      [2, 2],
      [NaN, 4],
    ],
  );
});
