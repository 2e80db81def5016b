/**
 * Sub-run records: what makes a study resumable. A study is many independent, separately seeded
 * training runs (seeds × budgets × methods, plus shared steps such as pre-training a source
 * model); each one's result is recorded under a stable id as it finishes, and a study run again
 * over the same records skips the recorded runs and takes their results instead, so an
 * interrupted study continues where it stopped and ends with the result of an uninterrupted one.
 *
 * `SubRunStore` is what a study needs; `FileSubRunStore` keeps the records in a directory, one
 * JSON file per sub-run written atomically (`<id>.json`: the id, the guard, the result) and a
 * directory per sub-run for its files (`<id>/`: a pre-trained model a later sub-run starts from).
 * Every record carries a hash of the study's resolved config and the backend's name, and where the
 * study gives one, a digest of its data fingerprint: records made under another config, backend or
 * data are refused, since mixing them would not give the result of one study. Numbers JSON cannot hold (NaN, ±Infinity, -0) are stored exactly.
 *
 * @example
 * const store = FileSubRunStore.open('runs/a/subruns', { config });
 * await runMtlStudy(config, onProgress, { subRuns: store });   // Ctrl-C, then the same call again (see runner.ts)
 * store.size;                                                  // sub-runs recorded so far
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { getBackend } from '../backend/registry.js';
import { ValueError } from '../core/errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { guardedMkdirSync } from '../io/run-guard.js';
import { packState, unpackState, type JsonValue } from '../train/index.js';
import { hasFields } from './records.js';
import { recordFrom } from '../core/safe-keys.js';

/**
 * Where a study records its finished sub-runs and finds them again.
 *
 * @example
 * const known = store.get('pcgrad-seed0');
 * if (known === undefined) store.put('pcgrad-seed0', await train());
 */
export interface SubRunStore {
  /** The recorded result of sub-run `id`; undefined when it has not finished. */
  get(id: string): unknown;
  /** Records the result of the finished sub-run `id` (plain JSON-like data) durably, with who trained it and how long it took. */
  put(id: string, result: unknown, meta?: SubRunMeta): void;
  /** A directory of sub-run `id`'s own (created if missing), for files later sub-runs reuse. */
  dir(id: string): string;
}

/** Who trained a sub-run and how long it took; kept beside its result, not part of it. */
export interface SubRunMeta {
  /** 'local', or the worker that trained it ('host:pid'). */
  worker: string;
  seconds: number;
}

export interface FileSubRunStoreOptions {
  /** The study's resolved config (its key included where several studies share a directory). */
  config: unknown;
  /** The backend the results are computed on. Default: the active backend's name. */
  backend?: string;
  /** Hears about a record that cannot be read; that sub-run is then run again. */
  onWarning?: (message: string) => void;
  /**
   * A digest of the data fingerprint (src/data/fingerprint.ts) of what the study reads: carried by
   * every record; a record of other data is refused. Absent: not recorded, not checked.
   */
  data?: string;
}

/** One record file's contents. */
interface SubRunRecord {
  id: string;
  config: string;
  backend: string;
  result: JsonValue;
  /** The data fingerprint's digest, where the study gave one. */
  data?: string;
  worker?: string;
  seconds?: number;
}

/** JSON with object keys in sorted order: equal values give equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? recordFrom(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * A SHA-256 (hex) of `config` that ignores the order of object keys.
 *
 * @example
 * configHash({ a: 1, b: 2 }) === configHash({ b: 2, a: 1 }); // true
 */
export function configHash(config: unknown): string {
  return createHash('sha256').update(canonical(config)).digest('hex');
}

/**
 * A file name for `id`, distinct for distinct ids (percent-encoding, as in URLs); dots are encoded
 * too, so no id names '.', '..' or a hidden file.
 */
function fileStem(id: string): string {
  return encodeURIComponent(id).replace(/[!'()*.]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function isRecord(v: unknown): v is SubRunRecord {
  return hasFields(v, { id: 'string', config: 'string', backend: 'string' }) && 'result' in v;
}

/** Sub-run records in a directory, one atomically written file each (see the module comment). */
export class FileSubRunStore implements SubRunStore {
  readonly #records = new Map<string, unknown>();

  private constructor(
    readonly root: string,
    readonly hash: string,
    readonly backend: string,
    readonly data: string | undefined,
  ) {}

  /**
   * Opens (creating it if missing) the records under `root` for a study with `options.config`.
   * A record of another config or backend is an error naming its file; a record that cannot be
   * read is reported to `onWarning` and left out, so its sub-run runs again and replaces it.
   *
   * @example
   * const store = FileSubRunStore.open(join(run.dir, 'subruns'), { config, onWarning: (m) => out.note(m) });
   */
  static open(root: string, options: FileSubRunStoreOptions): FileSubRunStore {
    const store = new FileSubRunStore(
      root,
      configHash(options.config),
      options.backend ?? getBackend().name,
      options.data,
    );
    guardedMkdirSync(root);
    for (const name of fs
      .readdirSync(root)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const path = join(root, name);
      let record: unknown;
      try {
        record = JSON.parse(fs.readFileSync(path, 'utf8'));
      } catch (err) {
        options.onWarning?.(`${path}: not valid JSON (${(err as Error).message}); that sub-run runs again`);
        continue;
      }
      if (!isRecord(record) || `${fileStem(record.id)}.json` !== name) {
        options.onWarning?.(
          `${path}: not a sub-run record (expected { id, config, backend, result } under its id's file name); that sub-run runs again`,
        );
        continue;
      }
      if (record.config !== store.hash) {
        throw new ValueError(
          path,
          `recorded under another study config (hash ${record.config.slice(0, 12)}, this one ${store.hash.slice(0, 12)}); a study resumes only with the config it started with`,
        );
      }
      if (record.backend !== store.backend) {
        throw new ValueError(
          path,
          `recorded on the ${record.backend} backend, this process runs on ${store.backend}; resume with POLYTASK_BACKEND=${record.backend}`,
        );
      }
      if (store.data !== undefined && record.data !== undefined && record.data !== store.data) {
        throw new ValueError(
          path,
          `recorded with other data (fingerprint ${record.data}, now ${store.data}); a study resumes only over the data it started with`,
        );
      }
      store.#records.set(record.id, unpackState(record.result, {}));
    }
    return store;
  }

  /** Sub-runs recorded. */
  get size(): number {
    return this.#records.size;
  }

  get(id: string): unknown {
    return this.#records.get(id);
  }

  put(id: string, result: unknown, meta?: SubRunMeta): void {
    const { json, tensors } = packState(result);
    if (Object.keys(tensors).length > 0)
      throw new ValueError(
        `sub-run '${id}'`,
        "a recorded result holds plain data; keep tensors in the sub-run's dir()",
      );
    const record: SubRunRecord = {
      id,
      config: this.hash,
      backend: this.backend,
      result: json,
      ...(this.data === undefined ? {} : { data: this.data }),
      ...(meta === undefined ? {} : { worker: meta.worker, seconds: meta.seconds }),
    };
    writeFileAtomicSync(join(this.root, `${fileStem(id)}.json`), `${JSON.stringify(record)}\n`);
    this.#records.set(id, unpackState(json, {}));
  }

  dir(id: string): string {
    return subRunDir(this.root, id);
  }
}

/**
 * The directory of sub-run `id`'s own files under the store directory `root` (created if missing):
 * what FileSubRunStore.dir gives, for a worker that shares the store's directory.
 *
 * @example
 * subRunDir('/shared/runs/20260101-study-e2e-ab12cd/subruns/e2e', 'seed0-pipeline'); // '.../seed0-pipeline'
 */
export function subRunDir(root: string, id: string): string {
  const path = join(root, fileStem(id));
  guardedMkdirSync(path);
  return path;
}

/** One recorded sub-run as `polytask runs show` lists it. */
export interface SubRunLogEntry {
  id: string;
  /** Null for a record written before workers were kept. */
  worker: string | null;
  seconds: number | null;
}

/**
 * The sub-runs recorded under `root` (who trained each and how long it took), in id order,
 * without checking their config: for listings. Missing directory: none.
 *
 * @example
 * subRunLog('runs/20260101-study-mtl-ab12cd/subruns/mtl'); // [{ id: 'ew-seed0', worker: 'node2:4411', seconds: 3.2 }, ...]
 */
export function subRunLog(root: string): SubRunLogEntry[] {
  if (!fs.existsSync(root)) return [];
  const entries: SubRunLogEntry[] = [];
  for (const name of fs
    .readdirSync(root)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    let record: unknown;
    try {
      record = JSON.parse(fs.readFileSync(join(root, name), 'utf8'));
    } catch {
      continue;
    }
    if (!isRecord(record)) continue;
    entries.push({
      id: record.id,
      worker: typeof record.worker === 'string' ? record.worker : null,
      seconds: typeof record.seconds === 'number' ? record.seconds : null,
    });
  }
  return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
