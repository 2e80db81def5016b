/**
 * Decoding raw element bytes shared by the file readers (safetensors, NPY, IDX): a copy into a
 * fresh aligned buffer in the host's byte order, then a conversion to the engine's two dtypes
 * (float32 for floats, int32 for integers and booleans) with range checks where values can be
 * lost.
 *
 * @example
 * const bytes = new Uint8Array([0, 60]);                          // 1.0 as little-endian F16
 * toEngineArray(decodeNative(bytes, 'F16', true), 'F16', 'x.npy', 'data'); // Float32Array [1]
 */
import { FormatError } from '../core/errors.js';

/** Element kinds, named as safetensors names them; each reader maps its own codes onto these. */
export type ElementKind =
  'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

/** Bytes per element of each kind. */
export const ITEM_SIZE: Readonly<Record<ElementKind, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** Typed arrays holding decoded elements; F16 and BF16 stay as raw 16-bit patterns. */
export type NativeArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A copy of `bytes` in a fresh (hence aligned) buffer, each `size`-byte word reversed if asked. */
function alignedCopy(bytes: Uint8Array, size: number, swap: boolean): ArrayBuffer {
  const out = new Uint8Array(bytes.length);
  if (!swap || size === 1) {
    out.set(bytes);
  } else {
    for (let i = 0; i < bytes.length; i += size) {
      for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
    }
  }
  return out.buffer;
}

/**
 * Elements of `kind` stored in `bytes` (whose length must be a multiple of the item size) in the
 * given byte order, as a typed array in host order that owns its memory.
 *
 * @example
 * decodeNative(new Uint8Array([0, 0, 1, 0]), 'I32', false); // Int32Array [256]
 */
export function decodeNative(bytes: Uint8Array, kind: ElementKind, littleEndian: boolean): NativeArray {
  const size = ITEM_SIZE[kind];
  const buf = alignedCopy(bytes, size, littleEndian !== HOST_LITTLE_ENDIAN);
  switch (kind) {
    case 'BOOL':
    case 'U8':
      return new Uint8Array(buf);
    case 'I8':
      return new Int8Array(buf);
    case 'I16':
      return new Int16Array(buf);
    case 'U16':
    case 'F16':
    case 'BF16':
      return new Uint16Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'U32':
      return new Uint32Array(buf);
    case 'F32':
      return new Float32Array(buf);
    case 'F64':
      return new Float64Array(buf);
    case 'I64':
      return new BigInt64Array(buf);
    case 'U64':
      return new BigUint64Array(buf);
  }
}

/**
 * IEEE 754 half precision bit pattern → number (exact: every half is a float32).
 *
 * @example
 * halfToFloat(0x3c00); // 1
 * halfToFloat(0x0001); // 2 ** -24, the smallest subnormal
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function halvesToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfToFloat(bits[i]!);
  return out;
}

/** bfloat16 is the top half of a float32: shift the pattern into place and reinterpret. */
function bfloatsToFloat32(bits: Uint16Array): Float32Array {
  const words = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i]! << 16;
  return new Float32Array(words.buffer);
}

function boolsToInt32(values: Uint8Array): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] === 0 ? 0 : 1;
  return out;
}

function fitsInt32Error(file: string, field: string, index: number, value: bigint | number): FormatError {
  return new FormatError(
    file,
    `${field}: element ${index} = ${value} does not fit in int32 (polytask stores integers as int32)`,
  );
}

/** 64-bit integers → int32, failing on the first value outside [-2^31, 2^31). */
function int64ToInt32(values: BigInt64Array | BigUint64Array, file: string, field: string): Int32Array {
  const out = new Int32Array(values.length);
  // Read each 64-bit word as two 32-bit halves: a value fits iff the high half is the sign
  // extension of the low half. Far faster than one BigInt comparison per element.
  const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const lo = HOST_LITTLE_ENDIAN ? 0 : 1;
  const unsigned = values instanceof BigUint64Array;
  for (let i = 0; i < values.length; i++) {
    const low = halves[2 * i + lo]!;
    const high = halves[2 * i + 1 - lo]!;
    if (high !== low >> 31 || (unsigned && low < 0)) throw fitsInt32Error(file, field, i, values[i]!);
    out[i] = low;
  }
  return out;
}

function uint32ToInt32(values: Uint32Array, file: string, field: string): Int32Array {
  for (let i = 0; i < values.length; i++) {
    if (values[i]! > 0x7fffffff) throw fitsInt32Error(file, field, i, values[i]!);
  }
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * Converts decoded elements to the engine's dtypes: F32 as is, F16/BF16/F64 to float32 (F64
 * rounds), every integer kind to int32 (an error names the first value that does not fit), BOOL
 * to 0/1. `file` and `field` only name the place in error messages.
 *
 * @example
 * toEngineArray(BigInt64Array.of(7n), 'I64', 'w.safetensors', 'tensor "step"'); // Int32Array [7]
 */
export function toEngineArray(
  values: NativeArray,
  kind: ElementKind,
  file: string,
  field: string,
): Float32Array | Int32Array {
  switch (kind) {
    case 'F32':
      return values as Float32Array;
    case 'I32':
      return values as Int32Array;
    case 'F16':
      return halvesToFloat32(values as Uint16Array);
    case 'BF16':
      return bfloatsToFloat32(values as Uint16Array);
    // typed-array constructors copy element by element without an intermediate JS array
    case 'F64':
      return new Float32Array(values as Float64Array);
    case 'BOOL':
      return boolsToInt32(values as Uint8Array);
    case 'U8':
    case 'I8':
    case 'I16':
    case 'U16':
      return new Int32Array(values as Uint8Array | Int8Array | Int16Array | Uint16Array);
    case 'U32':
      return uint32ToInt32(values as Uint32Array, file, field);
    case 'I64':
    case 'U64':
      return int64ToInt32(values as BigInt64Array | BigUint64Array, file, field);
  }
}

/**
 * Host-order bytes of a typed array as little-endian bytes (a view when the host is little-endian).
 *
 * @example
 * littleEndianBytes(Int32Array.of(1)); // Uint8Array [1, 0, 0, 0]
 */
export function littleEndianBytes(data: Float32Array | Int32Array): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return HOST_LITTLE_ENDIAN ? view : new Uint8Array(alignedCopy(view, 4, true));
}
