/**
 * Whether a training step in steady state touches fresh memory (issue 18), measured after the
 * bench's timed window so it costs the rate nothing: the step runs on until the storage pool has
 * served `quiet` steps and `quietSeconds` in a row without allocating a new block, then a window
 * of at least `minSteps` steps and `minSeconds` is measured: minor page faults per step (mean and
 * worst step, the whole process: tensor storage and V8's own heap), new pool blocks per step, and
 * GC milliseconds per step.
 *
 * Why the warm-up is long: the collector frees last step's tensors at different points of a step
 * from one step to the next, and a block is new only when more of a size class is alive at once
 * than in any step before: a record, which comes ever more rarely. Measured per 50 steps (W4, one
 * process): 196 new blocks in the first 50 steps, then 5, 2, 3, 0, 1 and none from step 300 to 600;
 * W1 took its last records between steps 1,000 and 1,100 (no collection had run in the 3 steps
 * before them; likely V8 sizing its young generation up as the heap settles). A warm-up of 10
 * quiet steps ended inside that tail.
 * Without the native addon there is no pool: the warm-up is `quiet` steps and `quietSeconds`, and
 * no blocks are counted.
 *
 * @example
 * const figures = await steadyMemory(() => step(), loadNativeAddon());
 * figures.faultsPerStep; // 0 when no step of the window touched a fresh page
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { NativeAddon } from '../src/backends/native/index.js';

export interface SteadyMemoryOptions {
  /** Steps and seconds in a row without a new pool block that end the warm-up (default 10, 10). */
  quiet?: number;
  quietSeconds?: number;
  /** Most warm-up steps, and most warm-up seconds (default 5,000, 90): a cap for slow steps. */
  maxWarmupSteps?: number;
  maxWarmupSeconds?: number;
  /** The measured window: at least this many steps and seconds (default 50, 10), at most `maxSeconds` (default 20). */
  minSteps?: number;
  minSeconds?: number;
  maxSeconds?: number;
}

export interface SteadyMemory {
  /** Minor page faults per step of the window, mean (rounded) and worst step. */
  faultsPerStep: number;
  faultsMaxPerStep: number;
  /** Blocks the storage pool allocated afresh per step of the window (absent without the addon). */
  newBlocksPerStep?: number;
  /** GC pause milliseconds per step of the window. */
  gcMsPerStep: number;
  /** Steps of the warm-up, and whether it ended by `quiet` (false: a cap ended it). */
  warmupSteps: number;
  warmedUp: boolean;
  /** Steps of the window. */
  windowSteps: number;
}

/** Every GC pause of the process (Node delivers the entries after the pause, outside the steps). */
const gcPauses: { start: number; ms: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, ms: e.duration });
}).observe({ entryTypes: ['gc'] });

/** GC pause milliseconds that started in [t0, t1), once Node has delivered the entries. */
async function gcMsBetween(t0: number, t1: number): Promise<number> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  return gcPauses.filter((g) => g.start >= t0 && g.start < t1).reduce((a, g) => a + g.ms, 0);
}

const faults = (): number => process.resourceUsage().minorPageFault;

export async function steadyMemory(
  step: () => void,
  addon: NativeAddon | null,
  options: SteadyMemoryOptions = {},
): Promise<SteadyMemory> {
  const { quiet = 10, quietSeconds = 10, maxWarmupSteps = 5000, maxWarmupSeconds = 90 } = options;
  const { minSteps = 50, minSeconds = 10, maxSeconds = 20 } = options;
  const misses = (): number => addon?.storagePoolStats().misses ?? 0;
  let warmupSteps = 0;
  let calm = 0;
  const w0 = performance.now();
  let calmSince = w0;
  const settled = (): boolean => calm >= quiet && performance.now() - calmSince >= quietSeconds * 1000;
  while (!settled() && warmupSteps < maxWarmupSteps && performance.now() - w0 < maxWarmupSeconds * 1000) {
    const m = misses();
    step();
    warmupSteps++;
    if (misses() === m) {
      calm++;
    } else {
      calm = 0;
      calmSince = performance.now();
    }
  }
  const warmedUp = settled();
  const perStep: number[] = [];
  const m0 = misses();
  const t0 = performance.now();
  for (;;) {
    const elapsed = performance.now() - t0;
    if (elapsed >= maxSeconds * 1000 || (perStep.length >= minSteps && elapsed >= minSeconds * 1000)) break;
    const f = faults();
    step();
    perStep.push(faults() - f);
  }
  const t1 = performance.now();
  const n = perStep.length;
  return {
    faultsPerStep: Math.round(perStep.reduce((a, b) => a + b, 0) / n),
    faultsMaxPerStep: Math.max(...perStep),
    ...(addon === null ? {} : { newBlocksPerStep: Number(((misses() - m0) / n).toFixed(4)) }),
    gcMsPerStep: Number(((await gcMsBetween(t0, t1)) / n).toFixed(2)),
    warmupSteps,
    warmedUp,
    windowSteps: n,
  };
}
