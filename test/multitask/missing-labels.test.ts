/**
 * Missing labels: the masked losses return 0 with a zero gradient when nothing is present; per-label
 * masking counts only present labels; a task with no label in a batch leaves its head without
 * gradient and adds nothing to the trunk, under a loss-weighting and a gradient method alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/core/rng.js';
import { functional as F, Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { grad, randn, tensor, zeros, type Tensor } from '../../src/tensor/index.js';
import {
  MultiTaskDataset,
  MultiTaskModel,
  createWeighting,
  defineTask,
  multiTaskStep,
  taskHeads,
  type MultiTaskBatch,
  type TaskSpec,
} from '../../src/multitask/index.js';

const allZero = (t: Tensor | null): boolean => t === null || t.data.every((v) => v === 0);

test('nn.functional losses with nothing present are 0 with a zero gradient', () => {
  const logits = randn([4, 3], { requiresGrad: true });
  const cases: [string, Tensor][] = [
    ['crossEntropy ignored', F.crossEntropy(logits, tensor(Int32Array.of(-100, -100, -100, -100)))],
    ['crossEntropy masked', F.crossEntropy(logits, tensor(Int32Array.of(0, 1, 2, 0)), { mask: zeros([4]) })],
    ['bce all NaN', F.binaryCrossEntropyWithLogits(logits, full(NaN))],
    ['bce masked', F.binaryCrossEntropyWithLogits(logits, full(1), { mask: zeros([4, 3]) })],
    ['mse all NaN', F.mse(logits, full(NaN))],
  ];
  for (const [what, loss] of cases) {
    assert.equal(loss.item(), 0, what);
    const [g] = grad([loss], [logits], { allowUnused: true });
    assert.ok(
      g!.data.every((v) => v === 0),
      `${what}: zero gradient`,
    );
  }
});

function full(v: number): Tensor {
  return tensor(new Float32Array(12).fill(v), [4, 3]);
}

test('a multi-label task counts present labels only, label by label', () => {
  const task = defineTask({ name: 'objects', kind: 'multilabel', labels: 3 });
  const logits = tensor(
    [
      [0.5, -1, 2],
      [1, 0, -0.5],
    ],
    undefined,
    { requiresGrad: true },
  );
  const loss = task.loss(
    logits,
    tensor([
      [1, NaN, 0],
      [NaN, NaN, 1],
    ]),
  );
  const bce = (x: number, y: number): number => y * Math.log1p(Math.exp(-x)) + (1 - y) * Math.log1p(Math.exp(x));
  const expected = (bce(0.5, 1) + bce(2, 0) + bce(-0.5, 1)) / 3;
  assert.ok(Math.abs(loss.item() - expected) < 1e-6, `${loss.item()} vs ${expected}`);
  const [g] = grad([loss], [logits]);
  assert.equal(g!.data[1], 0, 'a missing label gets no gradient');
  assert.equal(g!.data[3], 0);
  // a [N] mask hides whole samples
  const masked = task.loss(
    logits,
    tensor([
      [1, 1, 0],
      [0, 0, 1],
    ]),
    tensor([1, 0]),
  );
  assert.ok(Math.abs(masked.item() - (bce(0.5, 1) + bce(-1, 1) + bce(2, 0)) / 3) < 1e-6);
});

test('every task kind reads NaN (or the ignore index) as missing', () => {
  const mc = defineTask({ name: 'c', kind: 'multiclass', classes: 3 });
  const bin = defineTask({ name: 'b', kind: 'binary' });
  const reg = defineTask({ name: 'r', kind: 'regression' });
  const p3 = tensor([
    [1, 2, 3],
    [0, 0, 5],
  ]);
  assert.equal(mc.loss(p3, tensor([NaN, NaN])).item(), 0);
  assert.ok(
    Math.abs(mc.loss(p3, tensor([2, NaN])).item() - mc.loss(p3.slice(0, 0, 1), tensor(Int32Array.of(2))).item()) < 1e-6,
  );
  // a [N, 1] head against [N] targets is compared element by element, not broadcast to [N, N]
  assert.ok(Math.abs(reg.loss(tensor([[1], [3]]), tensor([2, NaN])).item() - 1) < 1e-6);
  assert.equal(bin.loss(tensor([[0.3], [1]]), tensor([NaN, NaN])).item(), 0);
});

function setup(): { model: MultiTaskModel; tasks: TaskSpec[] } {
  manualSeed(3);
  const tasks = [
    defineTask({ name: 'a', kind: 'multiclass', classes: 3 }),
    defineTask({ name: 'b', kind: 'regression' }),
  ];
  return { model: new MultiTaskModel(new Sequential(new Linear(5, 8), new ReLU()), taskHeads(8, tasks)), tasks };
}

function batch(): MultiTaskBatch {
  manualSeed(4);
  return {
    x: randn([6, 5]),
    y: { a: tensor(Int32Array.of(0, 1, 2, 0, 1, 2)), b: tensor(new Float32Array(6).fill(NaN)) },
  };
}

for (const key of ['ew', 'uw', 'pcgrad', 'mgda'] as const) {
  test(`${key}: a task without labels in the batch has no gradient on its head and adds nothing to the trunk`, () => {
    const { model, tasks } = setup();
    const method = createWeighting(key, ['a', 'b']);
    model.zeroGrad();
    const { losses } = multiTaskStep(model, tasks, method, batch());
    assert.equal(losses['b']!.item(), 0);
    for (const p of model.taskParameters()['b']!) assert.ok(allZero(p.grad), 'head b has no gradient');
    const withMissing = model.sharedParameters().map((p) => Float32Array.from(p.grad!.data));

    // the same step without task b at all
    const alone = setup();
    const ew = createWeighting('ew', ['a']);
    alone.model.zeroGrad();
    const b = batch();
    multiTaskStep(alone.model, [alone.tasks[0]!], ew, { x: b.x, y: { a: b.y['a']! } });
    const reference = alone.model.sharedParameters().map((p) => p.grad!.data);
    // pcgrad/mgda with one task present use the present task's gradient; uw scales it by ½e^0
    const scale = key === 'uw' ? 0.5 : 1;
    withMissing.forEach((g, i) =>
      g.forEach((v, k) =>
        assert.ok(Math.abs(v - scale * reference[i]![k]!) < 1e-6, `${key}: trunk gradient ${i}[${k}]`),
      ),
    );
  });
}

test('a task absent from a mixed batch gets a constant zero loss and no head gradient', () => {
  const { model, tasks } = setup();
  model.zeroGrad();
  const b = batch();
  const { losses, present } = multiTaskStep(model, tasks, createWeighting('famo', ['a', 'b']), {
    x: b.x,
    y: { a: b.y['a']! },
  });
  assert.deepEqual(present, ['a']);
  assert.equal(losses['b']!.requiresGrad, false);
  for (const p of model.taskParameters()['b']!) assert.ok(allZero(p.grad));
});

test('MultiTaskDataset carries NaN, the ignore index and masks, and counts labelled samples', () => {
  const ds = new MultiTaskDataset(new Float32Array(8), [2], {
    cls: { data: Int32Array.of(1, -100, 0, 2) },
    flags: { data: Float32Array.of(1, NaN, NaN, NaN, 0, 1, NaN, 0), shape: [2] },
    value: { data: Float32Array.of(1, 2, 3, 4), mask: Float32Array.of(1, 0, 0, 1) },
  });
  assert.equal(ds.labelledCount('cls'), 3);
  assert.equal(ds.labelledCount('flags'), 3);
  assert.equal(ds.labelledCount('value'), 2);
  assert.equal(ds.presentFraction('flags'), 0.5);
  const { y, mask } = ds.batch([3, 0]);
  assert.deepEqual(y['flags']!.toArray(), [
    [NaN, 0],
    [1, NaN],
  ]);
  assert.deepEqual(mask!['value']!.toArray(), [1, 1]);
  assert.deepEqual(ds.subset([1]).batch([0]).mask!['value']!.toArray(), [0]);
  assert.deepEqual(ds.withTasks(['cls']).tasks, ['cls']);
  assert.throws(() => new MultiTaskDataset(new Float32Array(4), [2], { a: { data: Int32Array.of(1) } }), /2 samples/);
});
