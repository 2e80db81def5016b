/**
 * Rows (first-axis slices) of a binary array file, read into float32 on demand: what IDX and NPY
 * readers share. The rows come either from the file's bytes already in memory, or, for a file
 * larger than the memory budget, straight from disk with positioned reads (a run of consecutive
 * rows is one read of at most 8 MiB), so only the rows asked for are ever held. The output is
 * checked against the memory budget before it is allocated.
 *
 * @example
 * const layout = { file: 'x.npy', dataStart: 128, rows: 1_000_000, rowSize: 784, rowBytes: 3136 };
 * readRows(layout, null, [0, 1, 7], (out, at, bytes) => out.set(new Float32Array(bytes.slice().buffer), at));
 */
import * as fs from 'node:fs';
import { FormatError } from '../core/errors.js';
import { checkAllocation, type ReadLimits } from './read-limits.js';

/** Where a file's rows are. */
export interface RowLayout {
  file: string;
  /** Byte offset of the first row. */
  dataStart: number;
  /** Rows in the file (the first dimension). */
  rows: number;
  /** Elements per row. */
  rowSize: number;
  /** Bytes per row as stored. */
  rowBytes: number;
  /** An open descriptor to read from instead of opening `file` (a spill file, which has no name). */
  fd?: number;
}

/**
 * The layout of an array file whose first axis is the rows: `shape` [rows, ...], items of
 * `itemBytes` bytes from byte `dataStart`.
 *
 * @example
 * rowLayout('x.npy', 128, [1000, 28, 28], 4).rowBytes; // 3136
 */
export function rowLayout(file: string, dataStart: number, shape: readonly number[], itemBytes: number): RowLayout {
  const rowSize = shape.slice(1).reduce((a, b) => a * b, 1);
  return { file, dataStart, rows: shape[0] ?? 0, rowSize, rowBytes: rowSize * itemBytes };
}

/** Decodes the stored bytes of consecutive rows into `out` from element `at`. */
export type DecodeRows = (out: Float32Array, at: number, bytes: Uint8Array) => void;

/**
 * Rows stored as native float32, copied as they are.
 *
 * @example
 * readRows(layout, null, [3], float32Rows, limits);
 */
export const float32Rows: DecodeRows = (out, at, bytes) =>
  out.set(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), at);

/** Reading at most this many bytes per positioned read of a lazy file. */
const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Rows `indices` (every row when undefined) as one float32 array. `body` is the file's bytes from
 * `dataStart` on, or null to read the rows from the file.
 *
 * @example
 * const x = readRows(layout, null, undefined, decode, readLimits());
 */
export function readRows(
  layout: RowLayout,
  body: Uint8Array | null,
  indices: ArrayLike<number> | undefined,
  decode: DecodeRows,
  limits: ReadLimits,
): Float32Array {
  const { file, rows, rowSize, rowBytes } = layout;
  const count = indices === undefined ? rows : indices.length;
  checkAllocation(file, count * rowSize * 4, limits, `${count} examples as float32`);
  const out = new Float32Array(count * rowSize);
  const rowAt = (i: number): number => {
    const k = indices === undefined ? i : indices[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= rows)
      throw new FormatError(file, `row ${k} at position ${i} is outside [0, ${rows})`);
    return k;
  };
  if (body !== null) {
    for (let i = 0; i < count; i++) {
      const k = rowAt(i);
      decode(out, i * rowSize, body.subarray(k * rowBytes, (k + 1) * rowBytes));
    }
    return out;
  }
  const fd = layout.fd ?? fs.openSync(file, 'r');
  try {
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, rowBytes)));
    const buf = new Uint8Array(perChunk * rowBytes);
    for (let i = 0; i < count;) {
      // a run of consecutive rows is one read
      const first = rowAt(i);
      let run = 1;
      while (run < perChunk && i + run < count && rowAt(i + run) === first + run) run++;
      const want = run * rowBytes;
      const got = fs.readSync(fd, buf, 0, want, layout.dataStart + first * rowBytes);
      if (got !== want) throw new FormatError(file, `file changed while reading: row ${first} is truncated`);
      decode(out, i * rowSize, buf.subarray(0, want));
      i += run;
    }
  } finally {
    if (layout.fd === undefined) fs.closeSync(fd);
  }
  return out;
}

/**
 * The first `max` bytes of a file (fewer when it is shorter) and its size, for parsing a header
 * without reading the rest.
 *
 * @example
 * const { head, size } = readHead('x.npy', 1 << 20);
 */
export function readHead(file: string, max: number): { head: Uint8Array; size: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, max));
    const got = fs.readSync(fd, head, 0, head.length, 0);
    return { head: head.subarray(0, got), size };
  } finally {
    fs.closeSync(fd);
  }
}
