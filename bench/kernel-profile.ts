/**
 * Where a W5 training step (the bench's BERT encoder: 4 layers, hidden 256, 4 heads, sequence 128,
 * batch 32, AdamW) spends its time: wraps every method of the active backend with a timer, runs
 * `steps` steps after two warm-up steps, and prints the step's forward / backward / optimiser split,
 * the kernels' total, the rest (JavaScript, autograd, allocation, collection), and each kernel
 * (matmuls by shape and transposes, binary ops by op and shapes) largest first.
 *
 * Times are CPU time of this process (process.cpuUsage), not wall time, so that a machine shared
 * with other jobs does not inflate them; run it with POLYTASK_NUM_THREADS=1, or kernels split over
 * threads are counted once per thread.
 *
 * usage: POLYTASK_NUM_THREADS=1 node dist/bench/kernel-profile.js [steps]
 *
 * @example
 * POLYTASK_NUM_THREADS=1 node dist/bench/kernel-profile.js 3
 * // step 805.3 ms (forward 262.1, backward 524.9, optimiser 18.3); kernels 624.3 ms; rest 181.0 ms
 * //    55.42 ms     4x   6.9%  matmul 1024x256x4096 transA
 */
import type { Backend } from '../src/backend/backend.js';
import { getBackend, nn } from '../src/index.js';
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
  return name;
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
  const steps = Number(process.argv[2] ?? 3);
  if (!Number.isInteger(steps) || steps < 1) {
    console.error(`kernel-profile: steps must be a positive integer, got '${process.argv[2]}'`);
    process.exit(1);
  }
  let timing = false;
  const stats = instrument(getBackend(), () => timing);
  const { model, ids, y, opt } = w5Workload();
  const phase = { forward: 0, backward: 0, optimiser: 0 };
  const step = (): void => {
    const c0 = process.cpuUsage();
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(ids), y);
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
  for (const s of stats.values()) kernels += s.ms;
  const per = (ms: number): string => (ms / steps).toFixed(1);
  console.log(
    `step ${per(total)} ms (forward ${per(phase.forward)}, backward ${per(phase.backward)}, optimiser ${per(phase.optimiser)}); kernels ${per(kernels)} ms; rest ${per(total - kernels)} ms`,
  );
  for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) {
    const share = ((100 * s.ms) / total).toFixed(1);
    console.log(
      `${(s.ms / steps).toFixed(2).padStart(8)} ms ${String(s.calls / steps).padStart(5)}x ${share.padStart(5)}%  ${k}`,
    );
  }
}

main();
