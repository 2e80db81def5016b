/**
 * A metric from any per-batch value, averaged with each batch weighted by its number of samples:
 * the evaluation loss, or a task-specific score the built-in metrics do not cover.
 *
 * @example
 * const loss = meanOf('loss', (pred, y, mask) => nn.functional.crossEntropy(pred, y, { mask }));
 * evaluate(model, testLoader, { digit: [accuracy(), loss] });
 */
import { ValueError } from '../../core/errors.js';
import { Tensor } from '../../tensor/index.js';
import type { Metric } from './metric.js';

export interface MeanOfOptions {
  /** Direction of the value. Default false (a loss). */
  higherIsBetter?: boolean;
}

/**
 * The sample-weighted mean of `fn` over batches, named `name`. `fn` returns a number or a
 * one-element tensor; a batch's weight is the first dimension of its predictions.
 *
 * @example
 * const m = meanOf('mse', (p, y) => p.sub(y).square().mean());
 */
export function meanOf(
  name: string,
  fn: (pred: Tensor, target: Tensor, mask?: Tensor) => Tensor | number,
  opts: MeanOfOptions = {},
): Metric {
  let sum = 0;
  let weight = 0;
  return {
    name,
    higherIsBetter: opts.higherIsBetter ?? false,
    update(pred, target, mask) {
      const value = fn(pred, target, mask);
      const v = value instanceof Tensor ? value.item() : value;
      if (typeof v !== 'number')
        throw new ValueError(name, `the function must return a number or a one-element tensor, got ${typeof v}`);
      const n = pred.shape[0] ?? 1;
      sum += v * n;
      weight += n;
    },
    compute: () => (weight === 0 ? NaN : sum / weight),
    reset() {
      sum = 0;
      weight = 0;
    },
  };
}
