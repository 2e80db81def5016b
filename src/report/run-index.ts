/**
 * The run index: one SQLite database per runs root (`index.sqlite`) that lists every run with its
 * kind, status, config and key numbers, so `runs list` and `runs compare` need not walk the
 * directories. Several polytask processes may write at once: the database is in WAL mode (readers
 * never block the writer), waits on a lock instead of failing (busy timeout), and every write is
 * one `BEGIN IMMEDIATE` transaction, so concurrent writers queue rather than lose an update.
 *
 * @example
 * const index = RunIndex.open('runs/index.sqlite');
 * index.put(run, config);
 * index.list({ kind: 'train' }).map((r) => r.id);
 * index.close();
 */
import Database from 'better-sqlite3';
import { ValueError } from '../core/errors.js';
import type { RunInfo, RunStatus } from './run-dir.js';

/** A run as the index knows it. */
export interface RunRecord {
  id: string;
  kind: string;
  dir: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  config: unknown;
  summary: Record<string, unknown>;
}

/** Which runs `list` returns; newest first. */
export interface RunFilter {
  kind?: string;
  status?: RunStatus;
  limit?: number;
}

/** The index's file name inside a runs root. */
export const INDEX_FILE = 'index.sqlite';

/** How long a writer waits for another's lock before failing. */
const BUSY_TIMEOUT_MS = 15_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  dir TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  config TEXT NOT NULL,
  summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at);
`;

interface Row {
  id: string;
  kind: string;
  dir: string;
  status: RunStatus;
  created_at: string;
  updated_at: string;
  config: string;
  summary: string;
}

function toRecord(r: Row): RunRecord {
  return {
    id: r.id,
    kind: r.kind,
    dir: r.dir,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    config: JSON.parse(r.config) as unknown,
    summary: JSON.parse(r.summary) as Record<string, unknown>,
  };
}

const isBusy = (err: unknown): boolean =>
  /^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown } | null)?.code ?? ''));

/**
 * Runs `fn`, retrying while another connection holds a lock the busy handler does not cover
 * (switching to WAL, or a lock upgrade that SQLite refuses at once to avoid a deadlock).
 */
function retryBusy<T>(fn: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    }
  }
}

/**
 * A connection to a runs root's index; open, use, close (each command holds it briefly).
 *
 * @example
 * const index = RunIndex.open('runs/index.sqlite');
 * try { index.find('3fa2c1'); } finally { index.close(); }
 */
export class RunIndex {
  private constructor(private readonly db: Database.Database) {}

  /**
   * Opens (creating when missing) the index at `path`.
   *
   * @example
   * const index = RunIndex.open(join(runsRoot, INDEX_FILE));
   */
  static open(path: string): RunIndex {
    const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    try {
      retryBusy(() => db.pragma('journal_mode = WAL'));
      retryBusy(() => db.transaction(() => db.exec(SCHEMA)).immediate());
    } catch (err) {
      db.close();
      throw err;
    }
    return new RunIndex(db);
  }

  /**
   * Adds a run, or replaces the record of the same id (a resumed run).
   *
   * @example
   * index.put(createRunDir(root, 'train', config), config);
   */
  put(info: RunInfo, config: unknown): void {
    const stmt = this.db.prepare(`INSERT INTO runs (id, kind, dir, status, created_at, updated_at, config, summary)
      VALUES (@id, @kind, @dir, @status, @createdAt, @updatedAt, @config, @summary)
      ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, dir = excluded.dir, status = excluded.status,
        updated_at = excluded.updated_at, config = excluded.config, summary = excluded.summary`);
    const row = { ...info, config: JSON.stringify(config ?? null), summary: JSON.stringify(info.summary) };
    retryBusy(() => this.db.transaction(() => stmt.run(row)).immediate());
  }

  /**
   * Records a run's new status and key numbers.
   *
   * @example
   * index.update(finishRunDir(run.dir, { status: 'completed', summary }));
   */
  update(info: RunInfo): void {
    const stmt = this.db.prepare('UPDATE runs SET status = ?, updated_at = ?, summary = ? WHERE id = ?');
    const changes = retryBusy(() =>
      this.db
        .transaction(() => stmt.run(info.status, info.updatedAt, JSON.stringify(info.summary), info.id).changes)
        .immediate(),
    );
    if (changes === 0) throw new ValueError('run index', `no run '${info.id}' to update`);
  }

  /**
   * The runs that match `filter`, newest first.
   *
   * @example
   * index.list({ status: 'completed', limit: 10 });
   */
  list(filter: RunFilter = {}): RunRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.kind !== undefined) {
      where.push('kind = ?');
      args.push(filter.kind);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      args.push(filter.status);
    }
    const sql = `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
    args.push(filter.limit ?? -1);
    return (this.db.prepare(sql).all(...args) as Row[]).map(toRecord);
  }

  /**
   * The run with this id, or the only one whose id starts or ends with `ref` (the random suffix is
   * enough to name a run); null when none does. Several matches are an error naming them.
   *
   * @example
   * index.find('3fa2c1')?.dir;
   */
  find(ref: string): RunRecord | null {
    const exact = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(ref) as Row | undefined;
    if (exact !== undefined) return toRecord(exact);
    const rows = this.db
      .prepare('SELECT * FROM runs WHERE substr(id, 1, length(?)) = ? OR substr(id, -length(?)) = ? ORDER BY id')
      .all(ref, ref, ref, ref) as Row[];
    if (rows.length > 1)
      throw new ValueError(
        'run',
        `'${ref}' matches ${rows.length} runs: ${rows
          .slice(0, 5)
          .map((r) => r.id)
          .join(', ')}${rows.length > 5 ? ', ...' : ''}`,
      );
    return rows.length === 1 ? toRecord(rows[0]!) : null;
  }

  /** Number of runs in the index. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
  }

  /** Closes the connection (a WAL checkpoint happens when the last one closes). */
  close(): void {
    this.db.close();
  }
}
