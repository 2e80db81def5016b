/**
 * Discriminative fine-tuning (Howard & Ruder 2018): every parameter trains, each layer group at its
 * own rate, the head at `lr` and each group below at `layerDecay` (default 1/2.6) times the rate of
 * the group above, through the optimizer's parameter groups.
 *
 * @example
 * await discriminative.fit({ model, task: 'digit', train, options: { epochs: 20, batchSize: 64, lr: 1e-3, layerDecay: 0.5, seed: 0 } });
 */
import { layerwiseParamGroups } from '../layer-lr.js';
import { trainEndToEnd, unfreezeForTraining } from './common.js';
import type { FineTuneStrategy } from './types.js';

/** Layer-wise decaying learning rates. @example createStrategy('discriminative') */
export const discriminative: FineTuneStrategy = {
  key: 'discriminative',
  summary: 'every parameter trains, the rate shrinking layer group by layer group towards the input',
  async fit(ctx) {
    unfreezeForTraining(ctx.model);
    const { lr, layerDecay, weightDecay } = ctx.options;
    const groups = layerwiseParamGroups(ctx.model, {
      lr,
      ...(layerDecay === undefined ? {} : { decay: layerDecay }),
      ...(weightDecay === undefined ? {} : { weightDecay }),
    });
    const history = await trainEndToEnd(
      ctx,
      'discriminative',
      'train',
      groups.map(({ name: _name, ...g }) => g),
    );
    return { strategy: 'discriminative', history, cachedExamples: 0 };
  },
};
