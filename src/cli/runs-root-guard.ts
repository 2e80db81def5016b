/**
 * Guards on the runs root and run references from the command line: an empty `--runs-dir` or run
 * reference is refused (instead of meaning the working directory or matching every run), the
 * root is created one component at a time (Node's recursive mkdir can spin forever under `/proc`),
 * and failures of the run index (a full disk, a damaged database) become one line naming it.
 *
 * @example
 * ensureDirectory('/tmp/runs');        // creates /tmp/runs (and missing parents)
 * checkRunRef('');                     // CliError: an empty run reference
 */
import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './errors.js';

/**
 * Refuses an empty (or blank) `--runs-dir` / `POLYTASK_RUNS_DIR` value.
 *
 * @example
 * checkRunsDirValue('', '--runs-dir'); // throws
 */
export function checkRunsDirValue(value: string, source: string): void {
  if (value.trim() === '') throw new CliError(`${source}: empty; give a directory (the default is ./runs)`);
}

/**
 * Refuses an empty run reference (which would otherwise match the only run, or every id).
 *
 * @example
 * checkRunRef('3fa2c1');
 */
export function checkRunRef(ref: string): void {
  if (ref.trim() === '')
    throw new CliError('an empty run reference; give a run id, id suffix or directory (see: polytask runs list)');
}

/**
 * The nearest existing ancestor of `dir` (itself included), which must be a directory, and the
 * missing directories below it, deepest first. A stat failure other than "does not exist" is an
 * error naming the path.
 *
 * @example
 * nearestExisting('/tmp/a/b'); // { existing: '/tmp', missing: ['/tmp/a/b', '/tmp/a'] } when /tmp/a is absent
 */
function nearestExisting(dir: string): { existing: string | null; missing: string[] } {
  const target = resolve(dir);
  const missing: string[] = [];
  for (let at = target; ;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new CliError(
          `${at}: cannot use it for runs (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
    }
    if (st !== undefined) {
      if (!st.isDirectory())
        throw new CliError(`${at}: not a directory; the runs directory ${target} cannot be created`);
      return { existing: at, missing };
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) return { existing: null, missing };
    at = up;
  }
}

/**
 * Creates `dir` and its missing parents one at a time, so a path the kernel will not let exist
 * (under /proc, through a file) fails at once with a message naming it.
 *
 * @example
 * ensureDirectory(runsRoot);
 */
export function ensureDirectory(dir: string): void {
  for (const d of nearestExisting(dir).missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      throw new CliError(`${d}: cannot create the runs directory (${code ?? (err as Error).message})`, 1);
    }
  }
}

/**
 * Runs `fn` on the run index; a database error (SQLITE_FULL, SQLITE_IOERR, a corrupt file)
 * becomes one line naming the index file.
 *
 * @example
 * indexGuard(indexPath, () => index.list({ limit: 20 }));
 */
export function indexGuard<T>(indexPath: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) {
      throw new CliError(
        `${indexPath}: the run index cannot be read or written (${code}${code === 'SQLITE_FULL' ? ': the disk is full' : ''})`,
        1,
      );
    }
    throw err;
  }
}

/**
 * Runs `create` (which makes one new directory under `root`); if it fails, any new entry it left
 * that holds no run.json (a run directory cut short by a full disk) is removed again.
 *
 * @example
 * const info = withoutHalfRuns(root, () => createRunDir(root, 'train', config));
 */
export function withoutHalfRuns<T>(root: string, create: () => T): T {
  const before = new Set(fs.existsSync(root) ? fs.readdirSync(root) : []);
  try {
    return create();
  } catch (err) {
    for (const name of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      const path = resolve(root, name);
      if (before.has(name) || name.startsWith('index.sqlite')) continue;
      try {
        if (fs.lstatSync(path).isDirectory() && !fs.existsSync(resolve(path, 'run.json')))
          fs.rmSync(path, { recursive: true, force: true });
      } catch {
        // leave what cannot be inspected
      }
    }
    throw err;
  }
}

/** Filesystems no run can be written to: procfs and sysfs (their magic numbers). */
const VIRTUAL_FS = new Set([0x9fa0, 0x62656572]);

/**
 * Checks, without creating anything, that the runs root exists as a directory or can be created:
 * its nearest existing ancestor is a writable directory on a real filesystem. Called before any
 * data is read, so a bad `--runs-dir` is refused at once.
 *
 * @example
 * checkRunsRootUsable('/proc/x'); // CliError: /proc: cannot hold runs
 */
export function checkRunsRootUsable(dir: string): void {
  const { existing: at } = nearestExisting(dir);
  if (at === null) return;
  if (VIRTUAL_FS.has(fs.statfsSync(at).type))
    throw new CliError(`${at}: a virtual filesystem (/proc, /sys) cannot hold runs; choose another --runs-dir`);
  try {
    fs.accessSync(at, fs.constants.W_OK);
  } catch {
    throw new CliError(`${at}: not writable; the runs directory ${resolve(dir)} cannot be created there`);
  }
}
