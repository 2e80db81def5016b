/**
 * The safetensors header: its 8-byte little-endian length, the JSON that follows, and every rule
 * the Hugging Face library enforces on it (known dtypes, well-formed shapes and offsets, byte
 * lengths that match shape × item size, tensors that cover the data buffer exactly, in order,
 * without gaps or overlaps, string metadata). Each violation is a FormatError naming the file and
 * the field.
 *
 * @example
 * const header = parseSafetensorsHeader(bytes, 'model.safetensors');
 * header.entries.map((e) => e.name);
 */
import { FormatError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import type { ElementKind } from './binary.js';
import { isJsonObject, preview, setOwn } from './untrusted.js';
import { nullRecord } from '../core/safe-keys.js';

/** The largest header the Hugging Face library accepts (it guards against memory exhaustion). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Dtypes of the format in the order of the Hugging Face `Dtype` enum (increasing alignment);
 * writers sort tensors by descending position here, then by name. `kind` is absent for dtypes
 * polytask does not decode.
 */
export const SAFETENSORS_DTYPES: ReadonlyArray<{ name: string; size: number; kind?: ElementKind }> = [
  { name: 'BOOL', size: 1, kind: 'BOOL' },
  { name: 'U8', size: 1, kind: 'U8' },
  { name: 'I8', size: 1, kind: 'I8' },
  { name: 'F8_E5M2', size: 1 },
  { name: 'F8_E4M3', size: 1 },
  { name: 'I16', size: 2, kind: 'I16' },
  { name: 'U16', size: 2, kind: 'U16' },
  { name: 'F16', size: 2, kind: 'F16' },
  { name: 'BF16', size: 2, kind: 'BF16' },
  { name: 'I32', size: 4, kind: 'I32' },
  { name: 'U32', size: 4, kind: 'U32' },
  { name: 'F32', size: 4, kind: 'F32' },
  { name: 'F64', size: 8, kind: 'F64' },
  { name: 'I64', size: 8, kind: 'I64' },
  { name: 'U64', size: 8, kind: 'U64' },
];

const DTYPE_INFO = new Map(SAFETENSORS_DTYPES.map((d, rank) => [d.name, { ...d, rank }]));

/** One tensor's description in the header. */
export interface SafetensorsEntry {
  name: string;
  /** The dtype as written in the file (`F32`, `I64`, `BF16`, ...). */
  dtype: string;
  shape: number[];
  /** Byte range [begin, end) within the data buffer that follows the header. */
  dataOffsets: [number, number];
}

/** A parsed and validated header. */
export interface SafetensorsHeader {
  /** The `__metadata__` map, empty when the file has none. */
  metadata: Record<string, string>;
  /** Tensors in the order of their data in the file. */
  entries: SafetensorsEntry[];
  /** Byte offset of the data buffer from the start of the file (8 + header length). */
  dataStart: number;
}

/**
 * Position of a dtype in the format's alignment order (higher is written first; -1 if unknown).
 *
 * @example
 * dtypeRank('F32') > dtypeRank('I32'); // true: F32 tensors come first in the file
 */
export function dtypeRank(dtype: string): number {
  return DTYPE_INFO.get(dtype)?.rank ?? -1;
}

/**
 * The element kind polytask decodes `dtype` as, or undefined for dtypes it cannot read.
 *
 * @example
 * dtypeKind('BF16');    // 'BF16'
 * dtypeKind('F8_E4M3'); // undefined
 */
export function dtypeKind(dtype: string): ElementKind | undefined {
  return DTYPE_INFO.get(dtype)?.kind;
}

/**
 * The header length N from the first 8 bytes, checked against the limit and the file size.
 *
 * @example
 * readHeaderLength(first8Bytes, fileSize, 'model.safetensors'); // 96
 */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new FormatError(file, `file is ${fileSize} bytes, shorter than the 8-byte header length field`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER_BYTES) {
    const exact = view.getBigUint64(0, true);
    throw new FormatError(
      file,
      `header length ${exact} exceeds the ${MAX_HEADER_BYTES}-byte limit (corrupt or not a safetensors file)`,
    );
  }
  if (8 + n > fileSize) {
    throw new FormatError(
      file,
      `header length ${n} runs past the end of the file (${fileSize} bytes, so at most ${fileSize - 8})`,
    );
  }
  return n;
}

function parseJson(bytes: Uint8Array, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(file, 'header is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FormatError(file, `header is not valid JSON (${(err as Error).message})`);
  }
  if (!isJsonObject(value)) throw new FormatError(file, `header must be a JSON object, got ${preview(value)}`);
  return value;
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  const out = nullRecord<string>();
  if (value === null) return out;
  if (!isJsonObject(value))
    throw new FormatError(file, `__metadata__ must be an object of strings, got ${preview(value)}`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      const key = k.length > 60 ? `${k.slice(0, 60)}…` : k;
      throw new FormatError(file, `__metadata__.${key} must be a string, got ${preview(v)}`);
    }
    setOwn(out, k, v);
  }
  return out;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(name: string, value: unknown, dataLength: number, file: string): SafetensorsEntry {
  const where = `tensor ${preview(name)}`;
  if (!isJsonObject(value))
    throw new FormatError(
      file,
      `${where}: expected an object with dtype, shape and data_offsets, got ${preview(value)}`,
    );
  const { dtype, shape, data_offsets: offsets } = value;
  if (dtype === undefined) throw new FormatError(file, `${where}: dtype is missing`);
  if (typeof dtype !== 'string') throw new FormatError(file, `${where}: dtype must be a string, got ${preview(dtype)}`);
  const info = DTYPE_INFO.get(dtype);
  if (info === undefined) {
    throw new FormatError(
      file,
      `${where}: unknown dtype ${preview(dtype)} (expected one of ${SAFETENSORS_DTYPES.map((d) => d.name).join(', ')})`,
    );
  }
  if (shape === undefined) throw new FormatError(file, `${where}: shape is missing`);
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new FormatError(file, `${where}: shape must be an array of non-negative integers, got ${preview(shape)}`);
  }
  if (offsets === undefined) throw new FormatError(file, `${where}: data_offsets is missing`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw new FormatError(
      file,
      `${where}: data_offsets must be [begin, end] with non-negative integers, got ${preview(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new FormatError(file, `${where}: data_offsets [${begin},${end}] has begin > end`);
  if (end > dataLength) {
    throw new FormatError(
      file,
      `${where}: data_offsets [${begin},${end}] run past the end of the data buffer (${dataLength} bytes)`,
    );
  }
  const elements = sizeOf(shape as number[]);
  if (elements * info.size !== end - begin) {
    throw new FormatError(
      file,
      `${where}: ${end - begin} bytes of data but shape ${preview(shape)} of ${dtype} needs ${elements * info.size}`,
    );
  }
  return { name, dtype, shape: shape as number[], dataOffsets: [begin, end] };
}

/** The data buffer must be tiled exactly: sorted by offsets, each tensor starts where the previous ends. */
function checkCoverage(entries: SafetensorsEntry[], dataLength: number, file: string): void {
  entries.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let pos = 0;
  let prev: SafetensorsEntry | undefined;
  for (const e of entries) {
    const [begin, end] = e.dataOffsets;
    const last = prev === undefined ? 'the start of the data buffer' : `tensor ${preview(prev.name)} ends`;
    if (begin < pos) {
      throw new FormatError(
        file,
        `tensor ${preview(e.name)}: data_offsets [${begin},${end}] overlap the previous tensor (${last} at ${pos})`,
      );
    }
    if (begin > pos) {
      throw new FormatError(
        file,
        `tensor ${preview(e.name)}: data_offsets [${begin},${end}] leave a gap of ${begin - pos} bytes (${last} at ${pos})`,
      );
    }
    pos = end;
    prev = e;
  }
  if (pos !== dataLength) {
    throw new FormatError(
      file,
      `${dataLength - pos} bytes after the last tensor are not covered by any tensor (data buffer is ${dataLength} bytes)`,
    );
  }
}

/**
 * Parses and validates the header of a safetensors file. `bytes` holds at least the first
 * 8 + N bytes; `fileSize` is the size of the whole file (defaults to `bytes.length`).
 *
 * @example
 * const { metadata, entries } = parseSafetensorsHeader(readFileSync(path), path);
 */
export function parseSafetensorsHeader(bytes: Uint8Array, file: string, fileSize = bytes.length): SafetensorsHeader {
  const n = readHeaderLength(bytes, fileSize, file);
  if (bytes.length < 8 + n) throw new FormatError(file, `expected ${8 + n} header bytes, got ${bytes.length}`);
  const json = parseJson(bytes.subarray(8, 8 + n), file);
  const dataLength = fileSize - 8 - n;
  let metadata = nullRecord<string>();
  const entries: SafetensorsEntry[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (key === '__metadata__') metadata = parseMetadata(value, file);
    else entries.push(parseEntry(key, value, dataLength, file));
  }
  checkCoverage(entries, dataLength, file);
  return { metadata, entries, dataStart: 8 + n };
}
