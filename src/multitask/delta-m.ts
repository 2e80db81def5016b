/**
 * Δm, the multi-task performance measure of Maninis, Radosavovic & Kokkinos (2019) as LibMTL reports
 * it, but against single-task baselines trained with the same budget (LibMTL compares with its own
 * epoch-0 results): for each task t and metric m, the relative change
 *   δ_{t,m} = (−1)^{s_m} · (M_{t,m} − B_{t,m}) / B_{t,m},   s_m = 0 if higher is better, else 1,
 * averaged over a task's metrics, then over tasks, in percent. Positive means better than training
 * each task alone. A metric whose baseline is 0 (or missing, or NaN) has no relative change and is
 * left out of the means.
 *
 * @example
 * deltaM({ a: { accuracy: 0.9 }, b: { mae: 1.1 } }, { a: { accuracy: 0.8 }, b: { mae: 1.0 } }, { a: { accuracy: true }, b: { mae: false } });
 * // ((0.9−0.8)/0.8 − (1.1−1.0)/1.0) / 2 × 100 = 1.25
 */
import { ValueError } from '../core/errors.js';
import { meanDefined } from '../study/index.js';
import { nullRecord } from '../core/safe-keys.js';

/** Metric values by task, then metric. */
export type TaskScores = Readonly<Record<string, Readonly<Record<string, number>>>>;
/** Whether higher is better, by task, then metric. */
export type TaskDirections = Readonly<Record<string, Readonly<Record<string, boolean>>>>;

function relative(value: number | undefined, base: number | undefined, higherIsBetter: boolean): number {
  if (value === undefined || base === undefined || !Number.isFinite(value) || !Number.isFinite(base) || base === 0)
    return NaN;
  return ((higherIsBetter ? 1 : -1) * (value - base)) / Math.abs(base);
}

/**
 * Each task's relative change against its baseline, averaged over its metrics, in percent (NaN for a
 * task none of whose metrics has a usable baseline).
 *
 * @example
 * taskDeltas({ a: { accuracy: 0.9 } }, { a: { accuracy: 0.8 } }, { a: { accuracy: true } }); // { a: 12.5 }
 */
export function taskDeltas(
  scores: TaskScores,
  baselines: TaskScores,
  directions: TaskDirections,
): Record<string, number> {
  const out = nullRecord<number>();
  for (const [task, dirs] of Object.entries(directions)) {
    const metrics = Object.keys(dirs);
    if (metrics.length === 0) throw new ValueError('taskDeltas', `task '${task}' has no metric`);
    out[task] = 100 * meanDefined(metrics.map((m) => relative(scores[task]?.[m], baselines[task]?.[m], dirs[m]!)));
  }
  return out;
}

/**
 * Δm in percent over every task of `directions`.
 *
 * @example
 * deltaM(results.ew, results.single, directions); // e.g. -0.8
 */
export function deltaM(scores: TaskScores, baselines: TaskScores, directions: TaskDirections): number {
  return meanDefined(Object.values(taskDeltas(scores, baselines, directions)));
}
