/**
 * NPY files, NumPy's single-array format: the magic `\x93NUMPY`, a version, a header that is a
 * Python dict literal (`descr`, `fortran_order`, `shape`), then the raw elements. Reads versions
 * 1.0, 2.0 and 3.0 with dtypes f2, f4, f8 (→ float32), i1, i2, i4, i8, u1, u2, u4, u8 and
 * bool (→ int32, failing on a value that does not fit), either byte order, C or Fortran order
 * (Fortran arrays are transposed into row-major order). Writes float32/int32 tensors exactly as
 * `numpy.save` does. `openNpy` reads rows on demand, from disk for a file larger than the memory
 * budget.
 *
 * @example
 * writeNpy('/tmp/x.npy', tensor([[1, 2], [3, 4]]));
 * readNpy('/tmp/x.npy').shape; // [2, 2]
 */
import * as fs from 'node:fs';
import { FormatError, ValueError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { decodeNative, ITEM_SIZE, littleEndianBytes, toEngineArray, type ElementKind } from '../io/binary.js';
import { preview } from '../io/untrusted.js';
import { Tensor } from '../tensor/index.js';
import { parsePyLiteral, type PyValue } from './py-literal.js';
import { checkAllocation, checkFileSize, formatBytes, readLimits, type ReadLimits } from './read-limits.js';
import { float32Rows, readHead, readRows, type DecodeRows, rowLayout } from './row-file.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
/** NumPy pads the header so the first axis can grow to this many digits in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

const KINDS: Readonly<Record<string, ElementKind>> = {
  b1: 'BOOL',
  u1: 'U8',
  i1: 'I8',
  i2: 'I16',
  u2: 'U16',
  f2: 'F16',
  i4: 'I32',
  u4: 'U32',
  f4: 'F32',
  f8: 'F64',
  i8: 'I64',
  u8: 'U64',
};

interface NpyHeader {
  kind: ElementKind;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  dataStart: number;
}

function describeValue(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v instanceof Map) return 'a dict';
  return Array.isArray(v) ? `a sequence of ${v.length} items` : preview(v);
}

function parseDescr(descr: PyValue | undefined, file: string): { kind: ElementKind; littleEndian: boolean } {
  if (typeof descr !== 'string') {
    throw new FormatError(
      file,
      `header field descr must be a simple dtype such as '<f4', got ${describeValue(descr)} (structured dtypes are not supported)`,
    );
  }
  const m = /^([<>|=]?)([a-z]\d+)$/.exec(descr);
  const kind = m === null ? undefined : KINDS[m[2]!];
  if (m === null || kind === undefined) {
    throw new FormatError(
      file,
      `header field descr: unsupported dtype '${descr}' (expected one of ${Object.keys(KINDS).join(', ')}, with byte order <, > or |)`,
    );
  }
  // '|' (not applicable) and '=' (native) are written on little-endian machines in practice.
  return { kind, littleEndian: m[1] !== '>' };
}

function parseHeaderDict(text: string, file: string): Omit<NpyHeader, 'dataStart'> {
  const dict = parsePyLiteral(text, file);
  if (!(dict instanceof Map)) throw new FormatError(file, `header must be a dict, got ${describeValue(dict)}`);
  const keys = [...dict.keys()];
  for (const required of ['descr', 'fortran_order', 'shape']) {
    if (!dict.has(required)) throw new FormatError(file, `header field ${required} is missing`);
  }
  const extra = keys.filter((k) => k !== 'descr' && k !== 'fortran_order' && k !== 'shape');
  if (extra.length > 0)
    throw new FormatError(
      file,
      `header has unexpected field ${describeValue(extra[0])} (expected descr, fortran_order, shape)`,
    );
  const { kind, littleEndian } = parseDescr(dict.get('descr'), file);
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean')
    throw new FormatError(file, `header field fortran_order must be True or False, got ${describeValue(fortran)}`);
  const shape = dict.get('shape');
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError(
      file,
      `header field shape must be a tuple of non-negative integers, got ${describeValue(shape)}`,
    );
  }
  return { kind, littleEndian, fortranOrder: fortran, shape: shape as number[] };
}

function parseHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10)
    throw new FormatError(file, `file is ${bytes.length} bytes, shorter than the 10-byte NPY preamble`);
  if (!MAGIC.every((b, i) => bytes[i] === b))
    throw new FormatError(file, 'magic: file does not start with \\x93NUMPY (not an NPY file)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new FormatError(file, `version ${major}.${minor} is not supported (expected 1.0, 2.0 or 3.0)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start)
    throw new FormatError(
      file,
      `file is ${bytes.length} bytes, shorter than the ${start}-byte NPY ${major}.0 preamble`,
    );
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (start + headerLength > bytes.length) {
    throw new FormatError(file, `header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  }
  let text: string;
  try {
    // Versions 1 and 2 store the header as latin-1; version 3 allows UTF-8.
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(
      bytes.subarray(start, start + headerLength),
    );
  } catch {
    throw new FormatError(file, 'header is not valid UTF-8');
  }
  return { ...parseHeaderDict(text, file), dataStart: start + headerLength };
}

/** Reorders column-major elements into row-major order. */
function fortranToC<T extends Float32Array | Int32Array>(src: T, shape: readonly number[]): T {
  const out = src.slice() as T;
  const nd = shape.length;
  if (nd < 2) return out;
  const fStride = new Array<number>(nd);
  let acc = 1;
  for (let d = 0; d < nd; d++) {
    fStride[d] = acc;
    acc *= shape[d]!;
  }
  const idx = new Array<number>(nd).fill(0);
  let f = 0;
  for (let c = 0; c < src.length; c++) {
    out[c] = src[f]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      f += fStride[d]!;
      if (idx[d]! < shape[d]!) break;
      f -= fStride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * A tensor from the bytes of an NPY file; `file` names the source in errors (bad magic,
 * unsupported version or dtype, malformed header, data size that does not match the shape).
 *
 * @example
 * const x = parseNpy(readFileSync('features.npy'), 'features.npy');
 */
export function parseNpy(bytes: Uint8Array, file = '<buffer>'): Tensor {
  const h = parseHeader(bytes, file);
  const elements = sizeOf(h.shape);
  const expected = elements * ITEM_SIZE[h.kind];
  const actual = bytes.length - h.dataStart;
  if (expected !== actual) {
    const what = actual < expected ? 'truncated' : 'has trailing bytes';
    throw new FormatError(
      file,
      `data ${what}: shape (${h.shape.join(', ')}) needs ${expected} bytes, file has ${actual}`,
    );
  }
  const native = decodeNative(bytes.subarray(h.dataStart), h.kind, h.littleEndian);
  const data = toEngineArray(native, h.kind, file, 'data');
  return new Tensor(h.fortranOrder ? fortranToC(data, h.shape) : data, h.shape);
}

/**
 * Reads an NPY file into a tensor.
 *
 * @example
 * const labels = readNpy('labels.npy'); // int32 for integer files
 */
export function readNpy(path: string): Tensor {
  checkFileSize(path, readLimits(), 1, 'an NPY file');
  return parseNpy(fs.readFileSync(path), path);
}

/** An NPY file's rows (first-axis slices), read into float32 on demand. */
export interface NpyRows {
  file: string;
  shape: number[];
  /** Elements per row: the product of every dimension but the first. */
  rowSize: number;
  /** Whether rows are read from disk when asked for (a file larger than the memory budget). */
  lazy: boolean;
  /** Rows `indices` (every row when omitted) as float32; refused before allocating when over the budget. */
  read(indices?: ArrayLike<number>): Float32Array;
}

/** The longest header a lazily read file may have (NumPy writes a few hundred bytes). */
const MAX_LAZY_HEADER = 1 << 20;

/**
 * Opens an NPY file for reading rows as float32: a file within the memory budget is read whole
 * (as `readNpy`); a larger one keeps only its header and reads the rows asked for from disk, so a
 * data set bigger than memory trains on the rows it keeps (`--limit`, a split). A Fortran-order
 * file larger than the budget is refused: its rows are not contiguous on disk.
 *
 * @example
 * const x = openNpy('features.npy');
 * x.read([0, 5]); // Float32Array of 2 rows
 */
export function openNpy(path: string, limits: ReadLimits = readLimits()): NpyRows {
  const { head, size } = readHead(path, MAX_LAZY_HEADER);
  if (size <= limits.memoryBudgetBytes) {
    const t = parseNpy(fs.readFileSync(path), path);
    const data = t.toFloat().data as Float32Array;
    const layout = rowLayout(path, 0, t.shape, 4);
    const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return {
      file: path,
      shape: [...t.shape],
      rowSize: layout.rowSize,
      lazy: false,
      read: (indices) => readRows(layout, body, indices, float32Rows, limits),
    };
  }
  const h = parseHeader(head, path);
  if (h.shape.length === 0) throw new FormatError(path, 'a 0-dimensional array has no rows');
  const expected = sizeOf(h.shape) * ITEM_SIZE[h.kind];
  const actual = size - h.dataStart;
  if (expected !== actual) {
    const what = actual < expected ? 'truncated' : 'has trailing bytes';
    throw new FormatError(
      path,
      `data ${what}: shape (${h.shape.join(', ')}) needs ${expected} bytes, file has ${actual}`,
    );
  }
  if (h.fortranOrder && h.shape.length > 1)
    checkAllocation(
      path,
      size,
      limits,
      `a Fortran-order NPY file (rows not contiguous, so read whole) of ${formatBytes(size)}`,
    );
  const layout = rowLayout(path, h.dataStart, h.shape, ITEM_SIZE[h.kind]);
  const decode: DecodeRows = (out, at, bytes) =>
    out.set(toEngineArray(decodeNative(bytes, h.kind, h.littleEndian), h.kind, path, 'data'), at);
  return {
    file: path,
    shape: h.shape,
    rowSize: layout.rowSize,
    lazy: true,
    read: (indices) => readRows(layout, null, indices, decode, limits),
  };
}

/** The header dict as `numpy.save` writes it: sorted keys, a trailing comma, Python tuple syntax. */
function headerText(descr: string, shape: readonly number[]): string {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const growth = shape.length > 0 ? GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length : 0;
  return dict + ' '.repeat(Math.max(0, growth));
}

/**
 * The bytes of an NPY file (version 1.0, or 2.0 for headers over 64 KiB) holding `t` in C order,
 * as `<f4` or `<i4`.
 *
 * @example
 * const bytes = encodeNpy(tensor([1, 2, 3]));
 */
export function encodeNpy(t: Tensor): Uint8Array {
  if (!(t instanceof Tensor)) throw new ValueError('encodeNpy', 'expected a Tensor');
  const descr = t.data instanceof Int32Array ? '<i4' : '<f4';
  const text = headerText(descr, t.shape);
  // Pad with spaces and a final newline so the data starts on a 64-byte boundary, as NumPy does.
  const padded = (prefix: number): string => `${text}${' '.repeat(ALIGN - ((prefix + text.length + 1) % ALIGN))}\n`;
  let version = 1;
  let prefix = 10;
  let header = padded(prefix);
  if (header.length > 0xffff) {
    version = 2;
    prefix = 12;
    header = padded(prefix);
  }
  const payload = littleEndianBytes(t.data);
  const out = new Uint8Array(prefix + header.length + payload.length);
  out.set(MAGIC);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), prefix);
  out.set(payload, prefix + header.length);
  return out;
}

/**
 * Writes `t` to `path` as an NPY file, atomically.
 *
 * @example
 * writeNpy('/tmp/weights.npy', model.stateDict()['fc.weight']);
 */
export function writeNpy(path: string, t: Tensor): void {
  writeFileAtomicSync(path, encodeNpy(t));
}
