/**
 * Atomic file writes: the data goes to a temporary file in the target's directory, is flushed to
 * disk, then renamed over the target, and the directory entry is flushed too. A crash or a full
 * disk leaves either the old file or the new one, never a half-written checkpoint. Every writer
 * in polytask goes through here, and a write under a guarded run directory is checked first for a
 * symbolic link out of the run (run-guard.ts).
 *
 * @example
 * await writeFileAtomic('run/model.safetensors', bytes);
 * writeFileAtomicSync('run/config.json', JSON.stringify(config));
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { assertContainedWrite } from './run-guard.js';

/** What can be written: raw bytes or a string (encoded as UTF-8). */
export type FileData = Uint8Array | string;

/**
 * A fresh name beside `path`. The random part comes from `crypto`, not from the seeded stream,
 * so writing a checkpoint never shifts the model's random numbers.
 */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Some platforms (Windows, some network file systems) cannot open or fsync a directory; the
 * rename is still atomic there, only its durability across power loss is weaker.
 */
function ignorableDirSyncError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'EBADF' || code === 'EACCES';
}

/**
 * Flushes a directory's entries to disk (a file created, renamed or removed in it), so that a
 * later step may rely on them surviving a power loss; a no-op where the platform cannot.
 *
 * @example
 * fs.mkdirSync('run/step-10'); syncDirSync('run');
 */
export function syncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    if (!ignorableDirSyncError(err)) throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

async function syncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!ignorableDirSyncError(err)) throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes `data` to `path` atomically (temp file in the same directory, write, fsync, rename,
 * fsync of the directory). On failure the temp file is removed and the original error rethrown;
 * an existing file at `path` is left untouched.
 *
 * @example
 * await writeFileAtomic('/tmp/run/metrics.json', JSON.stringify({ loss: 0.1 }));
 */
export async function writeFileAtomic(path: string, data: FileData): Promise<void> {
  assertContainedWrite(path);
  const tmp = tempPathFor(path);
  let handle: fsp.FileHandle | undefined;
  try {
    // 'wx' fails rather than follows a file or link that appeared under the temp name.
    handle = await fsp.open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDir(dirname(path));
}

/**
 * The synchronous twin of {@link writeFileAtomic}, for code that must finish the write before it
 * goes on (saving at exit, small config files).
 *
 * @example
 * writeFileAtomicSync('/tmp/run/model.safetensors', encodeSafetensors({ w }));
 */
export function writeFileAtomicSync(path: string, data: FileData): void {
  assertContainedWrite(path);
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx');
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* the write error is the one worth reporting */
      }
    }
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* as above: keep the original error */
    }
    throw err;
  }
  syncDirSync(dirname(path));
}
