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

/** The dtype an existing typed array holds. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Int32Array ? 'int32' : 'float32';
}
