/**
 * The score early stopping selects an epoch by, on a validation split: accuracy, macro-F1 or the
 * (class-weighted) cross-entropy. `train` (its `training.earlyStopping.metric`) and every
 * fine-tuning strategy (transfer/fit.ts, for `finetune`) read it from here.
 *
 * @example
 * const m = selectionMetric('macroF1', null);
 * m.update(logits, labels);
 * m.compute(); // macro-F1 of the batches seen
 */
import { functional } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { accuracy, macroF1, meanOf, type Metric } from './metrics/index.js';

/** The scores early stopping can select on. */
export type SelectionMetricName = 'accuracy' | 'macroF1' | 'loss';

/**
 * A fresh metric of `name` over logits and integer labels; 'loss' is the cross-entropy, weighted
 * by `classWeight` when given (the training loss's weights).
 *
 * @example
 * selectionMetric('loss', weights).higherIsBetter; // false
 */
export function selectionMetric(name: SelectionMetricName, classWeight: Tensor | null): Metric {
  if (name === 'accuracy') return accuracy();
  if (name === 'macroF1') return macroF1();
  return meanOf('loss', (pred, y) =>
    functional.crossEntropy(pred, y, classWeight === null ? {} : { weight: classWeight }),
  );
}
