import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/core/rng.js';
import {
  classNll,
  digitClassifier,
  EndToEndModel,
  expectedNumber,
  hybridFrom,
  learnedStage,
  mapStage,
  mlp,
  Pipeline,
  PipelineModel,
  splitStage,
  sumDistribution,
  sumStage,
} from '../../src/endtoend/index.js';
import { Adam } from '../../src/optim/index.js';
import { rand, tensor, zeros } from '../../src/tensor/index.js';

function pipeline(): Pipeline {
  const classify = learnedStage({
    name: 'digit classifier',
    input: { kind: 'image', shape: [1, 28, 28] },
    output: { kind: 'classes', n: 10 },
    create: () => digitClassifier(16),
  });
  return new Pipeline([splitStage([1, 28, 56], 2), mapStage(classify, 2), sumStage(10)]);
}

test('sumDistribution convolves the two digit distributions', () => {
  manualSeed(1);
  const p = rand([4, 2, 10]).add(0.1);
  const probs = p.div(p.sum(2, true));
  const out = sumDistribution(probs);
  assert.deepEqual(out.shape, [4, 19]);
  const d = probs.toArray() as number[][][];
  const got = out.toArray() as number[][];
  for (let b = 0; b < 4; b++) {
    for (let k = 0; k < 19; k++) {
      let want = 0;
      for (let i = 0; i < 10; i++) if (k - i >= 0 && k - i < 10) want += d[b]![0]![i]! * d[b]![1]![k - i]!;
      assert.ok(Math.abs(got[b]![k]! - want) < 1e-6, `sum ${k}`);
    }
  }
  const q = tensor([
    [
      [0, 1],
      [0.5, 0.5],
    ],
  ]);
  assert.deepEqual(sumDistribution(q).toArray(), [[0, 0.5, 0.5]]);
});

test('expectedNumber reads certain digits exactly and averages uncertain ones', () => {
  const p = zeros([2, 3, 10]);
  p.data[4] = p.data[10] = p.data[22] = 1; // 4, 0, 2
  for (let i = 30; i < 60; i++) p.data[i] = 0.1; // uniform: 111 × 4.5
  assert.deepEqual(
    Array.from(expectedNumber(p).data).map((v) => Math.round(v * 100) / 100),
    [402, 499.5],
  );
});

test("the hybrid starts from copies of the pipeline's trained stage weights", () => {
  manualSeed(2);
  const p = pipeline();
  const stage = p.learned()[0]!;
  for (const param of stage.module.parameters()) param.data.set(rand(param.shape).data);
  const hybrid = hybridFrom(p);
  const original = stage.module.namedParameters();
  const copied = hybrid.namedParameters();
  assert.deepEqual(
    copied.map(([n]) => n),
    original.map(([n]) => `digit classifier.${n}`),
  );
  copied.forEach(([name, param], i) => {
    assert.deepEqual(param.data, original[i]![1].data, `${name} equals the stage's`);
    assert.notEqual(param.data, original[i]![1].data, `${name} is a copy, not the same array`);
  });
  const x = rand([3, 1, 28, 56]);
  assert.deepEqual(hybrid.forward(x).data, new PipelineModel(p).forward(x).data, 'same function before fine-tuning');
});

test('fine-tuning the hybrid end to end trains the classifier copy and leaves the pipeline as it was', () => {
  manualSeed(3);
  const p = pipeline();
  const before = p
    .learned()[0]!
    .module.parameters()
    .map((w) => w.data.slice());
  const hybrid = hybridFrom(p);
  const opt = new Adam(hybrid.parameters(), { lr: 1e-2 });
  const x = rand([8, 1, 28, 56]);
  const y = tensor(Int32Array.from({ length: 8 }, (_, i) => i + 3));
  opt.zeroGrad();
  classNll(hybrid.forward(x), y).backward();
  for (const [name, w] of hybrid.namedParameters())
    assert.ok(w.grad !== null && w.grad.abs().sum().item() > 0, `${name} gets a gradient from the sum`);
  opt.step();
  p.learned()[0]!
    .module.parameters()
    .forEach((w, i) => assert.deepEqual(w.data, before[i], 'pipeline untouched'));
  assert.notDeepEqual(hybrid.parameters()[0]!.data, before[0]);
});

test('the end-to-end model gives values of its declared output type', () => {
  manualSeed(4);
  const classes = new EndToEndModel(mlp(28 * 56, 8, 19), { kind: 'classes', n: 19 }).forward(rand([5, 1, 28, 56]));
  assert.deepEqual(classes.shape, [5, 19]);
  assert.ok(Math.abs(classes.sum().item() - 5) < 1e-4);
  const value = new EndToEndModel(mlp(28 * 84, 8, 1), { kind: 'scalar' }, 1000).forward(rand([5, 1, 28, 84]));
  assert.deepEqual(value.shape, [5]);
  assert.throws(() => new EndToEndModel(mlp(4, 2, 1), { kind: 'image', shape: [1, 2, 2] }), /classes or a scalar/);
});
