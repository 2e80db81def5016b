/**
 * Multi-label metrics, label by label: binary accuracy, F1 and average precision. Predictions are
 * scores [N, L] (logits by default, or probabilities), targets 0/1 of the same shape with NaN (or
 * a zero in the mask) where a label is missing — a missing label is not counted, as the masked
 * losses ignore it. `compute` is the mean over the labels whose value is defined;
 * `computePerLabel` gives each label's value.
 *
 * @example
 * const ap = averagePrecision();
 * for (const { x, y } of loader) ap.update(model.forward(x), y);   // y [N, L] with NaN for missing
 * ap.computePerLabel(); // one AP per label
 * ap.compute();         // their mean (mAP)
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import { fmt } from '../../core/shape.js';
import type { Tensor } from '../../tensor/index.js';
import { meanDefined, presentEntries, type PerLabelMetric } from './metric.js';

export interface MultiLabelOptions {
  /** A label is predicted positive when its probability exceeds this. Default 0.5. */
  threshold?: number;
  /** Whether predictions are logits (the sigmoid is applied) or probabilities. Default true. */
  logits?: boolean;
}

/** Visits every present (label, score, positive) entry; fixes the label count at the first batch. */
class LabelReader {
  labels: number | null = null;

  constructor(readonly where: string) {}

  read(
    pred: Tensor,
    target: Tensor,
    mask: Tensor | undefined,
    visit: (label: number, score: number, positive: boolean) => void,
  ): void {
    const where = this.where;
    if (target.ndim !== 1 && target.ndim !== 2)
      throw new ShapeError(where, `targets must be [N, L] (or [N] for one label), got ${fmt(target.shape)}`);
    if (pred.size !== target.size || pred.shape[0] !== target.shape[0]) {
      throw new ShapeError(where, `predictions ${fmt(pred.shape)} must match targets ${fmt(target.shape)}`);
    }
    const labels = target.ndim === 2 ? target.shape[1]! : 1;
    if (this.labels !== null && this.labels !== labels)
      throw new ShapeError(where, `earlier batches had ${this.labels} labels, this one ${labels}`);
    this.labels = labels;
    const present = presentEntries(where, target, mask);
    for (let i = 0; i < target.size; i++) {
      if (present[i] === 0) continue;
      const t = target.data[i]!;
      if (t !== 0 && t !== 1)
        throw new ValueError(where, `targets must be 0 or 1 (NaN for missing), got ${t} at entry ${i}`);
      const score = pred.data[i]!;
      if (Number.isNaN(score)) throw new ValueError(where, `prediction ${i} is NaN`);
      visit(i % labels, score, t === 1);
    }
  }

  reset(): void {
    this.labels = null;
  }
}

/** Turns scores into decisions. */
function decider(where: string, opts: MultiLabelOptions): (score: number) => boolean {
  const threshold = opts.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1))
    throw new ValueError(where, `threshold must be a probability in [0, 1], got ${threshold}`);
  if (opts.logits === false) return (s) => s > threshold;
  return (s) => 1 / (1 + Math.exp(-s)) > threshold;
}

/** Per-label counters of a confusion table, grown as labels appear. */
function counters(): { get: (label: number) => number[]; all: () => number[][]; reset: () => void } {
  let rows: number[][] = [];
  return {
    get(label) {
      while (rows.length <= label) rows.push([0, 0, 0, 0]);
      return rows[label]!;
    },
    all: () => rows,
    reset() {
      rows = [];
    },
  };
}

/** Builds a per-label metric from a reader, per-label counts [tp, fp, fn, tn] and a formula. */
function confusionMetric(name: string, opts: MultiLabelOptions, formula: (c: number[]) => number): PerLabelMetric {
  const reader = new LabelReader(name);
  const decide = decider(name, opts);
  const table = counters();
  const perLabel = (): number[] =>
    Array.from({ length: reader.labels ?? 0 }, (_, l) => {
      const c = table.all()[l];
      return c === undefined || c.every((v) => v === 0) ? NaN : formula(c);
    });
  return {
    name,
    higherIsBetter: true,
    update(pred, target, mask) {
      reader.read(pred, target, mask, (label, score, positive) => {
        const c = table.get(label);
        const guess = decide(score);
        c[positive ? (guess ? 0 : 2) : guess ? 1 : 3]!++;
      });
    },
    computePerLabel: perLabel,
    compute: () => meanDefined(perLabel()),
    reset() {
      reader.reset();
      table.reset();
    },
  };
}

/**
 * Per label, the fraction of present entries predicted right; `compute` averages over labels.
 *
 * @example
 * const m = binaryAccuracy();
 * m.update(tensor([[2, -1], [-3, 4]]), tensor([[1, NaN], [1, 1]]));
 * m.computePerLabel(); // [0.5, 1]
 */
export function binaryAccuracy(opts: MultiLabelOptions = {}): PerLabelMetric {
  return confusionMetric('binaryAccuracy', opts, ([tp, fp, fn, tn]) => (tp! + tn!) / (tp! + fp! + fn! + tn!));
}

/**
 * Per label, F1 = 2·TP / (2·TP + FP + FN) over present entries (0 when a label has present entries
 * but neither a positive nor a positive prediction, as scikit-learn's zero_division=0);
 * `compute` averages over labels.
 *
 * @example
 * const f1 = binaryF1();
 * f1.update(logits, targetsWithNaN);
 * f1.computePerLabel();
 */
export function binaryF1(opts: MultiLabelOptions = {}): PerLabelMetric {
  return confusionMetric('binaryF1', opts, ([tp, fp, fn]) =>
    2 * tp! + fp! + fn! === 0 ? 0 : (2 * tp!) / (2 * tp! + fp! + fn!),
  );
}

/**
 * The area under a label's precision-recall curve as scikit-learn's `average_precision_score`
 * computes it: AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct scores from the highest down. It ranks
 * the scores of every batch, so it keeps them all (8 bytes per present entry). NaN for a label
 * without a present positive; `compute` (mAP) averages the others.
 *
 * @example
 * const ap = averagePrecision();
 * ap.update(tensor([0.9, 0.8, 0.7, 0.6]), tensor([1, 0, 1, 0]));
 * ap.compute(); // 0.8333…
 */
export function averagePrecision(): PerLabelMetric {
  const reader = new LabelReader('averagePrecision');
  let scores: number[][] = [];
  let positives: boolean[][] = [];
  const perLabel = (): number[] =>
    Array.from({ length: reader.labels ?? 0 }, (_, l) => labelAp(scores[l] ?? [], positives[l] ?? []));
  return {
    name: 'averagePrecision',
    higherIsBetter: true,
    update(pred, target, mask) {
      reader.read(pred, target, mask, (label, score, positive) => {
        while (scores.length <= label) {
          scores.push([]);
          positives.push([]);
        }
        scores[label]!.push(score);
        positives[label]!.push(positive);
      });
    },
    computePerLabel: perLabel,
    compute: () => meanDefined(perLabel()),
    reset() {
      reader.reset();
      scores = [];
      positives = [];
    },
  };
}

/** AP of one label; entries with equal scores form one threshold. */
function labelAp(scores: readonly number[], positives: readonly boolean[]): number {
  const total = positives.filter(Boolean).length;
  if (total === 0) return NaN;
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let tp = 0;
  let seen = 0;
  let recall = 0;
  let ap = 0;
  for (let i = 0; i < order.length;) {
    const s = scores[order[i]!]!;
    while (i < order.length && scores[order[i]!] === s) {
      if (positives[order[i]!]) tp++;
      seen++;
      i++;
    }
    const r = tp / total;
    ap += (r - recall) * (tp / seen);
    recall = r;
  }
  return ap;
}
