/**
 * Linear probe: the pre-trained trunk is frozen and run once per training example (its features
 * cached), and only the new linear head trains, on the cached features. Cheap, and a measure of
 * how linearly separable the target is in the source representation.
 *
 * @example
 * await linearProbe.fit({ model, task: 'digit', train, options: { epochs: 100, batchSize: 64, lr: 1e-3, seed: 0 } });
 * model.trunk.parameters().every((p) => !p.requiresGrad); // true
 */
import { trainProbe } from './common.js';
import type { FineTuneStrategy } from './types.js';

/** Frozen trunk, head trained on cached features. @example createStrategy('linear-probe') */
export const linearProbe: FineTuneStrategy = {
  key: 'linear-probe',
  summary: 'trunk frozen (features cached once), only the new head trains',
  async fit(ctx) {
    const { history, cachedExamples } = await trainProbe(ctx, 'linear-probe', 'train', ctx.options.epochs);
    return { strategy: 'linear-probe', history, cachedExamples };
  },
};
