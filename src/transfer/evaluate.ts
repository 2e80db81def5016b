/**
 * Accuracy of one task of a model on a labelled dataset, in eval mode without a tape. When the
 * trunk is frozen and a feature cache is given, the test features come from the cache, so a probe
 * evaluated many times over the same trunk runs the trunk over the test set once.
 *
 * @example
 * taskAccuracy(model, 'digit', testSet);           // 0.91
 * taskAccuracy(model, 'digit', testSet, { cache }); // same value; trunk skipped when frozen
 */
import { DataLoader, type TensorDataset } from '../data/index.js';
import type { MultiTaskModel } from '../models/hard-sharing.js';
import { accuracy, evaluate } from '../train/index.js';
import type { FeatureCache } from './feature-cache.js';

export interface AccuracyOptions {
  /** Rows per forward pass. Default 500. */
  batchSize?: number;
  /** Reuse cached features when the trunk is frozen (no parameter requires gradients). */
  cache?: FeatureCache;
}

/**
 * The fraction of `data`'s examples whose label is the argmax of the task head's logits.
 *
 * @example
 * const acc = taskAccuracy(model, 'fashion', fashionTest);
 */
export function taskAccuracy(
  model: MultiTaskModel,
  task: string,
  data: TensorDataset,
  opts: AccuracyOptions = {},
): number {
  const batchSize = opts.batchSize ?? 500;
  const head = model.heads.get(task);
  const frozen = model.trunk.parameters().every((p) => !p.requiresGrad);
  if (opts.cache !== undefined && frozen) {
    const features = opts.cache.features(model.trunk, data);
    const r = evaluate(head, new DataLoader(features, { batchSize }), { [task]: accuracy() });
    return r[task]!['accuracy']!;
  }
  const r = evaluate(
    model,
    new DataLoader(data, { batchSize }),
    { [task]: accuracy() },
    { forward: (b) => model.run(b.x, [task]).outputs },
  );
  return r[task]!['accuracy']!;
}
