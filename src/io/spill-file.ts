/**
 * A scratch file for numbers that outgrow the memory budget (a table's features): created in the
 * OS temporary folder, readable and writable by this user only, and unlinked at once, so that only
 * its open descriptor names it; the kernel frees it when the process ends, however it ends, and
 * nothing is left on disk.
 *
 * @example
 * const spill = new SpillFile();
 * spill.append(new Uint8Array(floats.buffer, 0, n * 4));
 * fs.readSync(spill.fd, buf, 0, 4096, 0);
 */
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class SpillFile {
  /** The open descriptor (read and write); the file has no name. */
  readonly fd: number;
  /** Bytes appended so far. */
  bytes = 0;

  constructor(dir: string = os.tmpdir()) {
    const folder = fs.mkdtempSync(path.join(dir, 'polytask-spill-'));
    const file = path.join(folder, 'rows.bin');
    this.fd = fs.openSync(file, 'wx+', 0o600);
    fs.unlinkSync(file);
    fs.rmdirSync(folder);
  }

  /** Writes `bytes` at the end of the file. */
  append(bytes: Uint8Array): void {
    for (let done = 0; done < bytes.length;)
      done += fs.writeSync(this.fd, bytes, done, bytes.length - done, this.bytes + done);
    this.bytes += bytes.length;
  }
}
