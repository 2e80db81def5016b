import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, optim, randn, tensor } from '../../src/index.js';
import { freeze, freezeBatchNormStats, nameMatcher, trainableNames, unfreeze } from '../../src/transfer/index.js';
import { changedNames, snapshot, tinyModel } from './helpers.js';

const labels = (n: number) => tensor(Int32Array.from({ length: n }, (_, i) => i % 3));

test('globs match across the dots of parameter names; ! negates', () => {
  const m = nameMatcher(['trunk.*', '!trunk.3.*']);
  assert.equal(m('trunk.1.weight'), true);
  assert.equal(m('trunk.3.bias'), false);
  assert.equal(m('heads.target.weight'), false);
  assert.equal(nameMatcher('*.bias')('heads.target.bias'), true);
});

test('freeze and unfreeze set requiresGrad on exactly the matching parameters', () => {
  const model = tinyModel();
  assert.deepEqual(freeze(model, 'trunk.*'), ['trunk.1.weight', 'trunk.1.bias', 'trunk.3.weight', 'trunk.3.bias']);
  assert.deepEqual(trainableNames(model), ['heads.target.weight', 'heads.target.bias']);
  unfreeze(model, 'trunk.3.*');
  assert.deepEqual(trainableNames(model), [
    'trunk.3.weight',
    'trunk.3.bias',
    'heads.target.weight',
    'heads.target.bias',
  ]);
  assert.throws(() => freeze(model, 'backbone.*'), /matches no parameter/);
});

test('a step with a frozen trunk changes only the trainable parameters', () => {
  const model = tinyModel();
  freeze(model, 'trunk.*');
  const before = snapshot(model);
  const opt = new optim.Adam(model.parameters(), { lr: 0.1 });
  nn.functional.crossEntropy(model.run(randn([4, 12])).outputs['target']!, labels(4)).backward();
  opt.step();
  assert.deepEqual(changedNames(model, before), ['heads.target.weight', 'heads.target.bias']);
});

test('frozen batch-norm statistics stay unchanged while the rest trains, even after model.train()', () => {
  const model = tinyModel(0, true);
  const bn = model.trunk.namedModules().find(([, m]) => m instanceof nn.BatchNorm2d)![1] as nn.BatchNorm2d;
  bn.runningMean!.data.set([0.1, 0.2, 0.3]);
  const stats = [
    Float32Array.from(bn.runningMean!.data as Float32Array),
    Float32Array.from(bn.runningVar!.data as Float32Array),
  ];
  const release = freezeBatchNormStats(model);
  model.train();
  assert.equal(bn.training, false);
  const before = snapshot(model);
  const opt = new optim.Adam(model.parameters(), { lr: 0.1 });
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    nn.functional.crossEntropy(model.run(randn([4, 1, 4, 4])).outputs['target']!, labels(4)).backward();
    opt.step();
  }
  assert.deepEqual(bn.runningMean!.data, stats[0]);
  assert.deepEqual(bn.runningVar!.data, stats[1]);
  assert.equal(bn.numBatchesTracked!.data[0], 0);
  assert.ok(changedNames(model, before).includes('trunk.0.weight'));
  release();
  model.train();
  assert.equal(bn.training, true);
  model.run(randn([4, 1, 4, 4]));
  assert.notDeepEqual(bn.runningMean!.data, stats[0]);
});
