/**
 * "Does multi-task learning make sense here?", in numbers. Multi-task learning tends to pay when the
 * tasks read the same kind of input, when no task has far less labelled data than the others can
 * lend it, and when the network is big enough to serve every task. The first two are measured here
 * from the data; the third needs training (the study compares the multi-task model with
 * single-task models of the same total parameter count, see capacity.ts).
 *
 * @example
 * sharedInputCheck({ digits: mnistTasks, clothes: fashionTasks });   // shapes, ranges, overlap
 * dataBalanceCheck([trainSet]);                                     // labelled examples per task
 */
import { ValueError } from '../core/errors.js';
import { nullRecord, own, recordFrom } from '../core/safe-keys.js';
import type { MultiTaskDataset } from './dataset.js';

/** Summary statistics of one source's input values. */
export interface InputStats {
  shape: number[];
  min: number;
  max: number;
  mean: number;
  std: number;
}

/** Whether the tasks read comparable inputs. */
export interface SharedInputCheck {
  /** One source for all tasks: the input is shared by construction. */
  shared: boolean;
  /** Every source has the same per-sample shape. */
  sameShape: boolean;
  /** Length of the intersection of the sources' value ranges over that of their union (1: same range). */
  rangeOverlap: number;
  /** Per source. */
  inputs: Record<string, InputStats>;
  /** sameShape and rangeOverlap ≥ 0.5. */
  ok: boolean;
}

/** Whether the tasks have comparable amounts of labelled data. */
export interface DataBalanceCheck {
  /** Samples with at least one label present, per task. */
  labelled: Record<string, number>;
  /** Fraction of label entries present, per task. */
  presentFraction: Record<string, number>;
  /** Fewest labelled examples over most (1: balanced). */
  ratio: number;
  /** ratio ≥ 0.1: no task has ten times fewer labels than another. */
  ok: boolean;
}

/** Thresholds of the `ok` flags, stated with the numbers. */
export const CHECK_THRESHOLDS = { rangeOverlap: 0.5, labelRatio: 0.1 } as const;

function stats(ds: MultiTaskDataset): InputStats {
  const f = ds.features;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < f.length; i++) {
    const v = f[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sq += v * v;
  }
  const n = Math.max(f.length, 1);
  const mean = sum / n;
  return { shape: [...ds.featureShape], min, max, mean, std: Math.sqrt(Math.max(sq / n - mean * mean, 0)) };
}

/**
 * Compares the inputs of the data sources (one per task, or per group of tasks).
 *
 * @example
 * sharedInputCheck({ all: train }).shared; // true
 */
export function sharedInputCheck(sources: Readonly<Record<string, MultiTaskDataset>>): SharedInputCheck {
  const names = Object.keys(sources);
  if (names.length === 0) throw new ValueError('sharedInputCheck', 'needs at least one source');
  const inputs = recordFrom(names.map((n) => [n, stats(sources[n]!)]));
  const all = Object.values(inputs);
  const shape = all[0]!.shape;
  const sameShape = all.every((s) => s.shape.length === shape.length && s.shape.every((d, i) => d === shape[i]));
  const lo = Math.max(...all.map((s) => s.min));
  const hi = Math.min(...all.map((s) => s.max));
  const union = Math.max(...all.map((s) => s.max)) - Math.min(...all.map((s) => s.min));
  const rangeOverlap = union === 0 ? 1 : Math.max(0, hi - lo) / union;
  return {
    shared: names.length === 1,
    sameShape,
    rangeOverlap,
    inputs,
    ok: sameShape && rangeOverlap >= CHECK_THRESHOLDS.rangeOverlap,
  };
}

/**
 * Labelled examples per task across the given datasets.
 *
 * @example
 * dataBalanceCheck([train]).ratio; // 1 for MultiMNIST
 */
export function dataBalanceCheck(datasets: readonly MultiTaskDataset[]): DataBalanceCheck {
  const labelled = nullRecord<number>();
  const presentFraction = nullRecord<number>();
  for (const ds of datasets) {
    for (const t of ds.tasks) {
      labelled[t] = (own(labelled, t) ?? 0) + ds.labelledCount(t);
      presentFraction[t] = ds.presentFraction(t);
    }
  }
  const counts = Object.values(labelled);
  if (counts.length === 0) throw new ValueError('dataBalanceCheck', 'no task in the datasets');
  const most = Math.max(...counts);
  const ratio = most === 0 ? 0 : Math.min(...counts) / most;
  return { labelled, presentFraction, ratio, ok: ratio >= CHECK_THRESHOLDS.labelRatio };
}
