import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad, randn } from '../../src/index.js';
import { TensorDataset } from '../../src/data/index.js';
import {
  buildModel,
  loadPretrained,
  pretrain,
  rankCheckpoints,
  savePretrained,
  transferabilityScores,
} from '../../src/transfer/index.js';
import { maxAbsDiff, tinyData } from './helpers.js';
import { plain } from '../helpers/plain.js';

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytask-transfer-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a checkpoint rebuilds its model from { arch, config, tasks } with the same outputs',
  withDir((dir) => {
    const desc = {
      arch: 'cnn',
      config: { height: 8, width: 8, channels: [2], hidden: 4, batchNorm: true },
      tasks: [
        { name: 'a', classes: 3 },
        { name: 'b', classes: 2 },
      ],
    };
    const model = buildModel(desc);
    const info = savePretrained(dir, model, desc, { epoch: 2, source: { examples: 120 } });
    const fromRun = loadPretrained(dir);
    const fromPath = loadPretrained(info.path);
    assert.equal(fromRun.path, info.path);
    assert.deepEqual(fromPath.description.tasks, desc.tasks);
    assert.equal(fromPath.description.config['inChannels'], 1, 'defaults are stored with the checkpoint');
    assert.deepEqual(plain(fromPath.source), { examples: 120 });
    const x = randn([2, 1, 8, 8]);
    model.eval();
    fromPath.model.eval();
    for (const t of ['a', 'b']) {
      assert.equal(
        maxAbsDiff(noGrad(() => model.run(x).outputs[t]!).data, noGrad(() => fromPath.model.run(x).outputs[t]!).data),
        0,
      );
    }
  }),
);

test(
  'saving checks that the description rebuilds the model; loading names what is wrong',
  withDir((dir) => {
    const model = buildModel({ arch: 'mlp', config: { inputs: 4, hidden: [3] }, tasks: [{ name: 'a', classes: 2 }] });
    assert.throws(
      () =>
        savePretrained(dir, model, {
          arch: 'mlp',
          config: { inputs: 4, hidden: [5] },
          tasks: [{ name: 'a', classes: 2 }],
        }),
      /shape mismatch/,
    );
    assert.throws(
      () => savePretrained(dir, model, { arch: 'resnet', config: {}, tasks: [{ name: 'a', classes: 2 }] }),
      /unknown arch "resnet"/,
    );
    assert.throws(() => loadPretrained(join(dir, 'missing')), /does not exist/);
    assert.throws(() => loadPretrained(dir), /holds no complete checkpoint/);
    writeFileSync(join(dir, 'note.txt'), 'x');
    assert.throws(
      () => buildModel({ arch: 'cnn', config: { chanels: [4] }, tasks: [{ name: 'a', classes: 2 }] }),
      /arch 'cnn' config: unknown key "chanels"; did you mean "channels"\?/,
    );
  }),
);

test('multi-task pre-training trains one head per task on the shared trunk', async () => {
  const a = tinyData(24, [12], 2);
  const b = new TensorDataset(
    tinyData(16, [12], 3).features,
    [12],
    Int32Array.from({ length: 16 }, (_, i) => i % 2),
  );
  const epochs: number[] = [];
  const { model, description, history } = await pretrain({
    arch: 'mlp',
    config: { inputs: 12, hidden: [8] },
    epochs: 3,
    batchSize: 8,
    lr: 1e-2,
    seed: 0,
    tasks: [
      { name: 'three', classes: 3, train: a },
      { name: 'two', classes: 2, train: b },
    ],
    onEpoch: (e) => epochs.push(e.epoch),
  });
  assert.deepEqual(model.taskNames, ['three', 'two']);
  assert.deepEqual(
    description.tasks.map((t) => t.classes),
    [3, 2],
  );
  assert.deepEqual(epochs, [0, 1, 2]);
  assert.ok(history[2]!.loss < history[0]!.loss, 'the loss falls');
  await assert.rejects(
    pretrain({
      arch: 'mlp',
      config: {},
      epochs: 1,
      batchSize: 8,
      lr: 1e-2,
      seed: 0,
      tasks: [{ name: 'x', classes: 2, train: a }],
    }),
    /outside \[0, 2\)/,
  );
});

test(
  'rankCheckpoints puts a source trained on related data above an untrained one',
  withDir(async (dir) => {
    // targets: classes told apart by the sign of the first input; the "related" source learnt exactly that
    const n = 120;
    const x = randn([n, 12]);
    const y = Int32Array.from({ length: n }, (_, i) => (x.data[i * 12]! > 0 ? 1 : 0));
    const target = new TensorDataset(x.data, [12], y);
    const trained = await pretrain({
      arch: 'mlp',
      config: { inputs: 12, hidden: [8] },
      epochs: 30,
      batchSize: 32,
      lr: 1e-2,
      seed: 1,
      tasks: [{ name: 'sign', classes: 2, train: target }],
    });
    savePretrained(join(dir, 'related'), trained.model, trained.description);
    const random = buildModel(trained.description);
    savePretrained(join(dir, 'random'), random, trained.description);
    const progress: string[] = [];
    const ranking = await rankCheckpoints(
      [join(dir, 'random'), { name: 'related', path: join(dir, 'related') }],
      target,
      { onProgress: (e) => progress.push(e.name) },
    );
    assert.deepEqual(
      ranking.map((r) => [r.rank, r.name]),
      [
        [1, 'related'],
        [2, join(dir, 'random')],
      ],
    );
    assert.equal(progress.length, 2);
    const byLeep = await rankCheckpoints([join(dir, 'random'), join(dir, 'related')], target, { metric: 'leep' });
    assert.equal(byLeep[0]!.name, join(dir, 'related'));
    const s = transferabilityScores(trained.model, target, { maxExamples: 50 });
    assert.equal(s.examples, 50);
    assert.equal(s.sourceTask, 'sign');
    await assert.rejects(rankCheckpoints([], target), /at least one checkpoint/);
  }),
);
