/**
 * Scratch: the baseline every strategy is measured against. Every parameter is re-initialised and
 * trained; the pre-training is forgotten (frozen BN and L2-SP options do not apply: there is no
 * pre-trained point to keep).
 *
 * @example
 * await scratch.fit({ model, task: 'digit', train, options: { epochs: 20, batchSize: 64, lr: 1e-3, seed: 0 } });
 */
import { resetParameters } from '../heads.js';
import { trainEndToEnd, unfreezeForTraining } from './common.js';
import type { FineTuneStrategy } from './types.js';

/** Re-initialise everything, train everything. @example createStrategy('scratch') */
export const scratch: FineTuneStrategy = {
  key: 'scratch',
  summary: 'every parameter re-initialised and trained: no transfer',
  async fit(ctx) {
    resetParameters(ctx.model);
    unfreezeForTraining(ctx.model);
    const history = await trainEndToEnd(ctx, 'scratch', 'train', ctx.model.parameters(), { pretrainedExtras: false });
    return { strategy: 'scratch', history, cachedExamples: 0 };
  },
};
