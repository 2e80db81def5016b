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
 * addon?.storagePoolStats().hits; // tensor allocations served by reused memory
 */
import type { Shape } from '../../core/shape.js';
import type { Backend, BinaryOp, F32 } from '../../backend/backend.js';
import type { Precision } from '../../backend/precision.js';

/** The storage pool's counters: bytes it keeps free for reuse and bytes handed out, requests served by reuse or not. */
export interface StoragePoolStats {
  limitBytes: number;
  retainedBytes: number;
  retainedBlocks: number;
  liveBytes: number;
  hits: number;
  misses: number;
}

/** What the native GEMM runs with (native/kernels/gemm.h, `GemmConfig`). */
export interface GemmConfig {
  /** Micro-kernel: 'avx512', 'avx2' or 'generic'; its tile is mr × nr. */
  kernel: string;
  mr: number;
  nr: number;
  /** k steps, rows of A and columns of B per packed block. */
  kc: number;
  mc: number;
  nc: number;
  /** What the blocks come from: 'cache sizes', 'POLYTASK_GEMM_BLOCKS' or 'set_gemm_blocks'. */
  blocks: string;
  /** Bytes of L1 data and L2 cache of one core and of the whole L3 (0: none). */
  l1d: number;
  l2: number;
  l3: number;
  /** Where the cache sizes come from: 'cpuid', 'sysfs' or 'default'. */
  caches: string;
  /** The CPU's brand string. */
  cpu: string;
}

/** Every Backend kernel but `binary` has the same signature in the addon (see Backend for the contracts). */
export interface NativeAddon extends Omit<Backend, 'name' | 'binary'> {
  // ---- controls ----
  /** The GEMM micro-kernel in use: 'avx512', 'avx2' or 'generic'. */
  gemmKernel(): string;
  /** The micro-kernels this CPU runs, best first, comma-separated. */
  gemmKernels(): string;
  /** Selects a GEMM micro-kernel for the whole process (tests, benchmarks). */
  setGemmKernel(name: string): void;
  /** The GEMM's micro-kernel, tile, cache blocks and the cache sizes (bytes) they were chosen from. */
  gemmConfig(): GemmConfig;
  /** Fixes the GEMM's cache blocks (tests, experiments); `(0, 0, 0)` returns to the automatic choice. */
  setGemmBlocks(kc: number, mc: number, nc: number): void;
  /** The precision matmul and the convolutions compute at: 'fp32' or 'bf16'. */
  gemmPrecision(): Precision;
  /** Sets it for the whole process (src/backend/precision.ts calls it; autocast sets that). */
  setGemmPrecision(precision: Precision): void;
  /** What bf16 runs on with the micro-kernel in use: 'amx-bf16', 'avx512bf16', or '<kernel>+emulated'. */
  gemmBf16Kernel(): string;
  /** The native bf16 kernels this CPU runs, best first, comma-separated ('' when none). */
  gemmBf16Kernels(): string;
  /** Which native bf16 kernel bf16 mode runs on while the micro-kernel is avx512 (tests, benchmarks). */
  setGemmBf16Kernel(name: string): void;
  /** Threads the kernels split work over (POLYTASK_NUM_THREADS, else the hardware concurrency). */
  numThreads(): number;

  // ---- storage pool (native/kernels/storage_pool.h) ----
  /** An ArrayBuffer of `bytes` from the pool, zero-filled when `zero`; its memory returns to the pool when collected. */
  allocStorage(bytes: number, zero: boolean): ArrayBuffer;
  /**
   * Gives an allocStorage buffer's block back to the pool now by detaching the buffer (it and every
   * typed array over it become empty); false, doing nothing, for any other or an already released buffer.
   */
  releaseStorage(buffer: ArrayBuffer): boolean;
  /** What the pool holds and has served. */
  storagePoolStats(): StoragePoolStats;
  /** Caps the bytes the pool keeps for reuse (0: keeps none). */
  setStoragePoolLimit(bytes: number): void;
  /** Frees every block the pool keeps. */
  trimStoragePool(): void;

  /** Float32 operands only: int32 arithmetic stays in the JS backend. */
  binary(op: BinaryOp, a: F32, aShape: Shape, b: F32, bShape: Shape, out: F32, outShape: Shape): void;
}
