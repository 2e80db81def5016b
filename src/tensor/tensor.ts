/**
 * The Tensor: a contiguous row-major typed array (float32, or int32 for indices and labels), its
 * shape, and autograd state. Ops are methods that delegate to `ops/`; every op returns a new tensor
 * (reshape shares the data). Memory is garbage-collected: there is no dispose.
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
import { runBackward, type GradFn } from './autograd.js';
import { backwardHooks } from './hooks.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as mv from './ops/movement.js';
import * as la from './ops/linalg.js';
import * as act from './ops/activation.js';

/** A number or a tensor: the operand of binary ops. */
export type Operand = Tensor | number;

/** Nested arrays of numbers of any depth. */
export type NestedArray = number | NestedArray[];

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

  get dtype(): DType { return dtypeOf(this.data); }
  get size(): number { return this.data.length; }
  get ndim(): number { return this.shape.length; }

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

  /** Runs reverse-mode differentiation from this tensor (a scalar unless `gradient` is given). */
  backward(gradient?: Tensor, opts: { retainGraph?: boolean } = {}): void {
    runBackward(this, gradient, opts.retainGraph ?? false, backwardHooks);
  }

  /** The same data, cut from the graph. */
  detach(): Tensor { return new Tensor(this.data, this.shape); }
  /** A copy of the data (differentiable). */
  clone(): Tensor { return ew.clone(this); }
  /** Converts to float32 (cuts the graph for int32 inputs). */
  toFloat(): Tensor { return ew.cast(this, 'float32'); }
  /** Converts to int32, truncating towards zero. Not differentiable. */
  toInt(): Tensor { return ew.cast(this, 'int32'); }

  // ---- arithmetic ----
  add(o: Operand): Tensor { return ew.binaryOp('add', this, o); }
  sub(o: Operand): Tensor { return ew.binaryOp('sub', this, o); }
  mul(o: Operand): Tensor { return ew.binaryOp('mul', this, o); }
  div(o: Operand): Tensor { return ew.binaryOp('div', this, o); }
  pow(o: Operand): Tensor { return ew.binaryOp('pow', this, o); }
  maximum(o: Operand): Tensor { return ew.binaryOp('maximum', this, o); }
  minimum(o: Operand): Tensor { return ew.binaryOp('minimum', this, o); }
  eq(o: Operand): Tensor { return ew.binaryOp('eq', this, o); }
  ne(o: Operand): Tensor { return ew.binaryOp('ne', this, o); }
  lt(o: Operand): Tensor { return ew.binaryOp('lt', this, o); }
  le(o: Operand): Tensor { return ew.binaryOp('le', this, o); }
  gt(o: Operand): Tensor { return ew.binaryOp('gt', this, o); }
  ge(o: Operand): Tensor { return ew.binaryOp('ge', this, o); }
  neg(): Tensor { return ew.unaryOp('neg', this); }
  exp(): Tensor { return ew.unaryOp('exp', this); }
  log(): Tensor { return ew.unaryOp('log', this); }
  sqrt(): Tensor { return ew.unaryOp('sqrt', this); }
  abs(): Tensor { return ew.unaryOp('abs', this); }
  sign(): Tensor { return ew.unaryOp('sign', this); }
  square(): Tensor { return ew.unaryOp('square', this); }
  reciprocal(): Tensor { return ew.unaryOp('reciprocal', this); }
  clamp(min: number, max: number): Tensor { return ew.clamp(this, min, max); }

  // ---- activations ----
  relu(): Tensor { return ew.unaryOp('relu', this); }
  leakyRelu(slope = 0.01): Tensor { return ew.leakyRelu(this, slope); }
  gelu(): Tensor { return act.gelu(this); }
  sigmoid(): Tensor { return ew.unaryOp('sigmoid', this); }
  tanh(): Tensor { return ew.unaryOp('tanh', this); }
  softplus(): Tensor { return act.softplus(this); }
  softmax(axis = -1): Tensor { return act.softmax(this, axis, false); }
  logSoftmax(axis = -1): Tensor { return act.softmax(this, axis, true); }

  // ---- reductions (axes: one, several, or all when omitted) ----
  sum(axes?: number | readonly number[], keepDim = false): Tensor { return red.sum(this, axes, keepDim); }
  mean(axes?: number | readonly number[], keepDim = false): Tensor { return red.mean(this, axes, keepDim); }
  max(axes?: number | readonly number[], keepDim = false): Tensor { return red.extreme('max', this, axes, keepDim); }
  min(axes?: number | readonly number[], keepDim = false): Tensor { return red.extreme('min', this, axes, keepDim); }
  logSumExp(axes?: number | readonly number[], keepDim = false): Tensor { return red.logSumExp(this, axes, keepDim); }
  /** int32 indices of the maximum along `axis` (over the flattened tensor when omitted). */
  argmax(axis?: number, keepDim = false): Tensor { return red.argReduce('argmax', this, axis, keepDim); }
  argmin(axis?: number, keepDim = false): Tensor { return red.argReduce('argmin', this, axis, keepDim); }

  // ---- shape and indexing ----
  /** New shape with the same elements; one dimension may be -1. Shares the data. */
  reshape(shape: readonly number[]): Tensor { return mv.reshape(this, shape); }
  /** Collapses dimensions startAxis..endAxis into one. */
  flatten(startAxis = 0, endAxis = -1): Tensor { return mv.flatten(this, startAxis, endAxis); }
  squeeze(axis?: number): Tensor { return mv.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return mv.unsqueeze(this, axis); }
  permute(perm: readonly number[]): Tensor { return mv.permute(this, perm); }
  /** Swaps two axes (the last two by default). */
  transpose(a = -2, b = -1): Tensor { return mv.transpose(this, a, b); }
  /** Broadcasts to a larger shape (a copy). */
  expand(shape: readonly number[]): Tensor { return mv.expand(this, shape); }
  /** Elements [start, end) along `axis` (negative values count from the end). */
  slice(axis: number, start: number, end?: number): Tensor { return mv.slice(this, axis, start, end); }
  /** Rows (or entries along `axis`) at int32 `indices`. */
  indexSelect(axis: number, indices: Tensor): Tensor { return mv.indexSelect(this, axis, indices); }
  /** torch.gather: out[i][j] = this[i][index[i][j]] along axis. */
  gather(axis: number, index: Tensor): Tensor { return mv.gather(this, axis, index); }
  /** Batched matrix product with broadcasting batch dimensions (1-D operands as in NumPy). */
  matmul(o: Tensor): Tensor { return la.matmul(this, o); }
}
