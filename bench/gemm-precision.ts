/**
 * The GEMM kernel's rate in fp32 and in bf16 mixed precision, side by side, at 1024³ and at the
 * shapes of W2's and W4's steps: their linear layers as the step calls them, and each convolution
 * as the im2col product of its forward (M = out channels, N = batch × output pixels, K = in
 * channels × kernel pixels), backward-input and backward-weight passes (the native convolutions
 * run these as GEMMs, whole or in chunks, or Winograd's smaller batched GEMMs of the same K or M).
 * Prints one line a shape: GFLOP/s fp32, GFLOP/s bf16 and their ratio, each the best of `reps`
 * alternating measurements of at least 40 ms of this process's CPU time (process.cpuUsage), so a
 * machine shared with other jobs slows the figures less than a wall clock would; run it with
 * POLYTASK_NUM_THREADS=1.
 *
 * usage: POLYTASK_NUM_THREADS=1 node dist/bench/gemm-precision.js [reps]
 *
 * @example
 * POLYTASK_NUM_THREADS=1 node dist/bench/gemm-precision.js 5
 * // W2 fc1 forward        128x128x3136 transB     190.2   297.1  1.56
 */
import { PLAIN_GEMM, type MatmulAttrs } from '../src/backend/backend.js';
import { setComputePrecision, type Precision } from '../src/backend/precision.js';
import { loadNativeAddon } from '../src/backends/native/index.js';
import { getBackend, rand } from '../src/index.js';

/** One product: out [m, n] = op(a) · op(b), K = k. */
interface Shape {
  label: string;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
}

/** A convolution's three im2col products (geometry: batch n, in c, out o, kernel kk pixels, output p pixels). */
function convShapes(label: string, n: number, c: number, o: number, kk: number, p: number): Shape[] {
  return [
    { label: `${label} fwd`, m: o, n: n * p, k: c * kk },
    { label: `${label} bwd-in`, m: c * kk, n: n * p, k: o, transA: true },
    { label: `${label} bwd-w`, m: o, n: c * kk, k: n * p, transB: true },
  ];
}

const SHAPES: Shape[] = [
  { label: 'square', m: 1024, n: 1024, k: 1024 },
  // W2: the benchmark CNN, batch 128
  ...convShapes('W2 conv1 1->32', 128, 1, 32, 9, 28 * 28),
  ...convShapes('W2 conv2 32->64', 128, 32, 64, 9, 14 * 14),
  { label: 'W2 fc1 fwd', m: 128, n: 128, k: 3136, transB: true },
  { label: 'W2 fc1 bwd-in', m: 128, n: 3136, k: 128 },
  { label: 'W2 fc1 bwd-w', m: 128, n: 3136, k: 128, transA: true },
  // W4: ResNet-18 on 32x32, batch 64 (stem 7x7/2 to 16x16, then 8, 4, 2, 1 pixels a side)
  ...convShapes('W4 stem 3->64 7x7', 64, 3, 64, 49, 16 * 16),
  ...convShapes('W4 layer1 64->64', 64, 64, 64, 9, 8 * 8),
  ...convShapes('W4 layer2 128->128', 64, 128, 128, 9, 4 * 4),
  ...convShapes('W4 layer3 256->256', 64, 256, 256, 9, 2 * 2),
  ...convShapes('W4 layer4 512->512', 64, 512, 512, 9, 1),
];

const cpuMs = (since?: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

/** GFLOP/s of one measurement of `s` at `precision`: calls until 40 ms of CPU time have passed. */
function rate(s: Shape, precision: Precision, a: Float32Array, b: Float32Array, out: Float32Array): number {
  const attrs: MatmulAttrs = {
    ...PLAIN_GEMM,
    m: s.m,
    n: s.n,
    k: s.k,
    transA: s.transA ?? false,
    transB: s.transB ?? false,
  };
  const be = getBackend();
  setComputePrecision(precision);
  try {
    be.matmul({ a, b, out }, attrs);
    let calls = 0;
    const c0 = process.cpuUsage();
    let ms = 0;
    do {
      be.matmul({ a, b, out }, attrs);
      calls++;
      ms = cpuMs(c0);
    } while (ms < 40);
    return (2 * s.m * s.n * s.k * calls) / (ms / 1000) / 1e9;
  } finally {
    setComputePrecision('fp32');
  }
}

function main(): void {
  const reps = Number(process.argv[2] ?? 5);
  if (!Number.isInteger(reps) || reps < 1) {
    console.error(`gemm-precision: reps must be a positive integer, got '${process.argv[2]}'`);
    process.exit(1);
  }
  const addon = loadNativeAddon();
  console.log(
    `backend ${getBackend().name}; bf16 GEMM kernel: ${addon === null ? 'none (JS backend: rounds, then fp32)' : addon.gemmBf16Kernel()}`,
  );
  console.log(`${'shape'.padEnd(26)} ${'m x n x k'.padEnd(22)} fp32 GFLOP/s  bf16 GFLOP/s  bf16/fp32`);
  for (const s of SHAPES) {
    const a = rand([s.m * s.k]).data as Float32Array;
    const b = rand([s.k * s.n]).data as Float32Array;
    const out = new Float32Array(s.m * s.n);
    let fp32 = 0;
    let bf16 = 0;
    for (let r = 0; r < reps; r++) {
      fp32 = Math.max(fp32, rate(s, 'fp32', a, b, out));
      bf16 = Math.max(bf16, rate(s, 'bf16', a, b, out));
    }
    const t = `${s.transA === true ? ' transA' : ''}${s.transB === true ? ' transB' : ''}`;
    console.log(
      `${s.label.padEnd(26)} ${`${s.m}x${s.n}x${s.k}${t}`.padEnd(22)} ${fp32.toFixed(1).padStart(12)}  ${bf16.toFixed(1).padStart(12)}  ${(bf16 / fp32).toFixed(2).padStart(9)}`,
    );
  }
}

main();
