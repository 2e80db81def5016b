import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autocast, type Tensor } from '../../src/index.js';
import { Module, type AnyModule } from '../../src/nn/index.js';
import { MultiTaskModel } from '../../src/models/hard-sharing.js';
import {
  FeatureCache,
  computeFeatures,
  createStrategy,
  taskAccuracy,
  weightsFingerprint,
} from '../../src/transfer/index.js';
import { quickOptions, tinyData, tinyModel } from './helpers.js';

/** Wraps a trunk and counts the examples it is run on. */
class Counting extends Module {
  examples = 0;
  constructor(readonly inner: AnyModule) {
    super();
  }

  forward(x: Tensor): Tensor {
    this.examples += x.shape[0]!;
    return this.inner.forward(x) as Tensor;
  }
}

function countingModel(): { model: MultiTaskModel; counter: Counting } {
  const base = tinyModel();
  const counter = new Counting(base.trunk);
  return { model: new MultiTaskModel(counter, { target: base.heads.get('target') }), counter };
}

test('a linear probe runs the trunk once per example, however many epochs it trains', async () => {
  const { model, counter } = countingModel();
  const train = tinyData(30);
  const result = await createStrategy('linear-probe').fit({
    model,
    task: 'target',
    train,
    options: quickOptions({ epochs: 7, batchSize: 8 }),
  });
  assert.equal(counter.examples, 30);
  assert.equal(result.cachedExamples, 30);
  assert.equal(result.history.length, 7);
});

test('the cache reuses features for the same trunk weights and recomputes when they change', () => {
  const { model, counter } = countingModel();
  const cache = new FeatureCache({ batchSize: 4 });
  const data = tinyData(10);
  const a = cache.features(model.trunk, data);
  const b = cache.features(model.trunk, data);
  assert.equal(a, b);
  assert.equal(counter.examples, 10);
  assert.deepEqual(a.featureShape, [6]);
  model.trunk.parameters()[0]!.data[0] += 1;
  cache.features(model.trunk, data);
  assert.equal(counter.examples, 20);
  assert.equal(cache.examplesComputed, 20);
});

test('copies of the same weights share a fingerprint; a frozen trunk is evaluated from the cache', () => {
  const a = tinyModel(3);
  const b = tinyModel(4);
  assert.notEqual(weightsFingerprint(a.trunk), weightsFingerprint(b.trunk));
  b.loadStateDict(a.stateDict());
  assert.equal(weightsFingerprint(a.trunk), weightsFingerprint(b.trunk));
  const { model, counter } = countingModel();
  const test = tinyData(9);
  const cache = new FeatureCache();
  const plain = taskAccuracy(model, 'target', test);
  for (const p of model.trunk.parameters()) p.requiresGrad = false;
  assert.equal(taskAccuracy(model, 'target', test, { cache }), plain);
  assert.equal(taskAccuracy(model, 'target', test, { cache }), plain);
  assert.equal(counter.examples, 18, 'once without the cache, once to fill it');
});

test('features computed in bf16 are not handed out in fp32, nor the reverse', () => {
  const { model, counter } = countingModel();
  const cache = new FeatureCache();
  const data = tinyData(10);
  const bf16 = autocast('bf16', () => cache.features(model.trunk, data));
  const fp32 = cache.features(model.trunk, data);
  assert.notEqual(fp32, bf16);
  assert.equal(counter.examples, 20, 'once at each precision');
  // what the cache gives at each precision is what the trunk computes at it
  assert.deepEqual(fp32.features, computeFeatures(model.trunk, data).features);
  assert.deepEqual(
    bf16.features,
    autocast('bf16', () => computeFeatures(model.trunk, data).features),
  );
  assert.notDeepEqual(fp32.features, bf16.features, 'bf16 rounds the matmul operands: the features differ');
  assert.equal(
    autocast('bf16', () => cache.features(model.trunk, data)),
    bf16,
  );
  assert.equal(cache.features(model.trunk, data), fp32);
  assert.equal(counter.examples, 40, 'and from the cache after that (plus the two direct computations)');
});
