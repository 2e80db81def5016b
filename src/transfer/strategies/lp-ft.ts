/**
 * LP-FT (Kumar et al. 2022): first a linear probe (trunk frozen, head trained on cached features),
 * then full fine-tuning from the probed head. Starting the fine-tuning with a good head keeps its
 * early, large gradients from distorting the pre-trained features.
 *
 * @example
 * await lpFt.fit({ model, task: 'digit', train, options: { epochs: 20, probeEpochs: 50, probeLr: 1e-2, batchSize: 64, lr: 1e-4, seed: 0 } });
 */
import { trainEndToEnd, trainProbe, unfreezeForTraining } from './common.js';
import type { FineTuneStrategy } from './types.js';

/** Probe, then fine-tune everything. @example createStrategy('lp-ft') */
export const lpFt: FineTuneStrategy = {
  key: 'lp-ft',
  summary: 'linear probe on cached features, then every parameter trains from the probed head',
  async fit(ctx) {
    const probe = await trainProbe(ctx, 'lp-ft', 'probe', ctx.options.probeEpochs ?? ctx.options.epochs);
    unfreezeForTraining(ctx.model);
    const tuned = await trainEndToEnd(ctx, 'lp-ft', 'fine-tune', ctx.model.parameters());
    return { strategy: 'lp-ft', history: [...probe.history, ...tuned], cachedExamples: probe.cachedExamples };
  },
};
