/**
 * The study's runs stop on a validation split carved from their own training data: the last part of
 * the data is held out, scored every `every` steps, training stops when `patience` checks have not
 * lowered its loss, and the model ends with the best check's weights.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, Rng } from '../../src/core/rng.js';
import { TensorDataset } from '../../src/data/index.js';
import { classNll, EndToEndModel, fitModel, mlp, validationSize } from '../../src/endtoend/index.js';
import { noGrad } from '../../src/tensor/index.js';

const options = { batchSize: 10, lr: 1e-2, epochs: 1, minSteps: 1, maxSteps: 400, seed: 0 };

test('validationSize holds out a fraction, capped, never all of the data', () => {
  assert.equal(validationSize(100, { fraction: 0.2, maxExamples: 1000 }), 20);
  assert.equal(validationSize(12800, { fraction: 0.2, maxExamples: 1000 }), 1000);
  assert.equal(validationSize(3, { fraction: 0.2, maxExamples: 1000 }), 1);
  assert.equal(validationSize(2, { fraction: 0.9, maxExamples: 1000 }), 1);
  assert.equal(validationSize(1, { fraction: 0.5, maxExamples: 1000 }), 0);
});

test('a run stops once its held-out last part stops improving, and ends with the best check’s weights', async () => {
  // 40 rows labelled [x0 > 0]; the last 10 (the validation split at 0.25) have the opposite label,
  // so fitting the first 30 makes the validation loss rise: only a held-out split can see it
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 80 }, () => rng.normal());
  const y = Int32Array.from({ length: 40 }, (_, i) => (x[2 * i]! > 0 !== i >= 30 ? 1 : 0));
  const data = new TensorDataset(x, [2], y);
  manualSeed(0);
  const model = new EndToEndModel(mlp(2, 8, 2), { kind: 'classes', n: 2 });
  const fit = await fitModel(model, data, classNll, {
    ...options,
    validation: { fraction: 0.25, maxExamples: 100, every: 3, patience: 4, minDelta: 0 },
  });
  assert.equal(fit.validationExamples, 10);
  assert.equal(fit.stopped, true, 'early stopping ended it');
  assert.ok(fit.steps < options.maxSteps && fit.steps === 3 * fit.validation!.length, `${fit.steps} steps`);
  const best = Math.min(...fit.validation!);
  assert.equal(fit.bestStep, 3 * (fit.validation!.indexOf(best) + 1));
  assert.ok(fit.validation!.at(-1)! > best, 'its validation loss had risen');
  // the model holds the best check's weights: its loss on the held-out rows is the best value
  const held = data
    .subset(Int32Array.from({ length: 10 }, (_, i) => 30 + i))
    .batch(Int32Array.from({ length: 10 }, (_, i) => i));
  const now = noGrad(() => classNll(model.forward(held.x), held.y).item());
  assert.ok(Math.abs(now - best) < 1e-5, `${now} vs best ${best}`);
});

test('without validation a run trains its planned steps on all of its data', async () => {
  const data = new TensorDataset(Float32Array.of(0, 1, 1, 0, 1, 1, 0, 0), [2], Int32Array.of(0, 1, 1, 0));
  manualSeed(0);
  const fit = await fitModel(new EndToEndModel(mlp(2, 4, 2), { kind: 'classes', n: 2 }), data, classNll, {
    ...options,
    minSteps: 7,
    validation: null,
  });
  assert.deepEqual([fit.steps, fit.validation, fit.stopped, fit.validationExamples], [7, null, false, 0]);
});
