/**
 * Keeping a run's writes and deletes inside its directory: a run directory that holds a symbolic
 * link leading out of it (`checkpoints/` pointing elsewhere, `metrics.jsonl` linked to another
 * file, a dangling link) is refused with a message naming the link, before anything is written,
 * because writing checkpoints, charts and metrics (and pruning old checkpoints) through it would
 * change files outside the run.
 *
 * @example
 * assertNoEscapingLinks('/runs/20260101-120000-train-3fa2c1'); // throws a ValueError naming checkpoints/ when it links to /elsewhere
 * isInside('/runs/a', '/runs/a/checkpoints');                  // true
 */
import * as fs from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ValueError } from '../core/errors.js';

/**
 * Whether `path` is `root` or lies below it (both absolute, already resolved).
 *
 * @example
 * isInside('/a/b', '/a/bc'); // false
 */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}

/**
 * The error for a symbolic link at `link` that leads to `target` (null: nowhere), outside the run
 * directory `root`.
 *
 * @example
 * throw escapingLinkError('/runs/a/charts', '/tmp', '/runs/a');
 */
export function escapingLinkError(link: string, target: string | null, root: string): ValueError {
  let where: string;
  if (target !== null) where = `to ${target.slice(0, 160)}`;
  else {
    let text: string;
    try {
      text = fs.readlinkSync(link);
    } catch {
      text = '?';
    }
    where = `to ${JSON.stringify(text.slice(0, 120))}, which does not exist`;
  }
  return new ValueError(
    link,
    `is a symbolic link ${where}, outside the run directory ${root}; polytask never writes or deletes through it (remove the link or copy the run)`,
  );
}

/** The most entries walked before giving up (a run directory holds tens or hundreds). */
const MAX_ENTRIES = 200_000;

/**
 * Walks `dir` without following links and refuses any symbolic link whose target is missing or
 * lies outside `dir`; links that stay inside are allowed.
 *
 * @example
 * assertNoEscapingLinks(run.dir);
 */
export function assertNoEscapingLinks(dir: string): void {
  const root = fs.realpathSync(dir);
  const pending = [root];
  let seen = 0;
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      if (++seen > MAX_ENTRIES)
        throw new ValueError(dir, `holds more than ${MAX_ENTRIES} files; not a run directory polytask wrote`);
      const path = join(current, entry.name);
      if (entry.isSymbolicLink()) {
        let target: string | null;
        try {
          target = fs.realpathSync(path);
        } catch {
          target = null;
        }
        if (target === null || !isInside(root, target)) throw escapingLinkError(path, target, root);
      } else if (entry.isDirectory()) {
        pending.push(path);
      }
    }
  }
}
