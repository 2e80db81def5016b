/**
 * The CLI's side of the run store: where the runs root is (`--runs-dir`, else
 * `POLYTASK_RUNS_DIR`, else `./runs`), starting a run (its directory and its row in the index),
 * finding one again by id, id suffix or path, recording how it ended, and the command that
 * resumes it.
 *
 * @example
 * const run = RunSession.start(runsRoot(opts.runsDir), 'train', config);
 * ... train, logging to run.metrics ...
 * run.finish('completed', { accuracy: 0.97 });
 */
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CONFIG_FILE,
  createRunDir,
  finishRunDir,
  INDEX_FILE,
  METRICS_FILE,
  MetricsLog,
  readRunConfig,
  readRunInfo,
  RunIndex,
  type RunInfo,
  type RunStatus,
} from '../report/index.js';
import { CliError, errorLine } from './errors.js';
import { ownerAlive, readLockOwner, RunLock } from './run-lock.js';
import { checkRunRef, checkRunsDirValue, ensureDirectory, indexGuard, withoutHalfRuns } from './runs-root-guard.js';
import { assertNoEscapingLinks } from '../io/contained-paths.js';
import { guardRunDirectory } from '../io/run-guard.js';
import { nullRecord } from '../core/safe-keys.js';

/**
 * The runs root: the flag, else the environment, else `runs` in the working directory.
 *
 * @example
 * runsRoot(undefined); // '/home/me/project/runs'
 */
export function runsRoot(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) checkRunsDirValue(flag, '--runs-dir');
  else if (env.POLYTASK_RUNS_DIR !== undefined) checkRunsDirValue(env.POLYTASK_RUNS_DIR, 'POLYTASK_RUNS_DIR');
  return resolve(flag ?? env.POLYTASK_RUNS_DIR ?? 'runs');
}

/**
 * Runs `fn` with the runs root's index open, closing it after.
 *
 * @example
 * const n = withIndex(root, (index) => index.count());
 */
export function withIndex<T>(root: string, fn: (index: RunIndex) => T): T {
  ensureDirectory(root);
  const path = join(root, INDEX_FILE);
  return indexGuard(path, () => {
    const index = RunIndex.open(path);
    try {
      return fn(index);
    } finally {
      index.close();
    }
  });
}

/**
 * A run's info from a reference: a directory holding run.json, or an id (or the start or end of
 * one) in the root's index. An unknown reference is a CliError saying where it looked. The run's
 * directory is guarded from then on (src/io/run-guard.ts): no write or delete of this process
 * goes through a link out of it.
 *
 * @example
 * findRun(root, '3fa2c1').dir;
 */
export function findRun(root: string, ref: string): RunInfo {
  checkRunRef(ref);
  const found = (dir: string): RunInfo => {
    const info = readRunInfo(dir);
    // whatever the command writes into the run from here on goes through the run guard
    guardRunDirectory(info.dir);
    return info;
  };
  if (fs.existsSync(join(ref, 'run.json'))) return found(ref);
  const indexPath = join(root, INDEX_FILE);
  const record = fs.existsSync(indexPath) ? withIndex(root, (index) => index.find(ref)) : null;
  if (record !== null && fs.existsSync(join(record.dir, 'run.json'))) return found(record.dir);
  if (fs.existsSync(join(root, ref, 'run.json'))) return found(join(root, ref));
  throw new CliError(`no run '${ref}' (neither a run directory nor a run id in ${indexPath}); see: polytask runs list`);
}

/** Run kinds `polytask <kind> --resume` continues from their trainer checkpoints. */
const TRAINING_KINDS = ['train', 'pretrain', 'finetune'];

/**
 * The command that resumes `run` (the main job's: `npm start -- --resume`), or null for a kind
 * that cannot be resumed. A run under another root than the default one gets `--runs-dir`, so
 * the command works as printed.
 *
 * @example
 * resumeCommand({ kind: 'study-mtl', id: '20260101-120000-study-mtl-3fa2c1', dir }, root);
 * // 'polytask study mtl --resume 20260101-120000-study-mtl-3fa2c1'
 */
export function resumeCommand(run: Pick<RunInfo, 'kind' | 'id' | 'dir'>, root: string): string | null {
  const command = TRAINING_KINDS.includes(run.kind)
    ? `polytask ${run.kind}`
    : run.kind.startsWith('study-')
      ? `polytask study ${run.kind.slice('study-'.length)}`
      : run.kind === 'main'
        ? 'npm start --'
        : null;
  if (command === null) return null;
  const quoted = /^[\w@%+=:,./-]+$/.test(root) ? root : `'${root.replaceAll("'", "'\\''")}'`;
  const where = root === runsRoot(undefined) ? '' : ` --runs-dir ${quoted}`;
  // a case's main job resumes only with its --case (the main job checks the stored case against it)
  const mainCase = run.kind === 'main' ? storedCase(run.dir) : null;
  return `${command} --resume ${run.id}${where}${mainCase === null ? '' : ` --case ${mainCase}`}`;
}

/** The `case` a main job's run was started with (its config.json), or null for the embedded MNIST. */
function storedCase(dir: string): string | null {
  const stored = fs.existsSync(join(dir, CONFIG_FILE)) ? readRunConfig(dir) : null;
  if (typeof stored !== 'object' || stored === null || !('case' in stored)) return null;
  return typeof stored.case === 'string' && /^[\w-]+$/.test(stored.case) ? stored.case : null;
}

/**
 * The error for `--resume` of a run of another kind: it says what the run is and how to resume it.
 *
 * @example
 * if (info.kind !== 'train') throw otherKind(info, root);
 */
export function otherKind(run: Pick<RunInfo, 'kind' | 'id' | 'dir'>, root: string): CliError {
  const command = resumeCommand(run, root);
  return new CliError(
    `run ${run.id} is a '${run.kind}' run; ${command === null ? 'it cannot be resumed' : `resume it with: ${command}`}`,
  );
}

/** Why a run failed, as run.json and the index keep it (under `summary.error`). */
export interface RunFailure {
  /** The error's one line, without the `polytask: ` prefix. */
  message: string;
  /** Training steps completed when it failed (of the sub-run under way, in a study). */
  step?: number;
  /** The study's sub-run under way when it failed. */
  subRun?: string;
}

/**
 * The failure recorded in a run's summary, or null when there is none.
 *
 * @example
 * failureOf(findRun(root, 'a1b2c3').summary)?.message;
 */
export function failureOf(summary: Record<string, unknown>): RunFailure | null {
  const e = summary.error;
  if (typeof e !== 'object' || e === null || typeof (e as { message?: unknown }).message !== 'string') return null;
  const { message, step, subRun } = e as Record<string, unknown>;
  return {
    message: message as string,
    ...(typeof step === 'number' ? { step } : {}),
    ...(typeof subRun === 'string' ? { subRun } : {}),
  };
}

/**
 * A failure in words: 'at step 12 of sub-run ew-seed0: loss is NaN ...'.
 *
 * @example
 * describeFailure({ message: 'out of memory', step: 3 }); // 'at step 3: out of memory'
 */
export function describeFailure(f: RunFailure): string {
  const where = [
    ...(f.step === undefined ? [] : [`step ${f.step}`]),
    ...(f.subRun === undefined ? [] : [`${f.step === undefined ? '' : 'of '}sub-run ${f.subRun}`]),
  ].join(' ');
  return where === '' ? f.message : `at ${where}: ${f.message}`;
}

/** How long a run may show 'running' without a lock before it counts as abandoned (its start takes the lock at once). */
const LOCKLESS_GRACE_MS = 10_000;

/**
 * Runs recorded as 'running' whose process is gone (killed, crashed, the machine restarted: its
 * lock names a dead process on this host, or there is no lock at all) are marked 'stopped' in
 * run.json and the index, with a note saying so; the others are returned as they were. Each is
 * marked under its lock, so a run that a live process holds (or has just taken up) is left alone.
 *
 * @example
 * const runs = settleAbandonedRuns(root, index.list());
 */
export function settleAbandonedRuns<R extends RunInfo>(root: string, runs: readonly R[], now = Date.now()): R[] {
  return runs.map((r) => {
    if (r.status !== 'running') return r;
    const owner = readLockOwner(r.dir);
    const gone = owner === null ? now - Date.parse(r.updatedAt) > LOCKLESS_GRACE_MS : !ownerAlive(owner);
    if (!gone || !fs.existsSync(join(r.dir, 'run.json'))) return r;
    let lock: RunLock;
    try {
      lock = RunLock.acquire(r.dir, r.id);
    } catch {
      return r; // taken up again meanwhile
    }
    try {
      const current = readRunInfo(r.dir);
      if (current.status !== 'running') return { ...r, status: current.status, summary: current.summary };
      const note = `its process${owner === null ? '' : ` (pid ${owner.pid})`} ended without recording an outcome (killed, crashed, or the machine restarted)`;
      const info = finishRunDir(r.dir, { status: 'stopped', summary: { ...current.summary, stopped: note } });
      withIndex(root, (index) => index.update(info));
      return { ...r, status: info.status, summary: info.summary, updatedAt: info.updatedAt };
    } finally {
      lock.release();
    }
  });
}

/** A run being executed by this process: its directory, metrics log, and index row. */
export class RunSession {
  readonly metrics: MetricsLog;
  /** Where the run stands, kept up to date by its training callbacks: recorded if it fails. */
  readonly at: { step?: number; subRun?: string } = {};

  private constructor(
    readonly root: string,
    public info: RunInfo,
    private readonly lock: RunLock,
  ) {
    guardRunDirectory(info.dir);
    this.metrics = new MetricsLog(join(info.dir, METRICS_FILE));
  }

  get dir(): string {
    return this.info.dir;
  }

  get id(): string {
    return this.info.id;
  }

  /** Where the run's trainer keeps its checkpoints. */
  get checkpointsDir(): string {
    return join(this.info.dir, 'checkpoints');
  }

  /**
   * Creates the run's directory (with its resolved config) and its index row.
   *
   * @example
   * const run = RunSession.start(root, 'study-mtl', config);
   */
  static start(root: string, kind: string, config: unknown): RunSession {
    ensureDirectory(root);
    const info = withoutHalfRuns(root, () => createRunDir(root, kind, config));
    const lock = RunLock.acquire(info.dir, info.id);
    withIndex(root, (index) => index.put(info, config));
    return new RunSession(root, info, lock);
  }

  /**
   * Takes up an existing run again (to resume it): marked running in its run.json and the index.
   *
   * @example
   * const run = RunSession.reopen(root, findRun(root, ref), storedConfig);
   */
  static reopen(root: string, info: RunInfo, config: unknown): RunSession {
    // one writer per run: a second `--resume` of the same run is refused here, before anything is written
    const lock = RunLock.acquire(info.dir, info.id);
    try {
      // refused at once, with every link named on the way, rather than at the first write
      assertNoEscapingLinks(info.dir);
    } catch (err) {
      lock.release();
      throw err;
    }
    const again = finishRunDir(info.dir, { status: 'running' });
    withIndex(root, (index) => index.put(again, config));
    return new RunSession(root, again, lock);
  }

  /**
   * Records the outcome in run.json and the index.
   *
   * @example
   * run.finish('stopped', { step: 120 });
   */
  finish(status: RunStatus, summary?: Record<string, unknown>): RunInfo {
    if (this.lock.released) return this.info;
    this.info = finishRunDir(this.dir, summary === undefined ? { status } : { status, summary });
    withIndex(this.root, (index) => index.update(this.info));
    this.lock.release();
    return this.info;
  }

  /**
   * Records that the run failed with `err`, at the step (and sub-run) it had reached, in run.json
   * and the index (`summary.error`), so that `runs show` says why. Does nothing once the run has
   * finished otherwise.
   *
   * @example
   * try { await fit(); } catch (err) { run.fail(err); throw err; }
   */
  fail(err: unknown, summary: Record<string, unknown> = nullRecord()): RunInfo {
    const error: RunFailure = { message: errorLine(err).replace(/^polytask: /, ''), ...this.at };
    return this.finish('failed', { ...summary, error });
  }
}
