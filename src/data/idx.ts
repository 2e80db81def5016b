/**
 * IDX files, the format of MNIST and Fashion-MNIST: two zero bytes, a type code, the number of
 * dimensions, each dimension as a big-endian uint32, then the elements in big-endian row-major
 * order. Gzip-compressed files (`.gz`) are recognised by their magic bytes and inflated first.
 *
 * @example
 * const labels = readIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 * labels.shape; // [10000]
 * labels.type;  // 'ubyte'
 */
import * as fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FormatError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { decodeNative, ITEM_SIZE, type ElementKind } from '../io/binary.js';

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

/** Inflates gzip data; a corrupt stream becomes a FormatError instead of a zlib error. */
function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new FormatError(file, `gzip data is corrupt or truncated (${(err as Error).message})`);
  }
}

/**
 * Parses the bytes of an IDX file (gzip-compressed or not). `file` names the source in errors:
 * wrong magic, unknown type code, truncated dimensions, or a data size that does not match the
 * dimensions.
 *
 * @example
 * const img = parseIdx(bytes, 'train-images-idx3-ubyte');
 * img.shape; // [60000, 28, 28]
 */
export function parseIdx(input: Uint8Array, file = '<buffer>'): IdxArray {
  const bytes = input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b ? gunzip(input, file) : input;
  if (bytes.length < 4) throw new FormatError(file, `file is ${bytes.length} bytes, shorter than the 4-byte IDX magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new FormatError(file, `magic number must start with two zero bytes, got ${hex(bytes[0]!)} ${hex(bytes[1]!)} (not an IDX file)`);
  }
  const code = bytes[2]!;
  const entry = TYPES.get(code);
  if (entry === undefined) {
    throw new FormatError(file, `magic number: unknown type code ${hex(code)} (expected 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float or 0x0e double)`);
  }
  const ndim = bytes[3]!;
  if (ndim === 0) throw new FormatError(file, 'magic number: number of dimensions is 0 (expected at least 1)');
  const dataStart = 4 + 4 * ndim;
  if (bytes.length < dataStart) {
    throw new FormatError(file, `dimensions: ${ndim} dimensions need ${dataStart} header bytes, file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, dataStart);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = sizeOf(shape) * ITEM_SIZE[entry.kind];
  const actual = bytes.length - dataStart;
  if (expected !== actual) {
    const what = actual < expected ? 'truncated' : 'has trailing bytes';
    throw new FormatError(file, `data ${what}: dimensions [${shape.join(',')}] of ${entry.type} need ${expected} bytes, file has ${actual}`);
  }
  const data = decodeNative(bytes.subarray(dataStart), entry.kind, false) as IdxArray['data'];
  return { type: entry.type, shape, data };
}

/**
 * Reads an IDX file (plain or `.gz`) from disk.
 *
 * @example
 * const { shape, data } = readIdx('train-labels-idx1-ubyte.gz'); // Uint8Array of labels
 */
export function readIdx(path: string): IdxArray {
  return parseIdx(fs.readFileSync(path), path);
}
