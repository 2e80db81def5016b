/**
 * The one guarded path for writes and deletes under a run directory. A command that works on a
 * run registers its directory (`guardRunDirectory`); from then on every write, append, mkdir,
 * rename and delete that goes through polytask's file functions (`writeFileAtomic*` in atomic.ts
 * and the `guarded*` functions here) first checks, with `lstat` and `realpath`, each component of
 * the path below the run's root: a symbolic link that leads outside the run (or nowhere) is
 * refused with a one-line error naming the link, before anything is written or deleted. A link
 * swapped in while a run trains (`checkpoints/` replaced by a link elsewhere) is caught at the
 * next write. Paths outside every registered run are written as asked.
 *
 * A check and the write after it are two system calls: a link swapped in between them is not
 * seen (Node has no `openat`/`O_BENEATH`); the check still bounds what a stale or planted link can
 * do to the window of one write. A directory is checked again after it is made, and one made
 * through such a link is removed again (a new checkpoint's directory is the write that lands
 * between two checkpoints, when a swap is most likely to go unseen).
 *
 * @example
 * guardRunDirectory(run.dir);
 * guardedAppendSync(join(run.dir, 'metrics.jsonl'), line); // ValueError when metrics.jsonl links outside
 * guardedMkdirSync(join(run.dir, 'charts'));                 // ValueError naming run/charts when charts/ links to /tmp
 */
import * as fs from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { escapingLinkError, isInside } from './contained-paths.js';

/** Registered run directories: the path as given (resolved) → its real path. */
const roots = new Map<string, string>();

/**
 * Guards every later write and delete under `dir` (a run directory) in this process.
 *
 * @example
 * guardRunDirectory('/runs/20260101-120000-train-3fa2c1');
 */
export function guardRunDirectory(dir: string): void {
  const real = fs.realpathSync(dir);
  roots.set(resolve(dir), real);
  roots.set(real, real);
}

/**
 * The run directories guarded in this process (real paths).
 *
 * @example
 * guardedRunDirectories().includes(run.dir); // true after guardRunDirectory(run.dir)
 */
export function guardedRunDirectories(): string[] {
  return [...new Set(roots.values())];
}

/** Checks each existing component of `rel` below `root` for a link out of `real`. */
function checkBelow(root: string, real: string, rel: string): void {
  let at = root;
  for (const part of rel.split(sep)) {
    if (part === '' || part === '.') continue;
    at = join(at, part);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(at);
    } catch {
      return; // nothing exists from here down: what is written next is created inside
    }
    if (!st.isSymbolicLink()) continue;
    let target: string | null;
    try {
      target = fs.realpathSync(at);
    } catch {
      target = null;
    }
    if (target === null || !isInside(real, target)) throw escapingLinkError(at, target, real);
  }
}

/**
 * Refuses a write or delete at `path` that would go through a symbolic link out of a guarded run
 * directory (a ValueError naming the link); does nothing for paths outside every guarded run.
 *
 * @example
 * assertContainedWrite(join(run.dir, 'checkpoints', 'step-1', 'model.safetensors'));
 */
export function assertContainedWrite(path: string): void {
  if (roots.size === 0) return;
  const abs = resolve(path);
  for (const [root, real] of roots) {
    if (!isInside(root, abs)) continue;
    // the run directory itself swapped for a link: every path below it leads elsewhere
    let now: string | null;
    try {
      now = fs.realpathSync(root);
    } catch {
      now = null;
    }
    if (now !== real) throw escapingLinkError(root, now, real);
    checkBelow(root, real, relative(root, abs));
  }
}

/**
 * `fs.mkdirSync(path, { recursive: true })` after the check.
 *
 * @example
 * guardedMkdirSync(join(run.dir, 'charts'));
 */
export function guardedMkdirSync(path: string, opts: { recursive?: boolean } = { recursive: true }): void {
  assertContainedWrite(path);
  const first = fs.mkdirSync(path, opts);
  const created = opts.recursive === true ? first : path; // the first directory this call made
  if (created === undefined) return;
  // A link swapped in between the check and the mkdir sent the new directories out of the run:
  // checked again, they are taken back (each still empty, from the deepest up) and refused.
  try {
    assertContainedWrite(path);
  } catch (err) {
    removeEmptyUpTo(resolve(path), resolve(created));
    throw err;
  }
}

/** Removes the empty directory `path` and its parents up to `first`, stopping at one that is not empty. */
function removeEmptyUpTo(path: string, first: string): void {
  for (let at = path; ; at = dirname(at)) {
    try {
      fs.rmdirSync(at);
    } catch {
      return;
    }
    if (at === first || dirname(at) === at) return;
  }
}

/**
 * `fs.appendFileSync(path, data)` after the check (one `write` on a file opened for appending).
 *
 * @example
 * guardedAppendSync(join(run.dir, 'metrics.jsonl'), '{"step":1}\n');
 */
export function guardedAppendSync(path: string, data: string | Uint8Array): void {
  assertContainedWrite(path);
  fs.appendFileSync(path, data);
}

/**
 * `fs.rmSync(path, { recursive: true, force: true })` after the check (a link is removed itself,
 * never what it points to).
 *
 * @example
 * guardedRemoveSync(join(run.dir, 'checkpoints', '.trash-step-1'));
 */
export function guardedRemoveSync(path: string): void {
  assertContainedWrite(path);
  fs.rmSync(path, { recursive: true, force: true });
}

/**
 * `fs.renameSync(from, to)` after checking both paths.
 *
 * @example
 * guardedRenameSync(join(ckpts, 'step-1'), join(ckpts, '.trash-step-1'));
 */
export function guardedRenameSync(from: string, to: string): void {
  assertContainedWrite(from);
  assertContainedWrite(to);
  fs.renameSync(from, to);
}

/**
 * `fs.symlinkSync(target, path)` after checking `path` (a link written into a run must not be
 * written through a link out of it; what the new link points to is the caller's choice).
 *
 * @example
 * guardedSymlinkSync('../../png/animals/cat.png', join(views, 'cat.png'));
 */
export function guardedSymlinkSync(target: string, path: string): void {
  assertContainedWrite(path);
  fs.symlinkSync(target, path);
}
