/**
 * The typed interface of the polytask_native addon (native/binding). Kernels take the same
 * arguments, in the same order, as the Backend methods of the same name; the addon checks every
 * argument and throws a TypeError or RangeError naming the kernel instead of crashing.
 *
 * Differences from Backend: `binary` takes float32 operands only (int32 arithmetic stays in the
 * JS backend), and array lengths must equal what the shapes imply (matmul operands: at least).
 *
 * @example
 * const addon = loadNativeAddon();
 * addon?.gemmKernel(); // 'avx512', 'avx2' or 'generic'
 */
import type { TypedArray } from '../../core/dtype.js';
import type { Shape } from '../../core/shape.js';
import type {
  AdamParams, BinaryOp, Conv2dGeometry, F32, I32, Pool2dGeometry, ReduceOp, SgdParams, UnaryOp,
} from '../../backend/backend.js';

export interface NativeAddon {
  // ---- controls ----
  /** The GEMM micro-kernel in use: 'avx512', 'avx2' or 'generic'. */
  gemmKernel(): string;
  /** The micro-kernels this CPU runs, best first, comma-separated. */
  gemmKernels(): string;
  /** Selects a GEMM micro-kernel for the whole process (tests, benchmarks). */
  setGemmKernel(name: string): void;
  /** Threads the kernels split work over (POLYTASK_NUM_THREADS, else the hardware concurrency). */
  numThreads(): number;

  // ---- kernels (see Backend) ----
  unary(op: UnaryOp, x: F32, out: F32, alpha: number): void;
  unaryGrad(op: UnaryOp, x: F32, y: F32, gy: F32, gx: F32, alpha: number): void;
  binary(op: BinaryOp, a: F32, aShape: Shape, b: F32, bShape: Shape, out: F32, outShape: Shape): void;
  where(cond: F32, cShape: Shape, a: F32, aShape: Shape, b: F32, bShape: Shape, out: F32, outShape: Shape): void;
  clamp(x: F32, lo: number, hi: number, out: F32): void;
  clampGrad(x: F32, lo: number, hi: number, gy: F32, gx: F32): void;
  reduce(op: ReduceOp, x: F32, shape: Shape, axes: readonly number[], out: F32): void;
  argReduce(op: 'argmax' | 'argmin', x: F32, shape: Shape, axis: number, out: I32): void;
  permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void;
  slice(x: TypedArray, shape: Shape, begin: readonly number[], out: TypedArray, outShape: Shape): void;
  sliceAssign(src: TypedArray, srcShape: Shape, dst: TypedArray, dstShape: Shape, begin: readonly number[]): void;
  indexSelect(x: TypedArray, shape: Shape, axis: number, indices: I32, out: TypedArray): void;
  indexAdd(g: F32, axis: number, indices: I32, out: F32, outShape: Shape): void;
  gather(x: TypedArray, shape: Shape, axis: number, index: I32, indexShape: Shape, out: TypedArray): void;
  scatterAdd(g: F32, indexShape: Shape, axis: number, index: I32, out: F32, outShape: Shape): void;
  matmul(
    a: F32, b: F32, out: F32, batch: number, m: number, n: number, k: number,
    transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number, accumulate: boolean,
  ): void;
  conv2d(x: F32, w: F32, bias: F32 | null, y: F32, g: Conv2dGeometry): void;
  conv2dBackwardInput(gy: F32, w: F32, gx: F32, g: Conv2dGeometry): void;
  conv2dBackwardWeight(gy: F32, x: F32, gw: F32, gb: F32 | null, g: Conv2dGeometry): void;
  maxPool2d(x: F32, y: F32, argmax: I32, g: Pool2dGeometry): void;
  maxPool2dBackward(gy: F32, argmax: I32, gx: F32, g: Pool2dGeometry): void;
  avgPool2d(x: F32, y: F32, g: Pool2dGeometry): void;
  avgPool2dBackward(gy: F32, gx: F32, g: Pool2dGeometry): void;
  adaptiveAvgPool2d(x: F32, n: number, c: number, h: number, w: number, oh: number, ow: number, y: F32): void;
  adaptiveAvgPool2dBackward(gy: F32, n: number, c: number, h: number, w: number, oh: number, ow: number, gx: F32): void;
  softmax(x: F32, outer: number, dim: number, inner: number, log: boolean, out: F32): void;
  softmaxBackward(y: F32, gy: F32, outer: number, dim: number, inner: number, log: boolean, gx: F32): void;
  softmaxCrossEntropy(logits: F32, targets: I32, rows: number, classes: number, smoothing: number, ignoreIndex: number, loss: F32, grad: F32 | null): void;
  layerNorm(x: F32, gamma: F32 | null, beta: F32 | null, rows: number, cols: number, eps: number, y: F32, mean: F32, rstd: F32): void;
  layerNormBackward(gy: F32, x: F32, gamma: F32 | null, mean: F32, rstd: F32, rows: number, cols: number, gx: F32, ggamma: F32 | null, gbeta: F32 | null): void;
  batchNorm(
    x: F32, n: number, c: number, s: number, gamma: F32 | null, beta: F32 | null,
    training: boolean, momentum: number, eps: number, runningMean: F32 | null, runningVar: F32 | null,
    y: F32, mean: F32, rstd: F32,
  ): void;
  batchNormBackward(
    gy: F32, x: F32, n: number, c: number, s: number, gamma: F32 | null, mean: F32, rstd: F32, training: boolean,
    gx: F32, ggamma: F32 | null, gbeta: F32 | null,
  ): void;
  adamStep(p: F32, g: F32, m: F32, v: F32, o: AdamParams): void;
  sgdStep(p: F32, g: F32, buf: F32 | null, o: SgdParams): void;
}
