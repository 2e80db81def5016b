import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '../../src/core/errors.js';
import { manualSeed } from '../../src/core/rng.js';
import * as nn from '../../src/nn/index.js';
import {
  CheckpointError,
  checkpointDirOf,
  loadCheckpoint,
  loadWeightsStrict,
  saveCheckpoint,
} from '../../src/train/index.js';

test('checkpointDirOf: a checkpoint itself, else the newest complete one under the path, else a ValueError naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-ckload-'));
  try {
    manualSeed(0);
    const model = new nn.Linear(3, 2);
    const first = saveCheckpoint(join(dir, 'run'), { step: 1, epoch: 1, model: model.stateDict() });
    const second = saveCheckpoint(join(dir, 'run'), { step: 2, epoch: 2, model: model.stateDict() });
    assert.equal(checkpointDirOf(first.path, 'here'), first.path);
    assert.equal(checkpointDirOf(join(dir, 'run'), 'here'), second.path);
    assert.throws(
      () => checkpointDirOf(join(dir, 'nowhere'), 'loadPretrained'),
      (e: Error) => e instanceof ValueError && e.message === `loadPretrained: ${join(dir, 'nowhere')} does not exist`,
    );
    mkdirSync(join(dir, 'empty'));
    assert.throws(
      () => checkpointDirOf(join(dir, 'empty'), 'multi-task model'),
      (e: Error) =>
        e instanceof ValueError &&
        e.message.startsWith(`multi-task model: ${join(dir, 'empty')} holds no complete checkpoint (no `),
    );

    // weights load strictly into a model of the same shape; another shape names the checkpoint
    const twin = new nn.Linear(3, 2);
    loadWeightsStrict(twin, loadCheckpoint(second.path).model, second.path);
    assert.deepEqual(twin.weight.toArray(), model.weight.toArray());
    assert.throws(
      () => loadWeightsStrict(new nn.Linear(4, 2), loadCheckpoint(second.path).model, second.path),
      (e: Error) =>
        e instanceof CheckpointError &&
        e.message.includes(second.path) &&
        e.message.includes('model.safetensors does not fit the model metadata.json describes: '),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
