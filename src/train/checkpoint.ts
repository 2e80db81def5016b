/**
 * Writing and reading one checkpoint directory:
 *
 * - `model.safetensors`: the model's state dict (loadable on its own, by PyTorch too);
 * - `optimizer.json` + `optimizer.safetensors`: step counts and hyperparameters as JSON, moments
 *   as tensors;
 * - `state.json` (+ `state.safetensors` when it holds tensors): scheduler, data loader, random
 *   state, counters — whatever the caller needs to resume;
 * - `metadata.json`: the caller's description (architecture, tasks);
 * - files the caller adds beside them (`files`: a text model's `tokenizer.json`), read back with
 *   readCheckpointFile;
 * - `manifest.json`, last: sizes and SHA-256 of the others.
 *
 * Every file is written atomically (temp file, fsync, rename), so a kill at any instant leaves the
 * previous checkpoints intact and this one either complete or without a manifest.
 *
 * @example
 * const info = saveCheckpoint('runs/a', { step: 120, epoch: 3, model: model.stateDict() }, { keepLast: 3 });
 * const saved = loadCheckpoint(info.path);
 * model.loadStateDict(saved.model);
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '../core/errors.js';
import { syncDirSync, writeFileAtomicSync } from '../io/atomic.js';
import { guardedMkdirSync } from '../io/run-guard.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import type { Tensor } from '../tensor/index.js';
import { pruneCheckpoints, removeDirectory, type CheckpointInfo } from './checkpoint-store.js';
import { CheckpointError } from './errors.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  MANIFEST_FILE,
  checkpointName,
  manifestEntry,
  readManifest,
  type Manifest,
} from './manifest.js';
import { packState, unpackState, type JsonValue } from './state-codec.js';

/** What a checkpoint holds. */
export interface CheckpointContents {
  /** Optimizer steps completed. */
  step: number;
  /** Epochs completed. */
  epoch: number;
  /** The model's state dict. */
  model: Record<string, Tensor>;
  /** An optimizer's stateDict(): tensors go to safetensors, the rest to JSON. */
  optimizer?: unknown;
  /** Anything else needed to resume (plain data and tensors, see packState). */
  state?: unknown;
  /** The caller's description of the run (architecture, tasks); plain JSON. */
  metadata?: JsonValue;
  /** More files by name (letters, digits, '.', '_', '-'; not one of the names above), listed in the manifest. */
  files?: Readonly<Record<string, string | Uint8Array>>;
}

export interface SaveCheckpointOptions {
  /** Keep this many newest complete checkpoints in the directory (Infinity: all). Default: all. */
  keepLast?: number;
}

const json = (v: JsonValue): string => `${JSON.stringify(v, null, 1)}\n`;

/** The files of a checkpoint by name, in the order they are written. */
function encodeFiles(c: CheckpointContents): Map<string, Uint8Array | string> {
  const files = new Map<string, Uint8Array | string>();
  files.set('model.safetensors', encodeSafetensors(c.model));
  const part = (name: string, value: unknown): void => {
    if (value === undefined) return;
    const packed = packState(value);
    files.set(`${name}.json`, json(packed.json));
    if (Object.keys(packed.tensors).length > 0) files.set(`${name}.safetensors`, encodeSafetensors(packed.tensors));
  };
  part('optimizer', c.optimizer);
  part('state', c.state);
  if (c.metadata !== undefined) {
    const packed = packState(c.metadata);
    if (Object.keys(packed.tensors).length > 0)
      throw new ValueError('saveCheckpoint', 'metadata must be plain JSON, without tensors');
    files.set('metadata.json', json(packed.json));
  }
  for (const [name, data] of Object.entries(c.files ?? {})) {
    if (
      !/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name) ||
      files.has(name) ||
      name.startsWith('optimizer.') ||
      name.startsWith('state.') ||
      name === MANIFEST_FILE
    )
      throw new ValueError(
        'saveCheckpoint',
        `files: '${name}' is not a name a checkpoint can hold beside its own files`,
      );
    files.set(name, data);
  }
  return files;
}

/**
 * Writes checkpoint `contents` under `root` as `step-<step>-epoch-<epoch>/`, manifest last, then
 * prunes to `keepLast`. A directory of the same name (an interrupted write) is replaced.
 *
 * @example
 * saveCheckpoint('runs/a', { step, epoch, model: model.stateDict(), optimizer: opt.stateDict() });
 */
export function saveCheckpoint(
  root: string,
  contents: CheckpointContents,
  opts: SaveCheckpointOptions = {},
): CheckpointInfo {
  const { step, epoch } = contents;
  const keepLast = opts.keepLast ?? Infinity;
  if (!Number.isSafeInteger(step) || step < 0)
    throw new ValueError('saveCheckpoint', `step must be a non-negative integer, got ${step}`);
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    throw new ValueError('saveCheckpoint', `epoch must be a non-negative integer, got ${epoch}`);
  if (!(keepLast === Infinity || (Number.isInteger(keepLast) && keepLast >= 1))) {
    throw new ValueError('saveCheckpoint', `keepLast must be a positive integer or Infinity, got ${keepLast}`);
  }
  // Encode everything before touching the disk: an unstorable value fails without leaving a trace.
  const files = encodeFiles(contents);

  guardedMkdirSync(root);
  const name = checkpointName(step, epoch);
  const path = join(root, name);
  if (fs.existsSync(path)) removeDirectory(root, name);
  guardedMkdirSync(path, { recursive: false });
  syncDirSync(root);

  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step,
    epoch,
    createdAt: new Date().toISOString(),
    files: {},
  };
  for (const [file, data] of files) {
    writeFileAtomicSync(join(path, file), data);
    manifest.files[file] = manifestEntry(data);
  }
  writeFileAtomicSync(join(path, MANIFEST_FILE), json(manifest as unknown as JsonValue));
  if (keepLast !== Infinity) pruneCheckpoints(root, keepLast);
  return { path, step, epoch };
}

/** The bytes of `file` in checkpoint `path`, checked against the manifest. */
function readChecked(path: string, manifest: Manifest, file: string): Buffer {
  const entry = manifest.files[file]!;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(join(path, file));
  } catch (err) {
    throw new CheckpointError(path, `${file} is listed in the manifest but cannot be read (${(err as Error).message})`);
  }
  const actual = manifestEntry(bytes);
  if (actual.bytes !== entry.bytes || actual.sha256 !== entry.sha256) {
    throw new CheckpointError(
      path,
      `${file} is damaged: ${actual.bytes} bytes with SHA-256 ${actual.sha256.slice(0, 12)}…, the manifest says ${entry.bytes} bytes with ${entry.sha256.slice(0, 12)}…`,
    );
  }
  return bytes;
}

/**
 * The bytes of an added file (`files` of saveCheckpoint) of the checkpoint in `path`, checked
 * against its manifest; null when the manifest does not list it.
 *
 * @example
 * readCheckpointFile('runs/a/step-00000120-epoch-0003', 'tokenizer.json')?.toString('utf8');
 */
export function readCheckpointFile(path: string, file: string): Buffer | null {
  const manifest = readManifest(path);
  if (manifest === null)
    throw new CheckpointError(
      path,
      `no valid ${MANIFEST_FILE}: not a checkpoint, or one whose writing was interrupted`,
    );
  return Object.hasOwn(manifest.files, file) ? readChecked(path, manifest, file) : null;
}

/**
 * Reads the checkpoint in directory `path`, checking every file against the manifest. Throws a
 * CheckpointError naming the file when one is missing or damaged, or when there is no manifest
 * (an interrupted write).
 *
 * @example
 * const { model: weights, step } = loadCheckpoint('runs/a/step-00000120-epoch-0003');
 */
export function loadCheckpoint(path: string): CheckpointContents & { path: string } {
  const manifest = readManifest(path);
  if (manifest === null) {
    throw new CheckpointError(
      path,
      `no valid ${MANIFEST_FILE}: not a checkpoint, or one whose writing was interrupted`,
    );
  }
  const has = (file: string): boolean => Object.hasOwn(manifest.files, file);
  const tensorsOf = (file: string): Record<string, Tensor> =>
    has(file) ? decodeSafetensors(readChecked(path, manifest, file), join(path, file)).tensors : {};
  const jsonOf = (file: string): JsonValue => {
    const text = readChecked(path, manifest, file).toString('utf8');
    try {
      return JSON.parse(text) as JsonValue;
    } catch (err) {
      throw new CheckpointError(path, `${file} is not JSON (${(err as Error).message})`);
    }
  };
  const part = (name: string): unknown => {
    if (!has(`${name}.json`)) return undefined;
    try {
      return unpackState(jsonOf(`${name}.json`), tensorsOf(`${name}.safetensors`));
    } catch (err) {
      if (err instanceof CheckpointError) throw err;
      throw new CheckpointError(path, `${name}.json: ${(err as Error).message}`);
    }
  };
  if (!has('model.safetensors')) throw new CheckpointError(path, 'the manifest lists no model.safetensors');
  const out: CheckpointContents & { path: string } = {
    path,
    step: manifest.step,
    epoch: manifest.epoch,
    model: tensorsOf('model.safetensors'),
  };
  const optimizer = part('optimizer');
  const state = part('state');
  if (optimizer !== undefined) out.optimizer = optimizer;
  if (state !== undefined) out.state = state;
  if (has('metadata.json')) out.metadata = unpackState(jsonOf('metadata.json'), {}) as JsonValue;
  return out;
}
