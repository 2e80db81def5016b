/**
 * Class weights: 'balanced' weights from known counts, the weighted cross-entropy with them
 * against PyTorch (test/fixtures/class_weights_golden.json, from scripts/golden_class_weights.py:
 * value and gradient, mean and sum) and against finite differences, and the checks on a list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nn from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { balancedClassWeights, classWeights } from '../../src/train/index.js';
import { assertClose } from '../helpers/close.js';
import { GOLDEN_TOL, checkGradient, expected, fromJson, type JsonTensor } from '../nn/helpers.js';

interface Golden {
  classes: number;
  labels: number[];
  weights: number[];
  logits: JsonTensor;
  cases: { reduction: 'mean' | 'sum'; loss: number; grad: JsonTensor }[];
}

const golden = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/class_weights_golden.json', import.meta.url), 'utf8'),
) as Golden;

test("'balanced' weighs each class by n / (classes · n_c); a class without examples gets 0", () => {
  assert.deepEqual([...balancedClassWeights([0, 0, 0, 1], 2)], [Math.fround(4 / 6), 2]);
  assert.deepEqual([...balancedClassWeights([1, 1, 2, 2], 3)], [0, Math.fround(4 / 6), Math.fround(4 / 6)]);
  // a balanced set gets weight 1 everywhere
  assert.deepEqual([...balancedClassWeights([0, 1, 2, 0, 1, 2], 3)], [1, 1, 1]);
  assert.throws(() => balancedClassWeights([0, 3], 3), /label 3 of example 1 is not a class in \[0, 3\)/);
});

test('the cross-entropy with balanced weights matches PyTorch (value and gradient) and finite differences', () => {
  const w = balancedClassWeights(golden.labels, golden.classes);
  assertClose(
    new Tensor(w, [golden.classes]),
    { shape: [golden.classes], data: golden.weights },
    GOLDEN_TOL,
    'weights',
  );
  const labels = new Tensor(Int32Array.from(golden.labels), [golden.labels.length]);
  const weight = new Tensor(w, [golden.classes]);
  for (const c of golden.cases) {
    const x = fromJson(golden.logits);
    x.requiresGrad = true;
    const loss = nn.functional.crossEntropy(x, labels, { weight, reduction: c.reduction });
    assertClose(loss, { shape: [], data: [c.loss] }, GOLDEN_TOL, `${c.reduction} loss`);
    loss.backward();
    assertClose(x.grad!, expected(c.grad), GOLDEN_TOL, `${c.reduction} gradient`);
  }
  // the weights change the loss: unweighted, the same logits give another value
  const plain = nn.functional.crossEntropy(fromJson(golden.logits), labels).item();
  assert.ok(Math.abs(plain - golden.cases[0]!.loss) > 1e-3);
  checkGradient(
    'balanced crossEntropy',
    (x) => nn.functional.crossEntropy(x, labels.slice(0, 0, 6), { weight }),
    fromJson(golden.logits).slice(0, 0, 6),
  );
});

test('a list of weights needs one finite non-negative weight per class, not all 0', () => {
  assert.deepEqual([...classWeights([1, 3], [0, 1], 2, 'training.classWeights')], [1, 3]);
  assert.throws(
    () => classWeights([1, 2, 3], [0, 1], 2, 'training.classWeights'),
    /training\.classWeights: found 3 weights, expected one per class \(2\)/,
  );
  assert.throws(() => classWeights([1, NaN], [0, 1], 2, 'w'), /w\[1\]: found NaN, expected a finite weight >= 0/);
  assert.throws(() => classWeights([0, 0], [0, 1], 2, 'w'), /every weight is 0/);
  assert.deepEqual([...classWeights('balanced', [0, 0, 0, 1], 2, 'w')], [Math.fround(4 / 6), 2]);
});
