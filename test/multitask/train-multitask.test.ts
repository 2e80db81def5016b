/**
 * Training with a weighting method on the Trainer: losses fall, weights are recorded per window,
 * DWA receives epoch losses, a run resumed from a checkpoint ends where an uninterrupted one does,
 * and the multi-task loader resumes mid-epoch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { manualSeed } from '../../src/core/rng.js';
import { Linear, Tanh, Sequential } from '../../src/nn/index.js';
import { randn } from '../../src/tensor/index.js';
import {
  MultiTaskDataset,
  MultiTaskLoader,
  MultiTaskModel,
  createWeighting,
  defineTask,
  evaluateTasks,
  taskHeads,
  trainMultiTask,
  type WeightingKey,
} from '../../src/multitask/index.js';

const tasks = [defineTask({ name: 'sum', kind: 'regression' }), defineTask({ name: 'diff', kind: 'regression' })];

function data(): MultiTaskDataset {
  manualSeed(100);
  const x = randn([96, 3]);
  const sum = Float32Array.from({ length: 96 }, (_, i) => x.data[3 * i]! + x.data[3 * i + 1]!);
  const diff = Float32Array.from({ length: 96 }, (_, i) => (i % 4 === 0 ? NaN : x.data[3 * i]! - x.data[3 * i + 2]!));
  return new MultiTaskDataset(x.data as Float32Array, [3], { sum: { data: sum }, diff: { data: diff } });
}

async function train(
  key: WeightingKey,
  epochs: number,
  dir?: string,
): Promise<{ model: MultiTaskModel; history: number[]; weights: number }> {
  manualSeed(7);
  const model = new MultiTaskModel(new Sequential(new Linear(3, 16), new Tanh()), taskHeads(16, tasks));
  const method = createWeighting(key, ['sum', 'diff']);
  const run = await trainMultiTask({
    model,
    tasks,
    method,
    epochs,
    lr: 0.02,
    weightsEvery: 4,
    loader: new MultiTaskLoader(data(), { batchSize: 16, shuffle: true, seed: 3 }),
    ...(dir === undefined ? {} : { checkpoint: { dir, everyEpochs: 1 } }),
  });
  return { model, history: run.fit.history.map((e) => e.loss), weights: run.weights.steps.length };
}

test('training lowers the losses and records the weights per window', async () => {
  const { model, history, weights } = await train('uw', 6);
  assert.ok(history.at(-1)! < history[0]! * 0.7, `losses ${history.map((l) => l.toFixed(3)).join(' ')}`);
  assert.equal(weights, Math.ceil((6 * 6) / 4));
  const scores = evaluateTasks(model, tasks, new MultiTaskLoader(data(), { batchSize: 32, seed: 0 }));
  assert.ok(scores['sum']!['mae']! < 1);
});

test("DWA hears each epoch's mean task losses", async () => {
  const method = createWeighting('dwa', ['sum', 'diff']);
  const seen: Record<string, number>[] = [];
  const original = method.epochEnd!.bind(method);
  method.epochEnd = (l) => {
    seen.push({ ...l });
    original(l);
  };
  manualSeed(7);
  const model = new MultiTaskModel(new Sequential(new Linear(3, 8), new Tanh()), taskHeads(8, tasks));
  await trainMultiTask({
    model,
    tasks,
    method,
    epochs: 3,
    loader: new MultiTaskLoader(data(), { batchSize: 32, seed: 1 }),
  });
  assert.equal(seen.length, 3);
  assert.ok(seen.every((l) => Number.isFinite(l['sum']) && Number.isFinite(l['diff'])));
});

test('a run resumed from its checkpoint ends with the weights of an uninterrupted run', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'polytask-mtl-'));
  const straight = await train('famo', 3, path.join(root, 'a'));
  await train('famo', 1, path.join(root, 'b'));
  const resumed = await train('famo', 3, path.join(root, 'b'));
  const a = straight.model.stateDict();
  const b = resumed.model.stateDict();
  for (const k of Object.keys(a)) assert.deepEqual(b[k]!.data, a[k]!.data, k);
});

test('the multi-task loader resumes mid-epoch', () => {
  const ds = data();
  const l1 = new MultiTaskLoader(ds, { batchSize: 10, shuffle: true, seed: 5 });
  const it = l1[Symbol.iterator]();
  it.next();
  it.next();
  const saved = JSON.parse(JSON.stringify(l1.state()));
  const next = it.next().value!.x.data;
  const l2 = new MultiTaskLoader(ds, { batchSize: 10, shuffle: true, seed: 99 });
  l2.loadState(saved);
  assert.deepEqual(l2[Symbol.iterator]().next().value!.x.data, next);
  assert.equal(l1.batchesPerEpoch, 10);
});
