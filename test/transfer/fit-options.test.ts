/**
 * The fine-tuning strategies train on `train`'s loop options (src/transfer/fit.ts over
 * src/train/optimizer.ts): SGD, class weights, gradient clipping and early stopping by a metric
 * reach the step. Checked against one step computed by hand: a strategy that ignored an option
 * (Adam instead of SGD, unweighted loss, no clipping) lands elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functional } from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { createStrategy, type FineTuneOptions } from '../../src/transfer/index.js';
import { maxAbsDiff, tinyData, tinyModel } from './helpers.js';

const WEIGHT = new Tensor(Float32Array.of(1, 3, 0.5), [3]);
const LR = 0.1;

/** Every parameter after one plain SGD step of `lr` on the weighted cross-entropy of all of `data`, the gradient clipped to `clip`. */
function oneStepByHand(clip: number | null): Map<string, Float32Array> {
  const model = tinyModel();
  const data = tinyData();
  const { x, y } = data.batch(Array.from({ length: data.length }, (_, i) => i));
  model.train();
  functional.crossEntropy(model.forward(x).target!, y, { weight: WEIGHT }).backward();
  const params = model.namedParameters();
  const norm = Math.sqrt(
    params.reduce((s, [, p]) => s + (p.grad!.data as Float32Array).reduce((a, g) => a + g * g, 0), 0),
  );
  const scale = clip === null || norm <= clip ? 1 : clip / norm;
  return new Map(
    params.map(([n, p]) => [n, (p.data as Float32Array).map((v, i) => v - LR * scale * p.grad!.data[i]!)]),
  );
}

async function oneStepByStrategy(extra: Partial<FineTuneOptions>): Promise<Map<string, Float32Array>> {
  const model = tinyModel();
  await createStrategy('full').fit({
    model,
    task: 'target',
    train: tinyData(),
    options: { epochs: 1, batchSize: 64, lr: LR, seed: 0, ...extra },
  });
  return new Map(model.namedParameters().map(([n, p]) => [n, Float32Array.from(p.data as Float32Array)]));
}

const worst = (a: Map<string, Float32Array>, b: Map<string, Float32Array>): number =>
  Math.max(...[...a].map(([n, v]) => maxAbsDiff(v, b.get(n)!)));

test('full fine-tuning with SGD and class weights takes the step computed by hand', async () => {
  const sgd = { name: 'sgd', momentum: 0, schedule: 'constant' } as const;
  const expected = oneStepByHand(null);
  assert.ok(worst(await oneStepByStrategy({ optimizer: sgd, classWeight: WEIGHT }), expected) < 1e-6);
  // each option matters: without the weights, or with Adam, the step is another
  assert.ok(worst(await oneStepByStrategy({ optimizer: sgd }), expected) > 1e-4);
  assert.ok(worst(await oneStepByStrategy({ classWeight: WEIGHT }), expected) > 1e-4);
});

test('gradient clipping reaches the step of a strategy', async () => {
  const sgd = { name: 'sgd', momentum: 0, schedule: 'constant' } as const;
  const clipped = oneStepByHand(0.01);
  assert.ok(
    worst(await oneStepByStrategy({ optimizer: sgd, classWeight: WEIGHT, clipGradNorm: 0.01 }), clipped) < 1e-6,
  );
  assert.ok(worst(oneStepByHand(null), clipped) > 1e-4);
});

test('early stopping by accuracy: each epoch records its validation accuracy, not a loss', async () => {
  const model = tinyModel();
  const result = await createStrategy('linear-probe').fit({
    model,
    task: 'target',
    train: tinyData(),
    options: {
      epochs: 4,
      batchSize: 4,
      lr: LR,
      seed: 0,
      validation: { data: tinyData(9, [12], 5), patience: 2, metric: 'accuracy' },
    },
  });
  assert.ok(result.history.length >= 3);
  for (const h of result.history) {
    assert.equal(h.valLoss, undefined);
    // accuracy on 9 examples: a multiple of 1/9 in [0, 1]
    assert.ok(h.valScore !== undefined && h.valScore >= 0 && h.valScore <= 1);
    assert.ok(Math.abs(h.valScore * 9 - Math.round(h.valScore * 9)) < 1e-9, String(h.valScore));
  }
});
