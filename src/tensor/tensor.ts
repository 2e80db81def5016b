/**
 * The Tensor: a contiguous row-major typed array (float32, or int32 for indices and labels), its
 * shape, and autograd state. Every op returns a new tensor (reshape shares the data). Memory is
 * garbage-collected: there is no dispose.
 *
 * This module holds the class and declares its op methods (`TensorMethods`); `methods.ts` attaches
 * them, delegating to `ops/`, so the ops import the class and the class imports no op (no import
 * cycle). Import `Tensor` from `tensor/index.js` (or `creation.js`), which loads the methods.
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
 * const y = x.matmul(x).add(1).relu().sum();
 * y.backward();
 * x.grad?.toArray(); // [[7, 11], [9, 13]]
 */
import { dtypeOf, type DType, type TypedArray } from '../core/dtype.js';
import { ShapeError } from '../core/errors.js';
import { fmt, sizeOf } from '../core/shape.js';
import type { GradFn } from './autograd.js';

/** A number or a tensor: the operand of binary ops. */
export type Operand = Tensor | number;

/** Nested arrays of numbers of any depth. */
export type NestedArray = number | NestedArray[];

/**
 * The op methods of every Tensor, attached by `methods.ts`.
 *
 * @example
 * const y = x.matmul(x).add(1).relu().sum();
 */
export interface TensorMethods {
  /** Runs reverse-mode differentiation from this tensor (a scalar unless `gradient` is given). */
  backward(gradient?: Tensor, opts?: { retainGraph?: boolean }): void;

  /** A copy of the data (differentiable). */
  clone(): Tensor;
  /** Converts to float32 (cuts the graph for int32 inputs). */
  toFloat(): Tensor;
  /** Converts to int32, truncating towards zero. Not differentiable. */
  toInt(): Tensor;

  // ---- arithmetic ----
  add(o: Operand): Tensor;
  sub(o: Operand): Tensor;
  mul(o: Operand): Tensor;
  div(o: Operand): Tensor;
  pow(o: Operand): Tensor;
  maximum(o: Operand): Tensor;
  minimum(o: Operand): Tensor;
  eq(o: Operand): Tensor;
  ne(o: Operand): Tensor;
  lt(o: Operand): Tensor;
  le(o: Operand): Tensor;
  gt(o: Operand): Tensor;
  ge(o: Operand): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  abs(): Tensor;
  sign(): Tensor;
  square(): Tensor;
  reciprocal(): Tensor;
  clamp(min: number, max: number): Tensor;

  // ---- activations ----
  relu(): Tensor;
  /** max(x, slope·x); slope 0.01 by default. */
  leakyRelu(slope?: number): Tensor;
  gelu(): Tensor;
  /** x·σ(x). */
  silu(): Tensor;
  /** min(max(x, 0), 6). */
  relu6(): Tensor;
  /** relu6(x + 3)/6. */
  hardsigmoid(): Tensor;
  /** x·relu6(x + 3)/6. */
  hardswish(): Tensor;
  sigmoid(): Tensor;
  tanh(): Tensor;
  softplus(): Tensor;
  /** Softmax along `axis` (the last by default). */
  softmax(axis?: number): Tensor;
  logSoftmax(axis?: number): Tensor;

  // ---- reductions (axes: one, several, or all when omitted) ----
  sum(axes?: number | readonly number[], keepDim?: boolean): Tensor;
  mean(axes?: number | readonly number[], keepDim?: boolean): Tensor;
  max(axes?: number | readonly number[], keepDim?: boolean): Tensor;
  min(axes?: number | readonly number[], keepDim?: boolean): Tensor;
  logSumExp(axes?: number | readonly number[], keepDim?: boolean): Tensor;
  /** int32 indices of the maximum along `axis` (over the flattened tensor when omitted). */
  argmax(axis?: number, keepDim?: boolean): Tensor;
  argmin(axis?: number, keepDim?: boolean): Tensor;

  // ---- shape and indexing ----
  /** New shape with the same elements; one dimension may be -1. Shares the data. */
  reshape(shape: readonly number[]): Tensor;
  /** Collapses dimensions startAxis..endAxis (all by default) into one. */
  flatten(startAxis?: number, endAxis?: number): Tensor;
  squeeze(axis?: number): Tensor;
  unsqueeze(axis: number): Tensor;
  permute(perm: readonly number[]): Tensor;
  /** Swaps two axes (the last two by default). */
  transpose(a?: number, b?: number): Tensor;
  /** Broadcasts to a larger shape (a copy). */
  expand(shape: readonly number[]): Tensor;
  /** Elements [start, end) along `axis` (negative values count from the end). */
  slice(axis: number, start: number, end?: number): Tensor;
  /** Rows (or entries along `axis`) at int32 `indices`. */
  indexSelect(axis: number, indices: Tensor): Tensor;
  /** torch.gather: out[i][j] = this[i][index[i][j]] along axis. */
  gather(axis: number, index: Tensor): Tensor;
  /** Batched matrix product with broadcasting batch dimensions (1-D operands as in NumPy). */
  matmul(o: Tensor): Tensor;
}

// Declaration merging: the class below has the methods above (attached by methods.ts, whose table
// is typed as TensorMethods, so the compiler checks that every method declared here exists there).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Tensor extends TensorMethods {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Tensor {
  /** Row-major elements; kernels read and write it in place. */
  data: TypedArray;
  readonly shape: readonly number[];
  /** Whether gradients flow to this tensor. Settable on leaves. */
  requiresGrad = false;
  /** Accumulated gradient after `backward()`; null before. */
  grad: Tensor | null = null;
  /** The op that produced this tensor, when it is part of a recorded graph. */
  gradFn: GradFn | null = null;

  constructor(data: TypedArray, shape: readonly number[]) {
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError('tensor', `data has ${data.length} elements but shape ${fmt(shape)} needs ${sizeOf(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }
  get size(): number {
    return this.data.length;
  }
  get ndim(): number {
    return this.shape.length;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError('item', `needs exactly one element, got shape ${fmt(this.shape)}`);
    return this.data[0]!;
  }

  /** Nested arrays matching the shape (a number for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, off: number): NestedArray => {
      if (dim === this.shape.length) return this.data[off]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, off + i * stride));
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${fmt(this.shape)})`;
  }

  /** The same data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }
}
