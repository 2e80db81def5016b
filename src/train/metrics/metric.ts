/**
 * The streaming metric interface and the helpers its implementations share. A metric accumulates
 * batches with `update` (outside the tape: it reads tensor data, never records ops) and reports one
 * number with `compute`; `higherIsBetter` gives its direction, which multi-task comparisons (Δm)
 * need to tell an improvement from a regression. Missing labels — NaN targets, a zero in the
 * mask, or (for class indices) the ignore index — are left out of every count.
 *
 * @example
 * const acc = accuracy();
 * for (const { x, y } of testLoader) acc.update(model.forward(x), y);
 * acc.compute();        // fraction correct over every batch
 * acc.higherIsBetter;   // true
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import { fmt } from '../../core/shape.js';
import type { Tensor } from '../../tensor/index.js';

/** A streaming metric: reset, update per batch, compute at the end. */
export interface Metric {
  /** The key of its value in results ('accuracy', 'top5', 'mse'). */
  readonly name: string;
  /** Whether a larger value is better (accuracy, R²) or worse (MSE). */
  readonly higherIsBetter: boolean;
  /**
   * Adds a batch: `pred` the model's output, `target` the labels, `mask` 1 where a label is
   * present and 0 where it is missing (target's shape, or [N] for whole samples).
   */
  update(pred: Tensor, target: Tensor, mask?: Tensor): void;
  /** The value over every entry seen since the last reset; NaN when none was counted. */
  compute(): number;
  /** Forgets every batch. */
  reset(): void;
}

/** A metric computed label by label (multi-label tasks); `compute` is the mean over labels. */
export interface PerLabelMetric extends Metric {
  /** One value per label; NaN for a label whose value is undefined (no entry present, no positive). */
  computePerLabel(): number[];
}

/**
 * 1 for each entry of `target` that is present: not NaN, not masked out, and not `ignoreIndex`
 * (when given). `mask` has target's shape, or [N] to mask whole samples.
 *
 * @example
 * presentEntries('mse', tensor([1, NaN]), tensor([1, 1])); // Uint8Array [1, 0]
 */
export function presentEntries(where: string, target: Tensor, mask?: Tensor, ignoreIndex?: number): Uint8Array {
  const n = target.size;
  const t = target.data;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = t[i]!;
    out[i] = Number.isNaN(v) || v === ignoreIndex ? 0 : 1;
  }
  if (mask === undefined) return out;
  const m = mask.data;
  if (mask.ndim === target.ndim && mask.shape.every((d, i) => d === target.shape[i])) {
    for (let i = 0; i < n; i++) if (m[i] === 0 || Number.isNaN(m[i]!)) out[i] = 0;
    return out;
  }
  const rows = target.shape[0] ?? 0;
  if (mask.ndim === 1 && mask.size === rows) {
    const width = rows === 0 ? 0 : n / rows;
    for (let r = 0; r < rows; r++) if (m[r] === 0 || Number.isNaN(m[r]!)) out.fill(0, r * width, (r + 1) * width);
    return out;
  }
  throw new ShapeError(
    where,
    `mask ${fmt(mask.shape)} must have the target's shape ${fmt(target.shape)} or be [N] with N = ${rows}`,
  );
}

/**
 * Rows and columns of `pred` read as [N, C] (a [N] tensor is one column), checked against
 * the number of target rows.
 *
 * @example
 * matrixShape('topK', logits, 32); // { rows: 32, cols: 10 }
 */
export function matrixShape(where: string, pred: Tensor, rows: number): { rows: number; cols: number } {
  if (pred.ndim !== 1 && pred.ndim !== 2)
    throw new ShapeError(where, `predictions must be [N] or [N, C], got ${fmt(pred.shape)}`);
  if (pred.shape[0] !== rows)
    throw new ShapeError(where, `predictions ${fmt(pred.shape)} and targets disagree on N (${rows} targets)`);
  return { rows, cols: pred.ndim === 2 ? pred.shape[1]! : 1 };
}

/**
 * The integer value of a class-index or 0/1 target entry, or an error naming the metric.
 *
 * @example
 * integerLabel('accuracy', 3); // 3
 */
export function integerLabel(where: string, v: number): number {
  if (!Number.isInteger(v)) throw new ValueError(where, `targets must be integers (class indices or 0/1), got ${v}`);
  return v;
}

/**
 * The mean of the numbers that are not NaN; NaN when there are none.
 *
 * @example
 * meanDefined([1, NaN, 3]); // 2
 */
export function meanDefined(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  return n === 0 ? NaN : sum / n;
}
