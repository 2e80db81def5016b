import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError } from '../../src/core/errors.js';
import {
  describeType,
  hybridFrom,
  learnedStage,
  locateStage,
  mapStage,
  numberStage,
  Pipeline,
  ruleStage,
  splitStage,
  StageTypeError,
  sumStage,
  type ValueType,
} from '../../src/endtoend/index.js';
import { Flatten, Linear, Sequential } from '../../src/nn/index.js';
import { zeros } from '../../src/tensor/index.js';

const DIGIT: ValueType = { kind: 'image', shape: [1, 28, 28] };
const classifier = () =>
  learnedStage({
    name: 'digit classifier',
    input: DIGIT,
    output: { kind: 'classes', n: 10 },
    create: () => new Sequential(new Flatten(), new Linear(784, 10)),
  });

test('a well-typed pipeline runs and gives its declared output', () => {
  const p = new Pipeline([splitStage([1, 28, 56], 2), mapStage(classifier(), 2), sumStage(10)]);
  assert.equal(describeType(p.input), 'image [1,28,56]');
  assert.equal(describeType(p.output), 'classes (19)');
  const out = p.run(zeros([3, 1, 28, 56]));
  assert.deepEqual(out.shape, [3, 19]);
  for (let i = 0; i < 3; i++)
    assert.ok(
      Math.abs(
        out
          .slice(0, i, i + 1)
          .sum()
          .item() - 1,
      ) < 1e-5,
      'each row is a distribution',
    );
  assert.equal(p.learned().length, 1);
});

test('stages that do not fit: the error names both stages and both types', () => {
  const split = splitStage([1, 28, 56], 2);
  assert.throws(
    () => new Pipeline([split, classifier()]),
    (e: unknown) => {
      assert.ok(e instanceof StageTypeError);
      assert.match(e.message, /stage 'split into 2' outputs sequence of 2 × image \[1,28,28\]/);
      assert.match(e.message, /next stage 'digit classifier' takes image \[1,28,28\]/);
      return true;
    },
  );
  assert.throws(
    () => new Pipeline([split, mapStage(classifier(), 3)]),
    /sequence of 2 × image \[1,28,28\].*sequence of 3 × image \[1,28,28\]/,
  );
  assert.throws(
    () => new Pipeline([split, mapStage(classifier(), 2), numberStage(2), sumStage(10)]),
    /'compose 2 digits' outputs scalar but the next stage 'add the digits' takes sequence of 2 × classes \(10\)/,
  );
  assert.throws(
    () => new Pipeline([locateStage([1, 28, 84], 3, 28), mapStage(classifier(), 3), sumStage(10)]),
    StageTypeError,
  );
  assert.throws(() => new Pipeline([]), ValueError);
});

test('a batch of the wrong shape, or a stage breaking its declared type, is named at run time', () => {
  const p = new Pipeline([splitStage([1, 28, 56], 2), mapStage(classifier(), 2), sumStage(10)]);
  assert.throws(
    () => p.run(zeros([2, 1, 28, 28])),
    /stage 'split into 2' takes image \[1,28,56\], but the pipeline input has shape \[2,1,28,28\]/,
  );
  const liar = ruleStage({ name: 'liar', input: { kind: 'scalar' }, output: { kind: 'classes', n: 3 }, run: (x) => x });
  assert.throws(
    () => new Pipeline([liar]).run(zeros([4])),
    /stage 'liar' declares classes \(3\) but returned shape \[4\] \(expected \[B,3\]\)/,
  );
});

test('the hybrid needs differentiable stages after the first learned one', () => {
  const rounding = ruleStage({ name: 'round', input: { kind: 'scalar' }, output: { kind: 'scalar' }, run: (x) => x });
  const p = new Pipeline([locateStage([1, 28, 84], 3, 28), mapStage(classifier(), 3), numberStage(3), rounding]);
  assert.throws(() => hybridFrom(p), /stage 'round' is not differentiable/);
  const rulesOnly = new Pipeline([rounding]);
  assert.throws(() => hybridFrom(rulesOnly), /no learned stage/);
  // a non-differentiable rule before the learned stage (locating the digits) is fine
  assert.doesNotThrow(() =>
    hybridFrom(new Pipeline([locateStage([1, 28, 84], 3, 28), mapStage(classifier(), 3), numberStage(3)])),
  );
});
