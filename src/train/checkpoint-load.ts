/**
 * What every loader of a saved model does around `loadCheckpoint`: find the checkpoint a path
 * names (the directory itself when it holds a manifest, else the newest complete checkpoint
 * under it) and load weights into a freshly built model strictly, naming the checkpoint when
 * they do not fit. The transfer checkpoints (transfer/checkpoint.ts) and the multi-task runs'
 * models (multitask/saved-model.ts) both load through these two.
 *
 * @example
 * const dir = checkpointDirOf('runs/r/checkpoints', 'loadPretrained'); // …/step-00000120-epoch-0003
 * const contents = loadCheckpoint(dir);
 * loadWeightsStrict(model, contents.model, dir);
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '../core/errors.js';
import type { LoadStateDictOptions } from '../nn/state.js';
import type { Tensor } from '../tensor/index.js';
import { latestCheckpoint } from './checkpoint-store.js';
import { CheckpointError } from './errors.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';

/**
 * The checkpoint directory `path` names: itself when it holds a manifest, else the newest
 * complete checkpoint in it; a ValueError from `where` otherwise.
 *
 * @example
 * checkpointDirOf('runs/fashion', 'loadPretrained'); // 'runs/fashion/step-00001875-epoch-0002'
 */
export function checkpointDirOf(path: string, where: string): string {
  if (!fs.existsSync(path)) throw new ValueError(where, `${path} does not exist`);
  if (readManifest(path) !== null) return path;
  const latest = latestCheckpoint(path);
  if (latest === null)
    throw new ValueError(
      where,
      `${path} holds no complete checkpoint (no ${join(path, MANIFEST_FILE)} nor step-*-epoch-* directory with one)`,
    );
  return latest.path;
}

/**
 * Loads `weights` into `model` strictly (every name, every shape), or throws a CheckpointError
 * naming the checkpoint `dir` (a shape mismatch alone does not say which checkpoint is at fault).
 *
 * @example
 * loadWeightsStrict(buildModel(description), loadCheckpoint(dir).model, dir);
 */
export function loadWeightsStrict(
  model: { loadStateDict(weights: Readonly<Record<string, Tensor>>, opts: LoadStateDictOptions): unknown },
  weights: Readonly<Record<string, Tensor>>,
  dir: string,
): void {
  try {
    model.loadStateDict(weights, { strict: true });
  } catch (err) {
    throw new CheckpointError(
      dir,
      `model.safetensors does not fit the model metadata.json describes: ${(err as Error).message}`,
    );
  }
}
