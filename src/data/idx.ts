/**
 * IDX files, the format of MNIST and Fashion-MNIST: two zero bytes, a type code, the number of
 * dimensions, each dimension as a big-endian uint32, then the elements in big-endian row-major
 * order. Gzip-compressed files (`.gz`) are recognised by their magic bytes and inflated first, up
 * to a limit (`ReadLimits.maxInflateBytes`). `openIdx` reads rows (examples) straight into
 * float32 without going through a JS array, and reads a plain file larger than the memory budget
 * lazily, only the rows asked for.
 *
 * @example
 * const labels = readIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 * labels.shape; // [10000]
 * labels.type;  // 'ubyte'
 * const images = openIdx('train-images-idx3-ubyte');
 * images.read([0, 5], 1 / 255);  // Float32Array of 2 × 784 pixels in [0, 1]
 */
import * as fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FormatError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { decodeNative, ITEM_SIZE, type ElementKind } from '../io/binary.js';
import { formatBytes, readLimits, type ReadLimits } from './read-limits.js';
import { readHead, readRows, rowLayout } from './row-file.js';

/** IDX element types by their names in the format's description. */
export type IdxType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';

/** The decoded contents: elements in host order, in the typed array matching the file's type. */
export interface IdxArray {
  type: IdxType;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: ReadonlyMap<number, { type: IdxType; kind: ElementKind }> = new Map([
  [0x08, { type: 'ubyte', kind: 'U8' }],
  [0x09, { type: 'byte', kind: 'I8' }],
  [0x0b, { type: 'short', kind: 'I16' }],
  [0x0c, { type: 'int', kind: 'I32' }],
  [0x0d, { type: 'float', kind: 'F32' }],
  [0x0e, { type: 'double', kind: 'F64' }],
]);

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Inflates gzip data up to the limit; a corrupt stream or one too large becomes a FormatError. */
function gunzip(bytes: Uint8Array, file: string, limits: ReadLimits): Uint8Array {
  const tooLarge = (): FormatError =>
    new FormatError(
      file,
      `gzip data inflates to more than ${formatBytes(limits.maxInflateBytes)} (the limit; raise POLYTASK_MAX_INFLATE_BYTES to read it)`,
    );
  // the trailer declares the inflated size (modulo 2^32): refuse a declared bomb before inflating
  if (bytes.length >= 18) {
    const declared = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
    if (declared > limits.maxInflateBytes) throw tooLarge();
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: limits.maxInflateBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge();
    throw new FormatError(file, `gzip data is corrupt or truncated (${(err as Error).message.slice(0, 80)})`);
  }
}

/** What the header says: the element type, the shape and where the elements start. */
interface IdxHeader {
  type: IdxType;
  kind: ElementKind;
  shape: number[];
  dataStart: number;
}

/** Parses and checks the header in `head` against the file's total size in bytes. */
function parseHeader(head: Uint8Array, total: number, file: string): IdxHeader {
  if (total < 4) throw new FormatError(file, `file is ${total} bytes, shorter than the 4-byte IDX magic number`);
  if (head[0] !== 0 || head[1] !== 0) {
    throw new FormatError(
      file,
      `magic number must start with two zero bytes, got ${hex(head[0]!)} ${hex(head[1]!)} (not an IDX file)`,
    );
  }
  const code = head[2]!;
  const entry = TYPES.get(code);
  if (entry === undefined) {
    throw new FormatError(
      file,
      `magic number: unknown type code ${hex(code)} (expected 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float or 0x0e double)`,
    );
  }
  const ndim = head[3]!;
  if (ndim === 0) throw new FormatError(file, 'magic number: number of dimensions is 0 (expected at least 1)');
  const dataStart = 4 + 4 * ndim;
  if (total < dataStart || head.length < dataStart) {
    throw new FormatError(file, `dimensions: ${ndim} dimensions need ${dataStart} header bytes, file has ${total}`);
  }
  const view = new DataView(head.buffer, head.byteOffset, dataStart);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = sizeOf(shape) * ITEM_SIZE[entry.kind];
  const actual = total - dataStart;
  if (expected !== actual) {
    const what = actual < expected ? 'truncated' : 'has trailing bytes';
    throw new FormatError(
      file,
      `data ${what}: dimensions [${shape.join(',')}] of ${entry.type} need ${expected} bytes, file has ${actual}`,
    );
  }
  return { type: entry.type, kind: entry.kind, shape, dataStart };
}

/**
 * Parses the bytes of an IDX file (gzip-compressed or not). `file` names the source in errors:
 * wrong magic, unknown type code, truncated dimensions, a data size that does not match the
 * dimensions, or gzip data inflating past the limit. Byte elements are a view of the input (no
 * copy); wider ones are decoded into a fresh array.
 *
 * @example
 * const img = parseIdx(bytes, 'train-images-idx3-ubyte');
 * img.shape; // [60000, 28, 28]
 */
export function parseIdx(input: Uint8Array, file = '<buffer>', limits: ReadLimits = readLimits()): IdxArray {
  const bytes = isGzip(input) ? gunzip(input, file, limits) : input;
  const h = parseHeader(bytes, bytes.length, file);
  const body = bytes.subarray(h.dataStart);
  if (h.kind === 'U8') return { type: h.type, shape: h.shape, data: body };
  if (h.kind === 'I8')
    return { type: h.type, shape: h.shape, data: new Int8Array(body.buffer, body.byteOffset, body.length) };
  return { type: h.type, shape: h.shape, data: decodeNative(body, h.kind, false) as IdxArray['data'] };
}

/**
 * Reads an IDX file (plain or `.gz`) from disk.
 *
 * @example
 * const { shape, data } = readIdx('train-labels-idx1-ubyte.gz'); // Uint8Array of labels
 */
export function readIdx(path: string, limits: ReadLimits = readLimits()): IdxArray {
  return parseIdx(fs.readFileSync(path), path, limits);
}

/** Big-endian elements of `kind` in `src` into `out` from `at`, each times `scale`. */
function decodeInto(out: Float32Array, at: number, src: Uint8Array, kind: ElementKind, scale: number): void {
  switch (kind) {
    case 'U8':
      for (let i = 0; i < src.length; i++) out[at + i] = src[i]! * scale;
      return;
    case 'I8': {
      const s = new Int8Array(src.buffer, src.byteOffset, src.length);
      for (let i = 0; i < s.length; i++) out[at + i] = s[i]! * scale;
      return;
    }
    default: {
      const size = ITEM_SIZE[kind];
      const view = new DataView(src.buffer, src.byteOffset, src.length);
      const n = src.length / size;
      const get =
        kind === 'I16'
          ? (o: number) => view.getInt16(o, false)
          : kind === 'I32'
            ? (o: number) => view.getInt32(o, false)
            : kind === 'F32'
              ? (o: number) => view.getFloat32(o, false)
              : (o: number) => view.getFloat64(o, false);
      for (let i = 0; i < n; i++) out[at + i] = get(i * size) * scale;
    }
  }
}

/** An IDX file's rows (first-axis slices), read into float32 on demand. */
export interface IdxRows {
  file: string;
  type: IdxType;
  shape: number[];
  /** Elements per row: the product of every dimension but the first. */
  rowSize: number;
  /** Whether rows are read from disk when asked for (a plain file larger than the memory budget). */
  lazy: boolean;
  /**
   * Rows `indices` (every row when omitted), each element times `scale`, as one float32 array;
   * refused before allocating when larger than the memory budget.
   */
  read(indices: ArrayLike<number> | undefined, scale: number): Float32Array;
}

/**
 * Opens an IDX file for reading rows: a `.gz` file is inflated (up to the limit) and a plain
 * file within the memory budget is read whole, both kept as raw bytes (never as a JS array); a
 * plain file larger than the budget keeps only its header and reads the rows asked for.
 *
 * @example
 * const img = openIdx('train-images-idx3-ubyte');
 * const pixels = img.read(undefined, 1 / 255); // every image, scaled to [0, 1]
 */
export function openIdx(path: string, limits: ReadLimits = readLimits()): IdxRows {
  const { head, size } = readHead(path, 4 + 4 * 255);
  const lazy = !isGzip(head) && size > limits.memoryBudgetBytes;
  const bytes = lazy ? head : parseBytes(path, limits);
  const h = parseHeader(bytes, lazy ? size : bytes.length, path);
  const layout = rowLayout(path, h.dataStart, h.shape, ITEM_SIZE[h.kind]);
  const body = lazy ? null : bytes.subarray(h.dataStart);
  return {
    file: path,
    type: h.type,
    shape: h.shape,
    rowSize: layout.rowSize,
    lazy,
    read: (indices, scale) =>
      readRows(layout, body, indices, (out, at, src) => decodeInto(out, at, src, h.kind, scale), limits),
  };
}

/** A whole file's bytes, inflated (within the limit) when it is gzip data. */
function parseBytes(path: string, limits: ReadLimits): Uint8Array {
  const raw = fs.readFileSync(path);
  return isGzip(raw) ? gunzip(raw, path, limits) : raw;
}
