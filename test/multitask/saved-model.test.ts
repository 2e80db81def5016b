/**
 * A multi-task model as a run keeps it: the description rebuilds the same model (trunk by input
 * shape, one head per task, class names kept), a checkpoint round-trips, and what a crafted
 * metadata.json declares is checked before anything is built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { manualSeed } from '../../src/core/rng.js';
import { defineTask } from '../../src/multitask/task.js';
import {
  buildMultiTaskModel,
  describeMultiTaskModel,
  loadMultiTaskCheckpoint,
} from '../../src/multitask/saved-model.js';
import { withReportMetrics } from '../../src/multitask/task-report.js';
import { randn } from '../../src/tensor/index.js';
import { saveCheckpoint, type JsonValue } from '../../src/train/index.js';

const tasks = [
  defineTask({ name: 'digit', kind: 'multiclass', classes: 10, metrics: ['accuracy', 'macroF1'] }),
  defineTask({ name: 'parity', kind: 'multiclass', classes: 2, labelNames: ['even', 'odd'] }),
  defineTask({ name: 'size', kind: 'regression', outputs: 2 }),
];

test('the trunk follows the input shape; the description round-trips through a checkpoint', () => {
  assert.equal(describeMultiTaskModel(tasks, [1, 28, 28], 4, 'auto').trunk.kind, 'cnn');
  assert.equal(describeMultiTaskModel(tasks, [1, 8, 8], 4, 'auto').trunk.kind, 'mlp');
  assert.equal(describeMultiTaskModel(tasks, [1, 28, 28], 4, 'mlp').trunk.kind, 'mlp');
  assert.throws(() => describeMultiTaskModel(tasks, [64], 4, 'cnn'), /the cnn trunk needs images/);
  const d = describeMultiTaskModel(tasks, [64], 3, 'auto', { columns: ['a'], scale: 0.5 });
  manualSeed(1);
  const model = buildMultiTaskModel(d);
  const x = randn([5, 64]);
  const out = model.forward(x);
  assert.deepEqual(
    [out.digit!.shape, out.parity!.shape, out.size!.shape],
    [
      [5, 10],
      [5, 2],
      [5, 2],
    ],
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polytask-saved-'));
  try {
    saveCheckpoint(dir, { step: 1, epoch: 1, model: model.stateDict(), metadata: d as unknown as JsonValue });
    const again = loadMultiTaskCheckpoint(dir);
    assert.deepEqual(again.description, d);
    assert.deepEqual(again.tasks[1]!.labelNames, ['even', 'odd']);
    assert.deepEqual(again.tasks[0]!.metricNames, ['accuracy', 'macroF1']);
    assert.deepEqual(Array.from(again.model.forward(x).size!.data), Array.from(out.size!.data));
    // a crafted description: a trunk of a billion parameters is refused before it is built
    const huge = { ...d, trunk: { ...d.trunk, inputShape: [1000, 1000], width: 4000 } };
    const crafted = path.join(dir, 'crafted');
    saveCheckpoint(crafted, { step: 1, epoch: 1, model: model.stateDict(), metadata: huge as unknown as JsonValue });
    assert.throws(() => loadMultiTaskCheckpoint(crafted), /parameters is more than the limit/);
    const other = path.join(dir, 'other');
    saveCheckpoint(other, { step: 1, epoch: 1, model: model.stateDict(), metadata: { arch: 'mlp' } });
    assert.throws(() => loadMultiTaskCheckpoint(other), /metadata\.json: format: /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('report metrics: the kind standard set first, then what the task lists', () => {
  assert.deepEqual(withReportMetrics(tasks[0]!).metricNames, ['accuracy', 'macroF1']);
  assert.deepEqual(withReportMetrics(tasks[2]!).metricNames, ['mae', 'rmse']);
  const r2 = defineTask({ name: 'y', kind: 'regression', metrics: ['r2', 'mae'] });
  assert.deepEqual(withReportMetrics(r2).metricNames, ['mae', 'rmse', 'r2']);
  assert.deepEqual(withReportMetrics(tasks[1]!).labelNames, ['even', 'odd']);
});
