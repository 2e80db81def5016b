/**
 * The timed loop of the bench's GEMM rows (W3), the same on every side: bench/peers/torch_worker.py's
 * `timed_calls` does exactly this for NumPy and PyTorch.
 *
 * A warm-up of at least `warmupSeconds` and 2 calls, then calls until `seconds` have passed (at
 * least 5), each call timed on its own. Over the timed window it also reads what a loaded machine
 * hides from a wall clock: the process's CPU time (all threads), the time its threads sat runnable
 * in a run queue without a CPU (`/proc/self/task/<tid>/schedstat`, the second field), and, from
 * `/proc/stat`, the CPU time the rest of the machine used and the time the hypervisor stole.
 *
 * @example
 * const t = timeCalls(() => product(), { seconds: 1.5 });
 * const r = gemmFigures(2 * n ** 3, t, os.cpus().length); // { gflops, gflopsWall, gflopsCpu, ... }
 */
import { readFileSync, readdirSync } from 'node:fs';
import { quantile } from '../src/study/stats.js';

/** What the timed window of `timeCalls` measured. */
export interface CallTiming {
  /** Seconds of each timed call, in order. */
  callSeconds: number[];
  /** Wall seconds of the whole timed window. */
  wallSeconds: number;
  /** CPU seconds of this process in the window, all threads summed. */
  cpuSeconds: number;
  /** Seconds this process's threads waited in a run queue (runnable, no CPU), summed; null off Linux. */
  runQueueSeconds: number | null;
  /** CPU seconds the rest of the machine used in the window (all cores), and the time stolen by the hypervisor; null off Linux. */
  othersCpuSeconds: number | null;
  stealSeconds: number | null;
}

/** Sum over this process's threads of [on-CPU ns, run-queue ns]; null where schedstat is absent. */
function schedstat(): [number, number] | null {
  try {
    let run = 0;
    let wait = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      const f = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/);
      run += Number(f[0]);
      wait += Number(f[1]);
    }
    return [run, wait];
  } catch {
    return null;
  }
}

/** [busy seconds of all CPUs (steal excluded), steal seconds] from /proc/stat, USER_HZ = 100; null off Linux. */
function machineCpu(): [number, number] | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]!;
    return [busy / 100, f[7]! / 100];
  } catch {
    return null;
  }
}

/**
 * Calls `fn` for a warm-up, then times each call of a window of at least `seconds` and 5 calls.
 *
 * @example
 * timeCalls(() => backend.matmul(args, attrs), { seconds: 1.5, warmupSeconds: 0.3 });
 */
export function timeCalls(fn: () => void, opts: { seconds: number; warmupSeconds?: number }): CallTiming {
  const warm = (opts.warmupSeconds ?? 0.3) * 1000;
  const w0 = performance.now();
  for (let i = 0; i < 2 || performance.now() - w0 < warm; i++) fn();
  const s0 = schedstat();
  const m0 = machineCpu();
  const c0 = process.cpuUsage();
  const callSeconds: number[] = [];
  const t0 = performance.now();
  let t = t0;
  while (callSeconds.length < 5 || t - t0 < opts.seconds * 1000) {
    fn();
    const now = performance.now();
    callSeconds.push((now - t) / 1000);
    t = now;
  }
  const cpu = process.cpuUsage(c0);
  const s1 = schedstat();
  const m1 = machineCpu();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    callSeconds,
    wallSeconds: (t - t0) / 1000,
    cpuSeconds,
    runQueueSeconds: s0 !== null && s1 !== null ? (s1[1] - s0[1]) / 1e9 : null,
    othersCpuSeconds: m0 !== null && m1 !== null ? Math.max(0, m1[0] - m0[0] - cpuSeconds) : null,
    stealSeconds: m0 !== null && m1 !== null ? m1[1] - m0[1] : null,
  };
}

/** The figures a GEMM worker prints (GFLOP/s unless named otherwise), from `flops` a call. */
export interface GemmFigures {
  /** From the median call: the headline figure, which a preempted call does not move. */
  gflops: number;
  /** From the 10th and 90th percentile of the call times (slow and fast calls). */
  gflopsP10: number;
  gflopsP90: number;
  /** All the window's flops over its wall time. */
  gflopsWall: number;
  /** All the window's flops over the process's CPU seconds (all threads): GFLOP per CPU-second. */
  gflopsCpu: number;
  /** CPU seconds over wall seconds: how many threads were busy on average (spinning included). */
  busyThreads: number;
  calls: number;
  wallSeconds: number;
  /** Fractions of the window's wall time (per core of the machine for othersCpu, summed over threads for runQueue). */
  runQueueFraction: number | null;
  othersCpuFraction: number | null;
  stealFraction: number | null;
}

/**
 * GFLOP/s figures of a timed window whose every call did `flops` floating-point operations, on a
 * machine of `cores` CPUs.
 *
 * @example
 * gemmFigures(2 * 256 ** 3, timeCalls(product, { seconds: 1.5 }), os.cpus().length).gflops;
 */
export function gemmFigures(flops: number, t: CallTiming, cores: number): GemmFigures {
  const rate = (seconds: number): number => flops / seconds / 1e9;
  const frac = (x: number | null, per = 1): number | null =>
    x === null ? null : Number((x / t.wallSeconds / per).toFixed(3));
  const total = flops * t.callSeconds.length;
  return {
    gflops: rate(quantile(t.callSeconds, 0.5)),
    gflopsP10: rate(quantile(t.callSeconds, 0.9)),
    gflopsP90: rate(quantile(t.callSeconds, 0.1)),
    gflopsWall: total / t.wallSeconds / 1e9,
    gflopsCpu: total / t.cpuSeconds / 1e9,
    busyThreads: Number((t.cpuSeconds / t.wallSeconds).toFixed(3)),
    calls: t.callSeconds.length,
    wallSeconds: Number(t.wallSeconds.toFixed(3)),
    runQueueFraction: frac(t.runQueueSeconds),
    othersCpuFraction: frac(t.othersCpuSeconds, cores),
    stealFraction: frac(t.stealSeconds, cores),
  };
}
