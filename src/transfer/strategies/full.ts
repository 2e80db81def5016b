/**
 * Full fine-tuning: the pre-trained trunk and the new head all train at one learning rate (in a
 * model with LoRA adapters, the adapters train and their base weights stay frozen).
 *
 * @example
 * await fullFineTune.fit({ model, task: 'digit', train, options: { epochs: 20, batchSize: 64, lr: 1e-3, seed: 0 } });
 */
import { trainEndToEnd, unfreezeForTraining } from './common.js';
import type { FineTuneStrategy } from './types.js';

/** Every parameter trains from the pre-trained point. @example createStrategy('full') */
export const fullFineTune: FineTuneStrategy = {
  key: 'full',
  summary: 'every parameter trains from the pre-trained weights',
  async fit(ctx) {
    unfreezeForTraining(ctx.model);
    const history = await trainEndToEnd(ctx, 'full', 'train', ctx.model.parameters());
    return { strategy: 'full', history, cachedExamples: 0 };
  },
};
