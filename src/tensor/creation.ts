/**
 * Making tensors: from nested arrays or typed arrays, filled, random (from the seeded stream), ranges.
 *
 * @example
 * tensor([[1, 2], [3, 4]]);                 // float32 [2,2]
 * tensor(Int32Array.of(3, 1), [2]);         // int32 labels
 * randn([64, 10], { requiresGrad: true });
 */
import { allocate, emptyF32, type DType, type TypedArray } from '../core/dtype.js';
import { ShapeError, ValueError } from '../core/errors.js';
import { checkShape, fmt, sizeOf } from '../core/shape.js';
import { rng } from '../core/rng.js';
import './methods.js'; // the tensors made here have their op methods
import { Tensor, type NestedArray } from './tensor.js';

export interface TensorOptions {
  requiresGrad?: boolean;
  /** dtype of nested-array input (typed arrays carry their own). Default float32. */
  dtype?: DType;
}

function withGrad(t: Tensor, o: TensorOptions | undefined): Tensor {
  if (o?.requiresGrad) {
    if (t.dtype !== 'float32') throw new ValueError('tensor', 'only float32 tensors can require gradients');
    t.requiresGrad = true;
  }
  return t;
}

/** Shape of a nested array, checking that it is rectangular. */
function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0]!;
  }
  return shape;
}

function flattenInto(data: NestedArray, shape: readonly number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof data !== 'number')
      throw new ShapeError('tensor', `ragged nested array: expected a number at depth ${dim}`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new ShapeError(
      'tensor',
      `ragged nested array: expected ${shape[dim]} entries at depth ${dim}, shape ${fmt(shape)}`,
    );
  }
  for (const d of data) flattenInto(d, shape, dim + 1, out);
}

/**
 * A tensor from nested arrays (shape inferred) or a typed array (shape required unless 1-D).
 * An Int32Array gives an int32 tensor. The typed array is used as is, not copied.
 */
export function tensor(data: NestedArray | TypedArray, shape?: readonly number[], opts?: TensorOptions): Tensor {
  if (data instanceof Float32Array || data instanceof Int32Array) {
    return withGrad(new Tensor(data, shape ?? [data.length]), opts);
  }
  if (ArrayBuffer.isView(data)) throw new ValueError('tensor', 'typed arrays must be Float32Array or Int32Array');
  const inferred = inferShape(data);
  const flat: number[] = [];
  flattenInto(data, inferred, 0, flat);
  const arr = opts?.dtype === 'int32' ? Int32Array.from(flat) : Float32Array.from(flat);
  const t = new Tensor(arr, inferred);
  return withGrad(shape === undefined ? t : t.reshape(shape), opts);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, opts?: TensorOptions): Tensor {
  checkShape('full', shape);
  const arr = allocate(opts?.dtype ?? 'float32', sizeOf(shape));
  arr.fill(value);
  return withGrad(new Tensor(arr, shape), opts);
}

export function zeros(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 1, opts);
}

/** Standard normal samples from the seeded stream. */
export function randn(shape: readonly number[], opts?: TensorOptions): Tensor {
  checkShape('randn', shape);
  const arr = emptyF32(sizeOf(shape));
  for (let i = 0; i < arr.length; i++) arr[i] = rng.normal();
  return withGrad(new Tensor(arr, shape), opts);
}

/** Uniform samples in [low, high) from the seeded stream. */
export function rand(shape: readonly number[], low = 0, high = 1, opts?: TensorOptions): Tensor {
  checkShape('rand', shape);
  const arr = emptyF32(sizeOf(shape));
  for (let i = 0; i < arr.length; i++) arr[i] = low + (high - low) * rng.uniform();
  return withGrad(new Tensor(arr, shape), opts);
}

/** start, start+step, ... below end. int32 when all arguments are integers. */
export function arange(start: number, end?: number, step = 1): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step))
    throw new ValueError('arange', `step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((e - s) / step));
  const isInt = Number.isInteger(s) && Number.isInteger(e) && Number.isInteger(step);
  const arr = allocate(isInt ? 'int32' : 'float32', n);
  for (let i = 0; i < n; i++) arr[i] = s + i * step;
  return new Tensor(arr, [n]);
}
