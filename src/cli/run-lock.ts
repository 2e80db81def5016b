/**
 * One writer per run: a lock file (`<run>/.lock`, created exclusively) holding the owner's pid and
 * host. A second writer is refused with a message naming the run and the owner; a lock whose
 * owner is no longer alive (killed, crashed, machine restarted) is stale and taken over. A run
 * recorded as `running` whose owner is gone is shown as `interrupted` (and `runs list` records it
 * as `stopped`: settleAbandonedRuns in run-store.ts).
 *
 * @example
 * const lock = RunLock.acquire(run.dir, run.id);
 * try { ... train ... } finally { lock.release(); }
 * displayStatus({ status: 'running', dir: run.dir }); // 'running', or 'interrupted' once the owner died
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { guardedRemoveSync } from '../io/run-guard.js';
import { CliError } from './errors.js';

/** The lock file's name inside a run directory. */
export const LOCK_FILE = '.lock';

/** What a lock file says about its owner. */
export interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/**
 * Whether process `pid` on this machine is alive (signal 0 probes without signalling).
 *
 * @example
 * isAlive(process.pid); // true
 */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The owner named by a run's lock file, or null when there is none (or it cannot be read: a lock
 * being written, or a corrupt one, counts as no owner only once its writer is gone).
 *
 * @example
 * readLockOwner(run.dir)?.pid;
 */
export function readLockOwner(dir: string): LockOwner | null {
  let text: string;
  try {
    const fd = fs.openSync(join(dir, LOCK_FILE), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text.slice(0, 1000)) as Partial<LockOwner>;
    return typeof v.pid === 'number' && typeof v.host === 'string'
      ? { pid: v.pid, host: v.host, since: String(v.since ?? '') }
      : null;
  } catch {
    return null;
  }
}

/**
 * Whether a lock's owner still runs: on this host, its pid is alive; a lock from another host is
 * taken as held (polytask cannot see that machine's processes).
 *
 * @example
 * ownerAlive({ pid: 123, host: 'a', since: '' });
 */
export function ownerAlive(owner: LockOwner): boolean {
  return owner.host !== hostname() || isAlive(owner.pid);
}

/**
 * The status to show for a run: a run recorded as `running` whose lock owner is gone (or that has
 * no lock at all) is `interrupted`; every other status as recorded.
 *
 * @example
 * displayStatus({ status: 'running', dir: 'runs/a' }); // 'interrupted' when no live process holds runs/a
 */
export function displayStatus(run: { status: string; dir: string }): string {
  if (run.status !== 'running') return run.status;
  const owner = readLockOwner(run.dir);
  return owner !== null && ownerAlive(owner) ? 'running' : 'interrupted';
}

const held = new Set<string>();
let exitHookInstalled = false;

/** Removes every lock this process holds when it exits (normally, by an error, or by process.exit). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const path of held) {
      try {
        const owner = JSON.parse(fs.readFileSync(path, 'utf8')) as Partial<LockOwner>;
        if (owner.pid === process.pid) fs.unlinkSync(path);
      } catch {
        // already gone
      }
    }
  });
}

/** A held run lock. */
export class RunLock {
  private constructor(readonly path: string) {}

  /**
   * Takes the lock of run `dir` (named `id` in messages): refused with a CliError when a live
   * process holds it; a stale lock (its owner dead) is replaced.
   *
   * @example
   * const lock = RunLock.acquire('/runs/20260101-train-3fa2c1', '20260101-train-3fa2c1');
   */
  static acquire(dir: string, id: string): RunLock {
    const path = join(dir, LOCK_FILE);
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(
          path,
          fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
          0o644,
        );
        try {
          fs.writeSync(fd, JSON.stringify(me));
        } finally {
          fs.closeSync(fd);
        }
        held.add(path);
        installExitHook();
        return new RunLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readLockOwner(dir);
      if (owner === null) {
        // a lock being written right now, or a damaged one: give its writer a moment, then take it over
        if (attempt === 0) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
          continue;
        }
      } else if (ownerAlive(owner)) {
        throw new CliError(
          `run ${id} is in use by process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`} since ${owner.since} (lock file ${path}); wait for it to finish or stop it first`,
          1,
        );
      }
      // stale: its owner is gone
      guardedRemoveSync(path);
    }
    throw new CliError(`run ${id}: cannot take the lock ${path} (another process keeps taking it)`, 1);
  }

  #released = false;

  /** Whether this lock has been given up. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Gives the lock up (only if this process still owns it).
   *
   * @example
   * lock.release();
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (!held.delete(this.path)) return;
    const owner = readLockOwner(join(this.path, '..'));
    if (owner?.pid === process.pid) guardedRemoveSync(this.path);
  }
}
