/**
 * The checkpoint manifest and directory names. A checkpoint is a directory
 * `step-00000120-epoch-0003` whose `manifest.json`, written after every other file, lists each
 * file with its size and SHA-256: a directory without a valid manifest is an interrupted write and
 * is never taken for a checkpoint, and a file that does not match its entry is reported as damaged.
 *
 * @example
 * checkpointName(120, 3);                  // 'step-00000120-epoch-0003'
 * readManifest('run/step-00000120-epoch-0003')?.files['model.safetensors']?.sha256;
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
export const CHECKPOINT_FORMAT = 'polytask-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** One file of a checkpoint as the manifest records it. */
export interface ManifestEntry {
  bytes: number;
  sha256: string;
}

/** The last file of a checkpoint: what it holds and how to check it. */
export interface Manifest {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  /** Optimizer steps completed. */
  step: number;
  /** Epochs completed (end-of-epoch work included). */
  epoch: number;
  /** When it was written (ISO 8601); informative only. */
  createdAt: string;
  files: Record<string, ManifestEntry>;
}

const NAME = /^step-(\d{8,})-epoch-(\d{4,})$/;

/**
 * The directory name of the checkpoint after `step` steps and `epoch` epochs. Zero-padded so that
 * a listing sorts in training order; the epoch is part of the name because the checkpoint after an
 * epoch's last step and the one after its end-of-epoch work (evaluation) share the step count.
 *
 * @example
 * checkpointName(7, 0); // 'step-00000007-epoch-0000'
 */
export function checkpointName(step: number, epoch: number): string {
  return `step-${String(step).padStart(8, '0')}-epoch-${String(epoch).padStart(4, '0')}`;
}

/**
 * The step and epoch a checkpoint directory name encodes, or null for any other name.
 *
 * @example
 * parseCheckpointName('step-00000007-epoch-0000'); // { step: 7, epoch: 0 }
 */
export function parseCheckpointName(name: string): { step: number; epoch: number } | null {
  const m = NAME.exec(name);
  return m === null ? null : { step: Number(m[1]), epoch: Number(m[2]) };
}

/**
 * The manifest entry of `bytes`.
 *
 * @example
 * manifestEntry(new Uint8Array([1, 2])).bytes; // 2
 */
export function manifestEntry(bytes: Uint8Array | string): ManifestEntry {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return { bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function isEntry(v: unknown): v is ManifestEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return isCount(e['bytes']) && typeof e['sha256'] === 'string' && /^[0-9a-f]{64}$/.test(e['sha256']);
}

/**
 * The manifest of checkpoint directory `dir`, or null when there is none or it is not a complete,
 * well-formed manifest of this format (an interrupted write, or another program's directory).
 *
 * @example
 * const m = readManifest('run/step-00000120-epoch-0003');
 * const complete = m !== null;
 */
export function readManifest(dir: string): Manifest | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
  } catch {
    // Missing or unparsable: either way the checkpoint was never completed.
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const m = parsed as Record<string, unknown>;
  if (m['format'] !== CHECKPOINT_FORMAT || m['version'] !== CHECKPOINT_VERSION) return null;
  if (!isCount(m['step']) || !isCount(m['epoch']) || typeof m['createdAt'] !== 'string') return null;
  const files = m['files'];
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return null;
  for (const [name, entry] of Object.entries(files)) {
    // Names are plain file names inside the directory, never paths out of it.
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.') || name === MANIFEST_FILE || !isEntry(entry))
      return null;
  }
  return parsed as Manifest;
}
