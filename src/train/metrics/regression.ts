/**
 * Regression metrics: MSE, RMSE, MAE and R². Predictions and targets have the same number of elements
 * ([N] or [N, D]; a [N, 1] prediction against [N] targets is fine); NaN targets and masked-out
 * entries are missing. MSE and MAE average over every present entry (as the masked losses do);
 * R² is computed per output column and averaged over columns (scikit-learn's 'uniform_average').
 * Sums are kept in float64.
 *
 * @example
 * const metrics = [mse(), mae(), r2()];
 * for (const { x, y } of loader) for (const m of metrics) m.update(model.forward(x), y);
 */
import { ShapeError } from '../../core/errors.js';
import { fmt } from '../../core/shape.js';
import type { Tensor } from '../../tensor/index.js';
import { meanDefined, presentEntries, type Metric } from './metric.js';

/** Visits (column, prediction, target) for every present entry. */
function forEachPresent(
  where: string,
  pred: Tensor,
  target: Tensor,
  mask: Tensor | undefined,
  visit: (col: number, p: number, t: number) => void,
): void {
  if (pred.size !== target.size || (target.ndim > 0 && pred.shape[0] !== target.shape[0])) {
    throw new ShapeError(
      where,
      `predictions ${fmt(pred.shape)} must have as many elements as targets ${fmt(target.shape)}`,
    );
  }
  const cols = target.ndim >= 2 ? target.size / target.shape[0]! : 1;
  const present = presentEntries(where, target, mask);
  for (let i = 0; i < target.size; i++) if (present[i] === 1) visit(i % cols, pred.data[i]!, target.data[i]!);
}

/** A metric that averages `f(prediction − target)` over present entries. */
function meanError(name: string, f: (diff: number) => number): Metric {
  let sum = 0;
  let count = 0;
  return {
    name,
    higherIsBetter: false,
    update(pred, target, mask) {
      forEachPresent(name, pred, target, mask, (_, p, t) => {
        sum += f(p - t);
        count++;
      });
    },
    compute: () => (count === 0 ? NaN : sum / count),
    reset() {
      sum = 0;
      count = 0;
    },
  };
}

/**
 * Mean squared error over present entries.
 *
 * @example
 * const m = mse();
 * m.update(tensor([1, 2, 3]), tensor([1, NaN, 5]));
 * m.compute(); // 2
 */
export function mse(): Metric {
  return meanError('mse', (d) => d * d);
}

/**
 * Root mean squared error over present entries (the square root of mse).
 *
 * @example
 * const m = rmse();
 * m.update(tensor([1, 2, 3]), tensor([1, NaN, 5]));
 * m.compute(); // 1.4142...
 */
export function rmse(): Metric {
  const m = meanError('rmse', (d) => d * d);
  return { ...m, compute: () => Math.sqrt(m.compute()) };
}

/**
 * Mean absolute error over present entries.
 *
 * @example
 * const m = mae();
 * m.update(tensor([1, 2, 3]), tensor([1, NaN, 5]));
 * m.compute(); // 1
 */
export function mae(): Metric {
  return meanError('mae', Math.abs);
}

/**
 * Coefficient of determination 1 − SS_res / SS_tot per output column, averaged over the columns
 * with at least two present entries. A column whose targets are constant scores 1 when predicted
 * exactly and 0 otherwise (scikit-learn's force_finite). The targets' mean and spread are
 * accumulated with Welford's update, so batches stream without a second pass.
 *
 * @example
 * const m = r2();
 * m.update(tensor([1, 2, 3]), tensor([1, 2, 4]));
 * m.compute(); // 1 - 1 / (14/3)
 */
export function r2(): Metric {
  let count: number[] = [];
  let mean: number[] = [];
  let m2: number[] = [];
  let ssRes: number[] = [];
  return {
    name: 'r2',
    higherIsBetter: true,
    update(pred, target, mask) {
      forEachPresent('r2', pred, target, mask, (c, p, t) => {
        while (count.length <= c) {
          count.push(0);
          mean.push(0);
          m2.push(0);
          ssRes.push(0);
        }
        const n = ++count[c]!;
        const delta = t - mean[c]!;
        mean[c]! += delta / n;
        m2[c]! += delta * (t - mean[c]!);
        ssRes[c]! += (p - t) * (p - t);
      });
    },
    compute() {
      const scores = count.map((n, c) => {
        if (n < 2) return NaN;
        if (m2[c] === 0) return ssRes[c] === 0 ? 1 : 0;
        return 1 - ssRes[c]! / m2[c]!;
      });
      return meanDefined(scores);
    },
    reset() {
      count = [];
      mean = [];
      m2 = [];
      ssRes = [];
    },
  };
}
