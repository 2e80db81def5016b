/**
 * Single-label classification metrics: accuracy, top-k accuracy and macro-F1. Predictions are
 * scores [N, C] (logits or probabilities; the predicted class is the first largest, as argmax) or,
 * for accuracy and macro-F1, class indices [N]. Targets are class indices [N] (int32, or float32
 * with NaN for a missing label); entries equal to `ignoreIndex` (default -100, as crossEntropy) or
 * masked out are not counted.
 *
 * @example
 * const metrics = [accuracy(), topK(5), macroF1()];
 * for (const { x, y } of loader) for (const m of metrics) m.update(model.forward(x), y);
 * metrics.map((m) => m.compute());
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import { fmt } from '../../core/shape.js';
import type { Tensor } from '../../tensor/index.js';
import { integerLabel, matrixShape, presentEntries, type Metric } from './metric.js';

export interface ClassificationOptions {
  /** Targets with this value are missing. Default -100. */
  ignoreIndex?: number;
}

/** Calls `visit(row, target)` for every counted row; checks the target's shape and range. */
function forEachLabelled(
  where: string,
  pred: Tensor,
  target: Tensor,
  mask: Tensor | undefined,
  ignoreIndex: number,
  classes: number | null,
  visit: (row: number, label: number) => void,
): void {
  if (target.ndim !== 1) throw new ShapeError(where, `targets must be class indices [N], got ${fmt(target.shape)}`);
  if (pred.shape[0] !== target.shape[0])
    throw new ShapeError(where, `predictions ${fmt(pred.shape)} and targets ${fmt(target.shape)} disagree on N`);
  const present = presentEntries(where, target, mask, ignoreIndex);
  for (let i = 0; i < target.size; i++) {
    if (present[i] === 0) continue;
    const label = integerLabel(where, target.data[i]!);
    if (label < 0 || (classes !== null && label >= classes)) {
      throw new ValueError(where, `target ${label} at row ${i} is not a class index in [0, ${classes ?? '∞'})`);
    }
    visit(i, label);
  }
}

/** The predicted class of each row: the indices themselves, or the first largest score. */
function predictedClasses(
  where: string,
  pred: Tensor,
  rows: number,
): { classes: number | null; at: (row: number) => number } {
  if (pred.dtype === 'int32') {
    if (pred.ndim !== 1) throw new ShapeError(where, `class-index predictions must be [N], got ${fmt(pred.shape)}`);
    return { classes: null, at: (r) => pred.data[r]! };
  }
  if (pred.ndim !== 2) throw new ShapeError(where, `score predictions must be [N, C], got ${fmt(pred.shape)}`);
  const { cols } = matrixShape(where, pred, rows);
  const d = pred.data;
  return {
    classes: cols,
    at: (r) => {
      let best = 0;
      for (let c = 1; c < cols; c++) if (d[r * cols + c]! > d[r * cols + best]!) best = c;
      return best;
    },
  };
}

/**
 * Fraction of counted rows whose predicted class is the target.
 *
 * @example
 * const acc = accuracy();
 * acc.update(tensor([[2, 1], [0, 3]]), tensor(Int32Array.of(0, 0)));
 * acc.compute(); // 0.5
 */
export function accuracy(opts: ClassificationOptions = {}): Metric {
  const ignoreIndex = opts.ignoreIndex ?? -100;
  let correct = 0;
  let total = 0;
  return {
    name: 'accuracy',
    higherIsBetter: true,
    update(pred, target, mask) {
      const p = predictedClasses('accuracy', pred, target.shape[0] ?? 0);
      forEachLabelled('accuracy', pred, target, mask, ignoreIndex, p.classes, (row, label) => {
        total++;
        if (p.at(row) === label) correct++;
      });
    },
    compute: () => (total === 0 ? NaN : correct / total),
    reset() {
      correct = 0;
      total = 0;
    },
  };
}

/**
 * Fraction of counted rows whose target is among the k highest scores. Ties are broken as a stable
 * sort would (the lower class index ranks first), so topK(1) agrees with accuracy. Named `top<k>`.
 *
 * @example
 * const top2 = topK(2);
 * top2.update(tensor([[0.1, 0.5, 0.4]]), tensor(Int32Array.of(2)));
 * top2.compute(); // 1
 */
export function topK(k: number, opts: ClassificationOptions = {}): Metric {
  if (!Number.isInteger(k) || k < 1) throw new ValueError('topK', `k must be a positive integer, got ${k}`);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  let correct = 0;
  let total = 0;
  return {
    name: `top${k}`,
    higherIsBetter: true,
    update(pred, target, mask) {
      if (pred.dtype !== 'float32' || pred.ndim !== 2)
        throw new ShapeError(
          `top${k}`,
          `predictions must be float32 scores [N, C], got ${pred.dtype} ${fmt(pred.shape)}`,
        );
      const { cols } = matrixShape(`top${k}`, pred, target.shape[0] ?? 0);
      const d = pred.data;
      forEachLabelled(`top${k}`, pred, target, mask, ignoreIndex, cols, (row, label) => {
        const base = row * cols;
        const s = d[base + label]!;
        let rank = 0;
        for (let c = 0; c < cols; c++) {
          const v = d[base + c]!;
          if (v > s || (v === s && c < label)) rank++;
        }
        total++;
        if (rank < k) correct++;
      });
    },
    compute: () => (total === 0 ? NaN : correct / total),
    reset() {
      correct = 0;
      total = 0;
    },
  };
}

/**
 * The unweighted mean over classes of F1 = 2·TP / (2·TP + FP + FN), over the classes that occur
 * among the counted targets or predictions (scikit-learn's `f1_score(average='macro')`).
 *
 * @example
 * const f1 = macroF1();
 * f1.update(tensor(Int32Array.of(0, 1, 1)), tensor(Int32Array.of(0, 1, 0)));
 * f1.compute(); // (2/3 + 2/3) / 2
 */
export function macroF1(opts: ClassificationOptions = {}): Metric {
  const ignoreIndex = opts.ignoreIndex ?? -100;
  let tp: number[] = [];
  let fp: number[] = [];
  let fn: number[] = [];
  const grow = (c: number): void => {
    while (tp.length <= c) {
      tp.push(0);
      fp.push(0);
      fn.push(0);
    }
  };
  return {
    name: 'macroF1',
    higherIsBetter: true,
    update(pred, target, mask) {
      const p = predictedClasses('macroF1', pred, target.shape[0] ?? 0);
      forEachLabelled('macroF1', pred, target, mask, ignoreIndex, p.classes, (row, label) => {
        const guess = p.at(row);
        if (!(guess >= 0)) throw new ValueError('macroF1', `predicted class ${guess} at row ${row} is negative`);
        grow(Math.max(guess, label));
        if (guess === label) tp[label]!++;
        else {
          fp[guess]!++;
          fn[label]!++;
        }
      });
    },
    compute() {
      let sum = 0;
      let classes = 0;
      for (let c = 0; c < tp.length; c++) {
        const denom = 2 * tp[c]! + fp[c]! + fn[c]!;
        if (denom === 0) continue; // neither a target nor a prediction: not part of the average
        sum += (2 * tp[c]!) / denom;
        classes++;
      }
      return classes === 0 ? NaN : sum / classes;
    },
    reset() {
      tp = [];
      fp = [];
      fn = [];
    },
  };
}
