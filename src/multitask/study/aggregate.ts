/**
 * Averaging the runs of several seeds: metric values, weight curves and affinity series, entry by
 * entry, NaN entries left out (a pair never measurable in one seed does not poison the others).
 * Runs of one configuration have the same steps, so curves line up.
 *
 * @example
 * meanResults([{ a: { accuracy: 0.8 } }, { a: { accuracy: 0.9 } }]); // { a: { accuracy: 0.85 } }
 */
import { meanDefined as mean } from '../../study/index.js';
import type { EvaluationResult } from '../../train/index.js';
import { meanMatrix, type AffinityHistory } from '../affinity-tracker.js';
import type { WeightsOverTime } from '../weight-history.js';
import { recordFrom } from '../../core/safe-keys.js';

/**
 * Each task's metrics averaged over runs.
 *
 * @example
 * meanResults(perSeed).left.accuracy;
 */
export function meanResults(runs: readonly EvaluationResult[]): EvaluationResult {
  const first = runs[0] ?? {};
  return recordFrom(
    Object.entries(first).map(([task, ms]) => [
      task,
      recordFrom(Object.keys(ms).map((m) => [m, mean(runs.map((r) => r[task]?.[m] ?? NaN))])),
    ]),
  );
}

/**
 * Weight curves averaged over runs (the first run's steps).
 *
 * @example
 * meanWeights([a, b]).weights.left;
 */
export function meanWeights(runs: readonly WeightsOverTime[]): WeightsOverTime {
  const first = runs[0]!;
  return {
    steps: [...first.steps],
    weights: recordFrom(
      Object.keys(first.weights).map((t) => [
        t,
        first.steps.map((_, k) => mean(runs.map((r) => r.weights[t]?.[k] ?? NaN))),
      ]),
    ),
  };
}

/**
 * Affinity histories averaged over runs: each measurement's matrices, and the run means.
 *
 * @example
 * meanAffinity([h0, h1]).meanLookahead;
 */
export function meanAffinity(runs: readonly AffinityHistory[]): AffinityHistory {
  const first = runs[0]!;
  const n = first.tasks.length;
  return {
    tasks: [...first.tasks],
    steps: [...first.steps],
    lookahead: first.steps.map((_, k) =>
      meanMatrix(
        runs.map((r) => r.lookahead[k] ?? []),
        n,
      ),
    ),
    cosine: first.steps.map((_, k) =>
      meanMatrix(
        runs.map((r) => r.cosine[k] ?? []),
        n,
      ),
    ),
    meanLookahead: meanMatrix(
      runs.map((r) => r.meanLookahead),
      n,
    ),
    meanCosine: meanMatrix(
      runs.map((r) => r.meanCosine),
      n,
    ),
  };
}
