/**
 * Element types. float32 for values, int32 for indices and labels.
 *
 * @example
 * const arr = allocate('int32', 4); // Int32Array(4)
 */
export type DType = 'float32' | 'int32';
export type TypedArray = Float32Array | Int32Array;

/** A fresh zero-filled array of `size` elements of `dtype`. */
export function allocate(dtype: DType, size: number): TypedArray {
  return dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
}

/** From this many bytes on, allocateEmpty skips the zero fill (below it, filling costs nothing). */
const EMPTY_MIN_BYTES = 4096;

/**
 * A fresh array of `size` elements of `dtype` whose contents are unspecified (old memory), for the
 * output of a kernel that overwrites every element: a large `new Float32Array` is zero-filled by
 * calloc and then written again by the kernel, a pass over memory that a training step of a CNN
 * spends ~5% of its time on. Node's Buffer.allocUnsafeSlow gives unpooled, unfilled memory.
 *
 * @example
 * const out = allocateEmpty('float32', x.size) as Float32Array;
 * getBackend().unary('relu', x.data as Float32Array, out, 0); // writes every element
 */
export function allocateEmpty(dtype: DType, size: number): TypedArray {
  if (size * 4 < EMPTY_MIN_BYTES) return allocate(dtype, size);
  const bytes = Buffer.allocUnsafeSlow(size * 4);
  return dtype === 'int32'
    ? new Int32Array(bytes.buffer, bytes.byteOffset, size)
    : new Float32Array(bytes.buffer, bytes.byteOffset, size);
}

/** allocateEmpty for float32. */
export function emptyF32(size: number): Float32Array {
  return allocateEmpty('float32', size) as Float32Array;
}

/** The dtype an existing typed array holds. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Int32Array ? 'int32' : 'float32';
}
