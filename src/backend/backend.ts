/**
 * The kernel interface. A backend is a table of kernels over typed arrays, shapes and attributes;
 * kernels never see a `Tensor`. Every kernel writes into output arrays the caller allocated
 * (zero-filled unless a kernel says it overwrites), all arrays are contiguous row-major.
 *
 * Calling convention:
 * - Elementwise, reduction and data-movement kernels are positional: each array is followed by its
 *   shape where it has one, outputs come last, and an op name, an axis or one or two scalars
 *   complete them. No flags. They run many times a step, so their calls allocate nothing.
 * - Every other kernel takes two objects, `kernel(arrays, attrs)`: `arrays` names its arrays
 *   (inputs and outputs; an optional one is `null`), `attrs` its sizes, flags and
 *   hyper-parameters. Attribute types are named (`MatmulAttrs`, `SoftmaxAttrs`), and a geometry
 *   (`Conv2dGeometry`) is shared by a forward kernel and its backward; `KernelArrays<'conv2d'>`
 *   names a kernel's arrays object.
 *
 * The reference implementation is `backends/js`; the native addon overrides the kernels it
 * accelerates and inherits the rest (see `backends/native`), and checks every argument against
 * its declaration in `native/binding/signatures.def`.
 *
 * @example
 * const be = getBackend();
 * be.binary('add', a, [2, 3], b, [3], out, [2, 3]);
 * // out [2,4] = a [2,3] · b [3,4]
 * be.matmul({ a, b, out }, { ...PLAIN_GEMM, m: 2, n: 4, k: 3 });
 */
import type { TypedArray } from '../core/dtype.js';
import type { Shape } from '../core/shape.js';

export type F32 = Float32Array;
export type I32 = Int32Array;

/** Elementwise unary ops; `alpha` is the slope of leakyRelu and unused otherwise. */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'abs'
  | 'sign'
  | 'square'
  | 'reciprocal'
  | 'relu'
  | 'leakyRelu'
  | 'sigmoid'
  | 'tanh'
  | 'erf'
  | 'log1p'
  /** exact GELU, x·Φ(x) = x·0.5·(1 + erf(x/√2)) */
  | 'gelu';

/** Broadcasting binary ops. Comparisons write 1 or 0. */
export type BinaryOp =
  'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type ReduceOp = 'sum' | 'max' | 'min';

/** Geometry of a 2-D convolution; x is [N,C,H,W], w is [O,C/groups,KH,KW], y is [N,O,OH,OW]. */
export interface Conv2dGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** Geometry of 2-D pooling; x is [N,C,H,W], y is [N,C,OH,OW]. Padding counts as -inf (max) or 0 (avg). */
export interface Pool2dGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  /** avg pooling: divide by kh*kw even at padded borders (PyTorch's count_include_pad). */
  countIncludePad: boolean;
}

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decay the weights directly instead of adding wd*p to the gradient. */
  decoupled: boolean;
  /** 1-based step count, for bias correction. */
  step: number;
}

export interface SgdParams {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** True on the first step with momentum: the buffer is set to the gradient instead of blended. */
  firstStep: boolean;
}

/** Operands of matmul: A is [k,m] when transA, else [m,k]; B is [n,k] when transB, else [k,n]; out is [batch,m,n]. */
export interface MatmulArrays {
  a: F32;
  b: F32;
  out: F32;
}

export interface MatmulAttrs {
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** A_b starts at b*aBatchStride (0 broadcasts one matrix over the batch); likewise B_b. */
  aBatchStride: number;
  bBatchStride: number;
  /** Add to out instead of overwriting it. */
  accumulate: boolean;
}

/**
 * The attributes of one plain product (one matrix each, no transposes, overwrite), to spread under
 * the ones a call sets.
 *
 * @example
 * be.matmul({ a, b, out }, { ...PLAIN_GEMM, m, n, k, transB: true }); // out [m,n] = a [m,k] · bᵀ, b [n,k]
 */
export const PLAIN_GEMM: Readonly<Omit<MatmulAttrs, 'm' | 'n' | 'k'>> = {
  batch: 1,
  transA: false,
  transB: false,
  aBatchStride: 0,
  bBatchStride: 0,
  accumulate: false,
};

/** Geometry of adaptive 2-D pooling; x is [N,C,H,W], y is [N,C,OH,OW]. */
export interface AdaptivePool2dGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
}

/** x viewed as [outer, dim, inner], normalised over dim; `log` for log-softmax. */
export interface SoftmaxAttrs {
  outer: number;
  dim: number;
  inner: number;
  log: boolean;
}

export interface CrossEntropyAttrs {
  rows: number;
  classes: number;
  smoothing: number;
  ignoreIndex: number;
}

/** x, y [rows, cols]; gamma, beta [cols] or null; mean, rstd [rows]. */
export interface LayerNormArrays {
  x: F32;
  gamma: F32 | null;
  beta: F32 | null;
  y: F32;
  mean: F32;
  rstd: F32;
}
export interface LayerNormBackwardArrays {
  gy: F32;
  x: F32;
  gamma: F32 | null;
  mean: F32;
  rstd: F32;
  gx: F32;
  ggamma: F32 | null;
  gbeta: F32 | null;
}
export interface LayerNormLayout {
  rows: number;
  cols: number;
}
export interface LayerNormAttrs extends LayerNormLayout {
  eps: number;
}

/** x, y [n,c,s]; gamma, beta, runningMean, runningVar, mean, rstd [c]. */
export interface BatchNormArrays {
  x: F32;
  gamma: F32 | null;
  beta: F32 | null;
  runningMean: F32 | null;
  runningVar: F32 | null;
  y: F32;
  mean: F32;
  rstd: F32;
}
export interface BatchNormBackwardArrays {
  gy: F32;
  x: F32;
  gamma: F32 | null;
  mean: F32;
  rstd: F32;
  gx: F32;
  ggamma: F32 | null;
  gbeta: F32 | null;
}
/** What the backward of batchNorm needs: the layout and whether batch statistics were used. */
export interface BatchNormLayout {
  n: number;
  c: number;
  s: number;
  training: boolean;
}
export interface BatchNormAttrs extends BatchNormLayout {
  momentum: number;
  eps: number;
}

export interface Backend {
  readonly name: string;

  // ---- elementwise ----
  /** out[i] = op(x[i]). Overwrites out. */
  unary(op: UnaryOp, x: F32, out: F32, alpha: number): void;
  /** gx[i] = gy[i] * op'(x[i]); `y` is op(x) (some derivatives read it). Overwrites gx. */
  unaryGrad(op: UnaryOp, x: F32, y: F32, gy: F32, gx: F32, alpha: number): void;
  /** out = op(a, b) with NumPy broadcasting to outShape. a, b, out share one dtype except that comparisons always write float32. Overwrites out. */
  binary(
    op: BinaryOp,
    a: TypedArray,
    aShape: Shape,
    b: TypedArray,
    bShape: Shape,
    out: TypedArray,
    outShape: Shape,
  ): void;
  /** out = cond != 0 ? a : b, all three broadcast to outShape. Overwrites out. */
  where(cond: F32, cShape: Shape, a: F32, aShape: Shape, b: F32, bShape: Shape, out: F32, outShape: Shape): void;
  /** out[i] = min(max(x[i], lo), hi). Overwrites out. */
  clamp(x: F32, lo: number, hi: number, out: F32): void;
  /** gx[i] = lo <= x[i] <= hi ? gy[i] : 0. Overwrites gx. */
  clampGrad(x: F32, lo: number, hi: number, gy: F32, gx: F32): void;

  // ---- reductions ----
  /** Reduces x over `axes` (sorted, unique); out has the size of shape with those axes set to 1. Overwrites out. */
  reduce(op: ReduceOp, x: F32, shape: Shape, axes: readonly number[], out: F32): void;
  /** Index of the max (or min) along `axis`; first index wins ties. Overwrites out. */
  argReduce(op: 'argmax' | 'argmin', x: F32, shape: Shape, axis: number, out: I32): void;

  // ---- data movement (any dtype; out has x's dtype) ----
  /** out = x.permute(perm), contiguous. */
  permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void;
  /** out = x[begin[0]:begin[0]+outShape[0], ...] (step 1). */
  slice(x: TypedArray, shape: Shape, begin: readonly number[], out: TypedArray, outShape: Shape): void;
  /** dst[begin[0]:begin[0]+srcShape[0], ...] = src (the inverse of slice; used by concat and slice's gradient). */
  sliceAssign(src: TypedArray, srcShape: Shape, dst: TypedArray, dstShape: Shape, begin: readonly number[]): void;
  /** out = x.indexSelect(axis, indices): out's `axis` dimension has indices.length entries. Indices are checked by the caller. */
  indexSelect(x: TypedArray, shape: Shape, axis: number, indices: I32, out: TypedArray): void;
  /** out.indexAdd_(axis, indices, g): the gradient of indexSelect. out has shape `outShape`, g has it with `axis` = indices.length. */
  indexAdd(g: F32, axis: number, indices: I32, out: F32, outShape: Shape): void;
  /** out[..., i, ...] = x[..., index[..., i, ...], ...] along `axis` (torch.gather); out has index's shape. */
  gather(x: TypedArray, shape: Shape, axis: number, index: I32, indexShape: Shape, out: TypedArray): void;
  /** out[..., index[..., i, ...], ...] += g[..., i, ...] (torch.scatter_add_), the gradient of gather. */
  scatterAdd(g: F32, indexShape: Shape, axis: number, index: I32, out: F32, outShape: Shape): void;

  // ---- linear algebra ----
  /**
   * Batched GEMM: for each b < batch, C_b[m,n] = op(A_b)[m,k] · op(B_b)[k,n] with op = transpose
   * when transA/transB. Overwrites out [batch,m,n] unless `accumulate`, which adds to it.
   */
  matmul(arrays: MatmulArrays, attrs: MatmulAttrs): void;

  // ---- convolution and pooling ----
  /** y = conv2d(x, w) + bias. Overwrites y. */
  conv2d(arrays: { x: F32; w: F32; bias: F32 | null; y: F32 }, g: Conv2dGeometry): void;
  /** gx = dL/dx given gy. Overwrites gx. */
  conv2dBackwardInput(arrays: { gy: F32; w: F32; gx: F32 }, g: Conv2dGeometry): void;
  /** gw = dL/dw (overwrites gw), and gb = dL/dbias when gb is given (overwrites gb). */
  conv2dBackwardWeight(arrays: { gy: F32; x: F32; gw: F32; gb: F32 | null }, g: Conv2dGeometry): void;
  /** y = max pool; argmax[i] = flat index within the (n,c) plane of x of each output's max (-1 when the window is all padding). Overwrites y and argmax. */
  maxPool2d(arrays: { x: F32; y: F32; argmax: I32 }, g: Pool2dGeometry): void;
  /** gx = gy routed through argmax (summed where windows overlap), 0 elsewhere. Overwrites gx. */
  maxPool2dBackward(arrays: { gy: F32; argmax: I32; gx: F32 }, g: Pool2dGeometry): void;
  /** y = average pool. Overwrites y. */
  avgPool2d(arrays: { x: F32; y: F32 }, g: Pool2dGeometry): void;
  /** gx must be zero-filled. */
  avgPool2dBackward(arrays: { gy: F32; gx: F32 }, g: Pool2dGeometry): void;
  /** PyTorch's adaptive average pooling: output cell i spans [floor(i*H/OH), ceil((i+1)*H/OH)). x [N,C,H,W] → y [N,C,OH,OW]. Overwrites y. */
  adaptiveAvgPool2d(arrays: { x: F32; y: F32 }, g: AdaptivePool2dGeometry): void;
  /** gx must be zero-filled. */
  adaptiveAvgPool2dBackward(arrays: { gy: F32; gx: F32 }, g: AdaptivePool2dGeometry): void;

  // ---- normalisation and softmax ----
  /** Softmax (or log-softmax) over the middle axis of x viewed as [outer, dim, inner]. Overwrites out. */
  softmax(arrays: { x: F32; out: F32 }, attrs: SoftmaxAttrs): void;
  /** gx from y = softmax(x) (or log-softmax) and gy. Overwrites gx. */
  softmaxBackward(arrays: { y: F32; gy: F32; gx: F32 }, attrs: SoftmaxAttrs): void;
  /**
   * Per-row softmax cross-entropy of logits [rows, classes] against integer targets [rows], with
   * label smoothing: loss_r = -sum_c q_c log p_c, q = (1-smoothing)·onehot + smoothing/classes.
   * Rows whose target equals ignoreIndex get loss 0 and gradient 0. When grad is given it receives
   * d loss_r / d logits. Targets out of [0, classes) other than ignoreIndex are checked by the caller.
   */
  softmaxCrossEntropy(
    arrays: { logits: F32; targets: I32; loss: F32; grad: F32 | null },
    attrs: CrossEntropyAttrs,
  ): void;
  /** Layer norm over the last `cols` of x [rows, cols]; writes y, and mean and rstd [rows] for the backward. gamma/beta [cols] or null. */
  layerNorm(arrays: LayerNormArrays, attrs: LayerNormAttrs): void;
  /** Overwrites gx, and ggamma/gbeta when given. */
  layerNormBackward(arrays: LayerNormBackwardArrays, attrs: LayerNormLayout): void;
  /**
   * Batch norm of x viewed as [n, c, s] (s = spatial size; 1 for BatchNorm1d on [N,C]). Training: uses
   * batch statistics, writes mean and rstd [c], and updates runningMean/runningVar (unbiased variance)
   * with `momentum` when given. Eval: normalises with runningMean/runningVar and writes them to mean/rstd.
   */
  batchNorm(arrays: BatchNormArrays, attrs: BatchNormAttrs): void;
  /** Backward of batchNorm; `training` says whether batch statistics were used. Overwrites gx, ggamma, gbeta. */
  batchNormBackward(arrays: BatchNormBackwardArrays, attrs: BatchNormLayout): void;

  // ---- optimiser updates (in place) ----
  /** One Adam/AdamW step on p with gradient g and moments m, v (all updated in place). */
  adamStep(arrays: { p: F32; g: F32; m: F32; v: F32 }, o: AdamParams): void;
  /** One SGD step; `buf` is the momentum buffer (null when momentum is 0). */
  sgdStep(arrays: { p: F32; g: F32; buf: F32 | null }, o: SgdParams): void;
}

/**
 * The `arrays` object of a kernel that takes `(arrays, attrs)`, for implementations to name it.
 *
 * @example
 * function avgPool2d({ x, y }: KernelArrays<'avgPool2d'>, g: Pool2dGeometry): void { ... }
 */
export type KernelArrays<K extends keyof Backend> = Backend[K] extends (arrays: infer A, attrs: never) => void
  ? A
  : never;
