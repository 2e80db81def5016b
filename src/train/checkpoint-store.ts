/**
 * A directory of checkpoints: listing the complete ones in training order, finding the latest,
 * and keeping only the last K. Removal first renames a directory to a hidden `.trash-*` name (one
 * atomic step), so a process killed while deleting never leaves a manifest beside missing files.
 * One trainer writes to a directory at a time. Renames and deletes go through the run guard
 * (src/io/run-guard.ts): pruning never deletes through a link out of the run.
 *
 * @example
 * const latest = latestCheckpoint('runs/mnist');   // null when there is none
 * listCheckpoints('runs/mnist').map((c) => c.step);
 * pruneCheckpoints('runs/mnist', 3);
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { syncDirSync } from '../io/atomic.js';
import { guardedRemoveSync, guardedRenameSync } from '../io/run-guard.js';
import { parseCheckpointName, readManifest } from './manifest.js';

/** A complete checkpoint in a directory. */
export interface CheckpointInfo {
  /** The checkpoint's directory. */
  path: string;
  /** Optimizer steps completed when it was written. */
  step: number;
  /** Epochs completed when it was written. */
  epoch: number;
}

const TRASH_PREFIX = '.trash-';

function entries(root: string): fs.Dirent[] {
  try {
    return fs.readdirSync(root, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * The complete checkpoints under `root` (those with a valid manifest that agrees with the
 * directory's name), oldest first. A missing `root` has none.
 *
 * @example
 * const steps = listCheckpoints('runs/a').map((c) => c.step);   // [100, 200, 300]
 */
export function listCheckpoints(root: string): CheckpointInfo[] {
  const out: CheckpointInfo[] = [];
  for (const e of entries(root)) {
    const parsed = e.isDirectory() ? parseCheckpointName(e.name) : null;
    if (parsed === null) continue;
    const path = join(root, e.name);
    const m = readManifest(path);
    if (m !== null && m.step === parsed.step && m.epoch === parsed.epoch) out.push({ path, ...parsed });
  }
  return out.sort((a, b) => a.step - b.step || a.epoch - b.epoch);
}

/**
 * The newest complete checkpoint under `root`, or null.
 *
 * @example
 * const c = latestCheckpoint('runs/a');
 * if (c !== null) trainer.resume(c.path);
 */
export function latestCheckpoint(root: string): CheckpointInfo | null {
  return listCheckpoints(root).at(-1) ?? null;
}

/**
 * Removes a directory under `root`: renamed out of sight first, then deleted.
 *
 * @example
 * removeDirectory('runs/a', 'step-00000010-epoch-0000');
 */
export function removeDirectory(root: string, name: string): void {
  // crypto, not the seeded stream: housekeeping must not shift the model's random numbers
  const trash = join(root, `${TRASH_PREFIX}${name}-${randomBytes(6).toString('hex')}`);
  guardedRenameSync(join(root, name), trash);
  syncDirSync(root);
  guardedRemoveSync(trash);
}

/**
 * Keeps the newest `keepLast` complete checkpoints under `root` and removes the older ones, along
 * with interrupted writes (checkpoint directories without a valid manifest) and leftovers of
 * interrupted removals. Returns the paths of the checkpoints removed.
 *
 * @example
 * pruneCheckpoints('runs/a', 2);
 */
export function pruneCheckpoints(root: string, keepLast: number): string[] {
  const complete = listCheckpoints(root);
  const keep = new Set(complete.slice(Math.max(0, complete.length - keepLast)).map((c) => c.path));
  const removed: string[] = [];
  for (const e of entries(root)) {
    if (!e.isDirectory()) continue;
    if (e.name.startsWith(TRASH_PREFIX)) {
      guardedRemoveSync(join(root, e.name));
      continue;
    }
    if (parseCheckpointName(e.name) === null || keep.has(join(root, e.name))) continue;
    const wasComplete = complete.some((c) => c.path === join(root, e.name));
    removeDirectory(root, e.name);
    if (wasComplete) removed.push(join(root, e.name));
  }
  return removed;
}
