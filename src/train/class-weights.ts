/**
 * Class weights for the cross-entropy of an imbalanced task: 'balanced' weighs each class by
 * `n / (k · n_c)` (n examples, k classes, n_c of class c; as scikit-learn's
 * `compute_class_weight('balanced')`), so that every class contributes as much to the loss as it
 * would in a balanced set; or the user's own list, one positive weight per class.
 *
 * @example
 * balancedClassWeights(Int32Array.of(0, 0, 0, 1), 2); // Float32Array [0.6667, 2]
 * classWeights([1, 3], Int32Array.of(0, 1), 2, 'training.classWeights'); // Float32Array [1, 3]
 */
import { ValueError } from '../core/errors.js';

/**
 * `n / (k · n_c)` for every class c of `classes`; a class without any example gets 0 (it is never
 * a target, so its weight never counts).
 *
 * @example
 * balancedClassWeights([0, 1, 1, 1], 2); // [2, 0.6667]
 */
export function balancedClassWeights(labels: ArrayLike<number>, classes: number): Float32Array {
  if (!Number.isInteger(classes) || classes < 1)
    throw new ValueError('balancedClassWeights', `classes must be a positive integer, got ${classes}`);
  const counts = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes)
      throw new ValueError('balancedClassWeights', `label ${c} of example ${i} is not a class in [0, ${classes})`);
    counts[c]!++;
  }
  return Float32Array.from(counts, (n) => (n === 0 ? 0 : labels.length / (classes * n)));
}

/**
 * The weights a config asks for: 'balanced' from `labels`, or the given list, which must hold
 * one finite non-negative weight per class, not all 0 (`where` names the setting in errors).
 *
 * @example
 * classWeights('balanced', trainLabels, 10, 'training.classWeights');
 */
export function classWeights(
  spec: 'balanced' | readonly number[],
  labels: ArrayLike<number>,
  classes: number,
  where: string,
): Float32Array {
  if (spec === 'balanced') return balancedClassWeights(labels, classes);
  if (spec.length !== classes)
    throw new ValueError(where, `found ${spec.length} weights, expected one per class (${classes})`);
  const bad = spec.findIndex((w) => !(Number.isFinite(w) && w >= 0));
  if (bad >= 0) throw new ValueError(`${where}[${bad}]`, `found ${spec[bad]}, expected a finite weight >= 0`);
  if (spec.every((w) => w === 0)) throw new ValueError(where, 'every weight is 0: nothing would be learnt');
  return Float32Array.from(spec);
}
