/**
 * Where a training step of W5 (the bench's BERT encoder: 4 layers, hidden 256, 4 heads, sequence
 * 128, batch 32, AdamW), W2 (the benchmark CNN, batch 128) or W4 (ResNet-18 on 32×32, batch 64;
 * bench/step-workloads.ts) spends its time, in fp32 or in bf16 mixed precision: wraps every method
 * of the active backend with a timer, runs `steps` steps after two warm-up steps, and prints the
 * step's forward / backward / optimiser split, the kernels' total, the rest (JavaScript, autograd,
 * allocation, collection), the share of the GEMM-backed kernels (matmul and the convolutions: all
 * that bf16 can speed up), and each kernel (matmuls by shape and transposes, convolutions by
 * geometry, binary ops by op and shapes) largest first.
 *
 * Times are CPU time of this process (process.cpuUsage), not wall time, so that a machine shared
 * with other jobs does not inflate them; run it with POLYTASK_NUM_THREADS=1, or kernels split over
 * threads are counted once per thread.
 *
 * usage: POLYTASK_NUM_THREADS=1 node dist/bench/kernel-profile.js [steps] [W5|W2|W4] [fp32|bf16]
 *
 * @example
 * POLYTASK_NUM_THREADS=1 node dist/bench/kernel-profile.js 3
 * // step 805.3 ms (forward 262.1, backward 524.9, optimiser 18.3); kernels 624.3 ms; rest 181.0 ms
 * // GEMM-backed kernels (matmul, conv2d*) 560.1 ms, 69.6% of the step
 * //    55.42 ms     4x   6.9%  matmul 1024x256x4096 transA
 * POLYTASK_NUM_THREADS=1 node dist/bench/kernel-profile.js 5 W2 bf16
 */
import type { Backend, Conv2dGeometry } from '../src/backend/backend.js';
import { getBackend, nn, setDefaultPrecision, type Tensor } from '../src/index.js';
import { w2Workload, w4Workload } from './step-workloads.js';
import { w5Workload } from './w5-workload.js';

const cpuMs = (since?: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

/** A kernel call's name in the table: matmuls by shape, binary ops by op and shapes. */
function label(name: string, args: readonly unknown[]): string {
  if (name === 'matmul') {
    const a = args[1] as { batch: number; m: number; n: number; k: number; transA: boolean; transB: boolean };
    const t = `${a.transA ? ' transA' : ''}${a.transB ? ' transB' : ''}`;
    return `matmul ${a.batch > 1 ? `${a.batch}× ` : ''}${a.m}x${a.n}x${a.k}${t}`;
  }
  if (name === 'binary') return `binary ${String(args[0])} [${String(args[2])}] [${String(args[4])}]`;
  if (name.startsWith('conv2d')) {
    const g = args[1] as Conv2dGeometry;
    return `${name} ${g.n}x${g.c}x${g.h}x${g.w} -> ${g.o} k${g.kh}x${g.kw} s${g.strideH} g${g.groups}`;
  }
  return name;
}

/** The kernels whose work is a GEMM (the convolutions are GEMMs inside): what bf16 speeds up. */
const isGemmBacked = (key: string): boolean => key.startsWith('matmul') || key.startsWith('conv2d');

/** The workload's model, batch and optimiser, as the step below runs them. */
function workload(name: string): { model: nn.Module; x: Tensor; y: Tensor; opt: { zeroGrad(): void; step(): void } } {
  if (name === 'W2') return w2Workload();
  if (name === 'W4') return w4Workload();
  const { model, ids, y, opt } = w5Workload();
  return { model, x: ids, y, opt };
}

/** Replaces each method of `be` by a timed call; returns the totals it fills while `on()` is true. */
function instrument(be: Backend, on: () => boolean): Map<string, { ms: number; calls: number }> {
  const stats = new Map<string, { ms: number; calls: number }>();
  const target = be as unknown as Record<string, unknown>;
  const names = new Set<string>();
  for (let o: object | null = be; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null)
    for (const n of Object.getOwnPropertyNames(o))
      if (n !== 'constructor' && typeof target[n] === 'function') names.add(n);
  for (const n of names) {
    const f = (target[n] as (...a: unknown[]) => unknown).bind(be);
    target[n] = (...args: unknown[]): unknown => {
      if (!on()) return f(...args);
      const c0 = process.cpuUsage();
      const r = f(...args);
      const ms = cpuMs(c0);
      const key = label(n, args);
      const s = stats.get(key) ?? { ms: 0, calls: 0 };
      s.ms += ms;
      s.calls += 1;
      stats.set(key, s);
      return r;
    };
  }
  return stats;
}

function main(): void {
  const [stepsArg = '3', name = 'W5', precision = 'fp32'] = process.argv.slice(2);
  const steps = Number(stepsArg);
  if (!Number.isInteger(steps) || steps < 1) {
    console.error(`kernel-profile: steps must be a positive integer, got '${stepsArg}'`);
    process.exit(1);
  }
  if (!['W2', 'W4', 'W5'].includes(name)) {
    console.error(`kernel-profile: workload must be W2, W4 or W5, got '${name}'`);
    process.exit(1);
  }
  if (precision !== 'fp32' && precision !== 'bf16') {
    console.error(`kernel-profile: precision must be fp32 or bf16, got '${precision}'`);
    process.exit(1);
  }
  setDefaultPrecision(precision);
  let timing = false;
  const stats = instrument(getBackend(), () => timing);
  const { model, x, y, opt } = workload(name);
  const phase = { forward: 0, backward: 0, optimiser: 0 };
  const step = (): void => {
    const c0 = process.cpuUsage();
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    const f = cpuMs(c0);
    loss.backward();
    const b = cpuMs(c0);
    opt.step();
    const o = cpuMs(c0);
    if (timing) {
      phase.forward += f;
      phase.backward += b - f;
      phase.optimiser += o - b;
    }
  };
  step();
  step();
  timing = true;
  const c0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  const total = cpuMs(c0);
  timing = false;
  let kernels = 0;
  let gemmBacked = 0;
  for (const [k, s] of stats) {
    kernels += s.ms;
    if (isGemmBacked(k)) gemmBacked += s.ms;
  }
  const per = (ms: number): string => (ms / steps).toFixed(1);
  console.log(`${name} ${precision}, ${steps} steps`);
  console.log(
    `step ${per(total)} ms (forward ${per(phase.forward)}, backward ${per(phase.backward)}, optimiser ${per(phase.optimiser)}); kernels ${per(kernels)} ms; rest ${per(total - kernels)} ms`,
  );
  console.log(
    `GEMM-backed kernels (matmul, conv2d*) ${per(gemmBacked)} ms, ${((100 * gemmBacked) / total).toFixed(1)}% of the step`,
  );
  for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) {
    const share = ((100 * s.ms) / total).toFixed(1);
    console.log(
      `${(s.ms / steps).toFixed(2).padStart(8)} ms ${String(s.calls / steps).padStart(5)}x ${share.padStart(5)}%  ${k}`,
    );
  }
}

main();
