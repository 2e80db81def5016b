import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveStudyConfig } from '../../src/transfer/study/config.js';
import { loadStudyData, studyArch } from '../../src/transfer/study/user-data.js';
import { writeClusters } from '../cli/transfer-helpers.js';

test('studyArch sizes the model from the data, and refuses a cnn on feature vectors', () => {
  const mlp = resolveStudyConfig({ model: { arch: 'mlp', hidden: [16] } }).model;
  assert.deepEqual(studyArch(mlp, [6]), { arch: 'mlp', config: { inputs: 6, hidden: [16] } });
  const cnn = resolveStudyConfig({ model: { arch: 'cnn', channels: [4], hidden: 8 } }).model;
  const c = studyArch(cnn, [3, 8, 8]).config;
  assert.deepEqual([c.inChannels, c.height, c.width, c.channels], [3, 8, 8, [4]]);
  assert.throws(
    () => studyArch(cnn, [6]),
    /^ValueError: model\.arch: cnn needs image inputs .* \[6\]; set model\.arch: mlp$/,
  );
});

test('loadStudyData reads the user source and target through loadData and checks them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-user-data-'));
  try {
    const srcFiles = { features: join(dir, 'src-x.npy'), labels: join(dir, 'src-y.npy') };
    writeClusters(dir, 'src', { format: 'npy', n: 100, classes: 2, features: 5, seed: 1 });
    writeClusters(dir, 'tgt', { format: 'csv', n: 90, classes: 3, features: 5, seed: 2 });
    const source = { data: { source: 'npy' as const, ...srcFiles }, samples: 40 };
    const target = { data: { source: 'csv' as const, file: join(dir, 'tgt.csv'), label: 'label' }, budgets: [3, 6] };
    const data = await loadStudyData(resolveStudyConfig({ model: { arch: 'mlp', hidden: [4] }, source, target }));
    assert.equal(data.direction, 'custom');
    assert.deepEqual(data.featureShape, [5]);
    // source: 80 training examples, a balanced subset of 40; target: 72 training (the pool), 18 test
    assert.equal(data.source.n, 40);
    assert.equal(data.sourceTest.n, 20);
    assert.equal(data.targetPool.n, 72);
    assert.equal(data.targetTest.n, 18);
    assert.deepEqual(data.targetPool.classNames, ['0', '1', '2']);
    assert.equal(data.targetPool.images.length, 72 * 5);

    await assert.rejects(
      loadStudyData(resolveStudyConfig({ source, target: { budgets: [3] } })),
      /source\.data: user source data needs user target data/,
    );
    await assert.rejects(
      loadStudyData(resolveStudyConfig({ target })),
      /target\.data: user target data needs the source's data/,
    );
    await assert.rejects(
      loadStudyData(resolveStudyConfig({ model: { arch: 'mlp' }, source, target: { ...target, budgets: [30] } })),
      /target\.budgets: class '0' of CSV file .* has 24 training examples, fewer than the budget of 30 per class/,
    );
    await assert.rejects(
      loadStudyData(
        resolveStudyConfig({
          model: { arch: 'mlp' },
          source: { data: { ...source.data, features: join(dir, 'none.npy') } },
          target,
        }),
      ),
      /source\.data: no such file: .*none\.npy/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
