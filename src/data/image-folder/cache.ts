/**
 * The decoded cache of an image folder: every image of a split decoded once to uint8 CHW at the
 * target size and stored as one IDX file (`[N, C, H, W]` unsigned bytes), so that later runs skip
 * decoding and read only the rows they keep (`openIdx` reads a file larger than the memory budget
 * lazily). The file's name is a SHA-256 of the decoding settings and of each image's path, size,
 * modification time and class: change any image or setting and a new file is written (old ones
 * stay until removed by hand). It lives in `$POLYTASK_CACHE`, else `$XDG_CACHE_HOME/polytask`,
 * else `~/.cache/polytask`, under `images/`, and is written to a temporary file then renamed, so a
 * crash never leaves a half-written cache.
 *
 * @example
 * const file = await decodedCache(entries, spec); // '/home/me/.cache/polytask/images/3fa2….idx'
 * openIdx(file).read([0, 7], 1 / 255);
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ValueError } from '../../core/errors.js';
import { syncDirSync } from '../../io/atomic.js';
import { assertContainedWrite, guardedMkdirSync, guardedRemoveSync, guardedRenameSync } from '../../io/run-guard.js';
import type { ImageSpec } from './decode.js';
import { decodeMany } from './decode-many.js';
import type { ImageEntry } from './scan.js';

/** Bumped when the decoding changes, so an old cache is never read as a new one. */
const CACHE_FORMAT = 1;

/**
 * The cache directory: `$POLYTASK_CACHE`, else `$XDG_CACHE_HOME/polytask`, else `~/.cache/polytask`.
 *
 * @example
 * cacheRoot({ POLYTASK_CACHE: '/tmp/c' }); // '/tmp/c'
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.POLYTASK_CACHE !== undefined && env.POLYTASK_CACHE !== '') return path.resolve(env.POLYTASK_CACHE);
  if (env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '')
    return path.join(path.resolve(env.XDG_CACHE_HOME), 'polytask');
  return path.join(os.homedir(), '.cache', 'polytask');
}

/**
 * The cache key of a split's images under a spec.
 *
 * @example
 * cacheKey(entries, spec); // 64 hex digits
 */
export function cacheKey(entries: readonly ImageEntry[], spec: ImageSpec): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ format: CACHE_FORMAT, spec: [spec.height, spec.width, spec.resize, spec.channels] }));
  for (const e of entries) h.update(`\n${JSON.stringify([e.path, e.size, e.mtimeMs, e.label])}`);
  return h.digest('hex');
}

/** The IDX header of N images of the spec. */
function header(n: number, spec: ImageSpec): Uint8Array {
  const dims = [n, spec.channels, spec.height, spec.width];
  const out = new Uint8Array(4 + 4 * dims.length);
  out.set([0, 0, 0x08, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

/**
 * The path of the split's decoded cache, decoding every image into it first when it is not there.
 *
 * @example
 * const file = await decodedCache(folder.train, { height: 32, width: 32, resize: 'crop', channels: 3 });
 */
export async function decodedCache(
  entries: readonly ImageEntry[],
  spec: ImageSpec,
  root: string = cacheRoot(),
): Promise<string> {
  const dir = path.join(root, 'images');
  const file = path.join(dir, `${cacheKey(entries, spec)}.idx`);
  const head = header(entries.length, spec);
  const rowBytes = spec.channels * spec.height * spec.width;
  const expected = head.length + entries.length * rowBytes;
  try {
    if (fs.statSync(file).size === expected) return file;
  } catch {
    // not cached yet
  }
  try {
    guardedMkdirSync(dir);
  } catch (err) {
    throw new ValueError(
      dir,
      `cannot create the image cache folder (${(err as NodeJS.ErrnoException).code}); set POLYTASK_CACHE to another folder`,
    );
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  assertContainedWrite(tmp);
  const fd = fs.openSync(tmp, 'wx');
  let done = false;
  try {
    fs.writeSync(fd, head, 0, head.length, 0);
    await decodeMany(
      entries.map((e) => e.path),
      spec,
      (i, px) => {
        fs.writeSync(fd, px, 0, px.length, head.length + i * rowBytes);
      },
    );
    fs.fsyncSync(fd);
    done = true;
  } finally {
    fs.closeSync(fd);
    if (!done) guardedRemoveSync(tmp);
  }
  guardedRenameSync(tmp, file);
  syncDirSync(dir);
  return file;
}
