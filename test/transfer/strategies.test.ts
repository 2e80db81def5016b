import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optim } from '../../src/index.js';
import { functional } from '../../src/nn/index.js';
import { StoppedError } from '../../src/train/index.js';
import {
  createStrategy,
  fitAdam,
  layerGroups,
  layerwiseParamGroups,
  strategyKeys,
  unfrozenGroups,
  type FineTuneEpoch,
} from '../../src/transfer/index.js';
import { changedNames, quickOptions, snapshot, tinyData, tinyModel } from './helpers.js';

const ALL = [
  'trunk.1.weight',
  'trunk.1.bias',
  'trunk.3.weight',
  'trunk.3.bias',
  'heads.target.weight',
  'heads.target.bias',
];
const HEAD = ['heads.target.weight', 'heads.target.bias'];

async function changedBy(key: string, options = quickOptions()): Promise<string[]> {
  const model = tinyModel();
  const before = snapshot(model);
  await createStrategy(key).fit({ model, task: 'target', train: tinyData(), options });
  return changedNames(model, before);
}

test('the registry knows the six strategies and rejects others', () => {
  assert.deepEqual([...strategyKeys], ['scratch', 'linear-probe', 'full', 'lp-ft', 'gradual', 'discriminative']);
  for (const k of strategyKeys) assert.equal(createStrategy(k).key, k);
  assert.throws(() => createStrategy('finetune'), /unknown strategy 'finetune'/);
});

test('scratch, full and discriminative change every parameter', async () => {
  for (const key of ['scratch', 'full', 'discriminative']) assert.deepEqual(await changedBy(key), ALL, key);
});

test('linear probe changes the head only', async () => {
  assert.deepEqual(await changedBy('linear-probe'), HEAD);
});

test('LP-FT: the probe phase changes the head only; the fine-tuning phase changes everything', async () => {
  assert.deepEqual(await changedBy('lp-ft', quickOptions({ epochs: 0, probeEpochs: 1 })), HEAD);
  assert.deepEqual(await changedBy('lp-ft', quickOptions({ epochs: 1, probeEpochs: 1 })), ALL);
});

test('gradual unfreezing: head in epoch 1, then one more group from the top per epoch', async () => {
  assert.deepEqual(await changedBy('gradual', quickOptions({ epochs: 1 })), HEAD);
  assert.deepEqual(await changedBy('gradual', quickOptions({ epochs: 2 })), [
    'trunk.3.weight',
    'trunk.3.bias',
    ...HEAD,
  ]);
  assert.deepEqual(await changedBy('gradual', quickOptions({ epochs: 3 })), ALL);
  assert.deepEqual(unfrozenGroups(0, 4), [3]);
  assert.deepEqual(unfrozenGroups(1, 4), [2, 3]);
  assert.deepEqual(unfrozenGroups(9, 4), [0, 1, 2, 3]);
});

test('gradual unfreezing reports its epochs in order', async () => {
  const epochs: number[] = [];
  await createStrategy('gradual').fit({
    model: tinyModel(),
    task: 'target',
    train: tinyData(),
    options: quickOptions({ epochs: 3 }),
    onEpoch: (e) => epochs.push(e.epoch),
  });
  assert.deepEqual(epochs, [0, 1, 2]);
});

test('layer groups put a batch norm with the layer before it, heads last', () => {
  assert.deepEqual(
    layerGroups(tinyModel()).map((g) => g.name),
    ['trunk.1', 'trunk.3', 'heads'],
  );
  const bn = layerGroups(tinyModel(0, true));
  assert.deepEqual(
    bn.map((g) => g.name),
    ['trunk.0', 'trunk.5', 'heads'],
  );
  assert.deepEqual(
    bn[0]!.params.map(([n]) => n),
    ['trunk.0.weight', 'trunk.0.bias', 'trunk.1.weight', 'trunk.1.bias'],
  );
});

test('discriminative rates decay geometrically down the param groups of the optimizer', () => {
  const groups = layerwiseParamGroups(tinyModel(), { lr: 1e-3, decay: 0.5 });
  assert.deepEqual(
    groups.map((g) => [g.name, g.lr]),
    [
      ['trunk.1', 2.5e-4],
      ['trunk.3', 5e-4],
      ['heads', 1e-3],
    ],
  );
  const opt = new optim.Adam(
    groups.map(({ name: _n, ...g }) => g),
    { lr: 1 },
  );
  assert.deepEqual(
    opt.paramGroups.map((g) => g.lr),
    [2.5e-4, 5e-4, 1e-3],
  );
  assert.deepEqual(
    opt.paramGroups.map((g) => g.params.length),
    [2, 2, 2],
  );
  const ulmfit = layerwiseParamGroups(tinyModel(), { lr: 2.6 ** 2 });
  assert.ok(Math.abs(ulmfit[0]!.lr - 1) < 1e-12);
  assert.throws(() => layerwiseParamGroups(tinyModel(), { lr: 1e-3, decay: 1.5 }), /decay must be in/);
});

test('frozen BN and L2-SP options reach the end-to-end phase', async () => {
  const model = tinyModel(0, true);
  const bnStats = model.buffers().map((b) => Float32Array.from(b.data as Float32Array));
  await createStrategy('full').fit({
    model,
    task: 'target',
    train: tinyData(6, [1, 4, 4]),
    options: quickOptions({ frozenBatchNorm: true, l2sp: { alpha: 0.1, beta: 0.1 }, bss: { eta: 1e-3 } }),
  });
  model
    .buffers()
    .forEach((b, i) => assert.deepEqual(Float32Array.from(b.data as Float32Array), Float32Array.from(bnStats[i]!)));
});

test('fitAdam stops after the step under way when its signal aborts, rejecting with a StoppedError', async () => {
  const model = tinyModel();
  const head = model.heads.get('target');
  const controller = new AbortController();
  let steps = 0;
  const fit = fitAdam({
    model,
    params: model.parameters(),
    data: tinyData(),
    epochs: 3,
    batchSize: 4,
    lr: 1e-2,
    seed: 0,
    signal: controller.signal,
    loss: (x, y) => {
      steps++;
      if (steps === 4) controller.abort();
      return functional.crossEntropy(head.forward(model.trunk.forward(x)), y);
    },
  });
  await assert.rejects(fit, (e: unknown) => e instanceof StoppedError && e.stepsDone === 4);
  assert.equal(steps, 4, 'no step after the one under way (of 9)');
});

test('a strategy given an aborted signal trains nothing; one aborted in its first phase never starts the second', async () => {
  const model = tinyModel();
  const before = snapshot(model);
  await assert.rejects(
    createStrategy('full').fit({
      model,
      task: 'target',
      train: tinyData(),
      options: quickOptions(),
      signal: AbortSignal.abort(),
    }),
    StoppedError,
  );
  assert.deepEqual(changedNames(model, before), []);

  const controller = new AbortController();
  const epochs: FineTuneEpoch[] = [];
  const ctx = {
    model: tinyModel(),
    task: 'target',
    train: tinyData(),
    options: quickOptions({ epochs: 2, probeEpochs: 2, batchSize: 4 }),
    signal: controller.signal,
    onEpoch: (e: FineTuneEpoch) => {
      epochs.push(e);
      if (e.phase === 'probe' && e.epoch === 0) controller.abort();
    },
  };
  await assert.rejects(
    createStrategy('lp-ft').fit(ctx),
    (e: unknown) => e instanceof StoppedError && e.stepsDone === 3,
  );
  assert.deepEqual(
    epochs.map((e) => `${e.phase} ${e.epoch}`),
    ['probe 0'],
  );
});
