/**
 * The typed interface of the polytask_native addon (native/binding). Kernels take the same
 * arguments, in the same order, as the Backend methods of the same name (the `(arrays, attrs)`
 * objects included); the addon checks every argument against its declaration
 * (native/binding/signatures.def) and throws a TypeError or RangeError naming the kernel instead of
 * crashing.
 *
 * Differences from Backend: `binary` takes float32 operands only (int32 arithmetic stays in the
 * JS backend), and array lengths must equal what the shapes imply (matmul operands: at least).
 *
 * @example
 * const addon = loadNativeAddon();
 * addon?.gemmKernel(); // 'avx512', 'avx2' or 'generic'
 */
import type { Shape } from '../../core/shape.js';
import type { Backend, BinaryOp, F32 } from '../../backend/backend.js';
import type { Precision } from '../../backend/precision.js';

/** Every Backend kernel but `binary` has the same signature in the addon (see Backend for the contracts). */
export interface NativeAddon extends Omit<Backend, 'name' | 'binary'> {
  // ---- controls ----
  /** The GEMM micro-kernel in use: 'avx512', 'avx2' or 'generic'. */
  gemmKernel(): string;
  /** The micro-kernels this CPU runs, best first, comma-separated. */
  gemmKernels(): string;
  /** Selects a GEMM micro-kernel for the whole process (tests, benchmarks). */
  setGemmKernel(name: string): void;
  /** The precision matmul and the convolutions compute at: 'fp32' or 'bf16'. */
  gemmPrecision(): Precision;
  /** Sets it for the whole process (src/backend/precision.ts calls it; autocast sets that). */
  setGemmPrecision(precision: Precision): void;
  /** What bf16 runs on with the micro-kernel in use: 'avx512bf16', or '<kernel>+emulated'. */
  gemmBf16Kernel(): string;
  /** Threads the kernels split work over (POLYTASK_NUM_THREADS, else the hardware concurrency). */
  numThreads(): number;

  /** Float32 operands only: int32 arithmetic stays in the JS backend. */
  binary(op: BinaryOp, a: F32, aShape: Shape, b: F32, bShape: Shape, out: F32, outShape: Shape): void;
}
