/**
 * Gradual unfreezing (Howard & Ruder 2018, ULMFiT): the first epoch trains the head alone, and each
 * following epoch unfreezes one more layer group, from the top down, until everything trains. The
 * layers closest to the input, the most general, start moving last.
 *
 * @example
 * await gradualUnfreezing.fit({ model, task: 'digit', train, options: { epochs: 20, batchSize: 64, lr: 1e-3, seed: 0 } });
 */
import { layerGroups } from '../layer-groups.js';
import { loraBaseParameters } from '../lora/inject.js';
import { trainEndToEnd } from './common.js';
import type { FineTuneStrategy } from './types.js';

/**
 * Which layer groups train in epoch `epoch` (0-based) of gradual unfreezing over `groups` groups:
 * the top `epoch + 1`, at most all.
 *
 * @example
 * unfrozenGroups(0, 4); // [3]        (the heads)
 * unfrozenGroups(2, 4); // [1, 2, 3]
 */
export function unfrozenGroups(epoch: number, groups: number): number[] {
  const count = Math.min(groups, epoch + 1);
  return Array.from({ length: count }, (_, i) => groups - count + i);
}

/** Head first, one more group per epoch. @example createStrategy('gradual') */
export const gradualUnfreezing: FineTuneStrategy = {
  key: 'gradual',
  summary: 'head first, then one more layer group per epoch from the top down',
  async fit(ctx) {
    const groups = layerGroups(ctx.model);
    const base = loraBaseParameters(ctx.model);
    const apply = (epoch: number): void => {
      const open = new Set(unfrozenGroups(epoch, groups.length));
      groups.forEach((g, i) => {
        for (const [, p] of g.params) p.requiresGrad = open.has(i) && !base.has(p);
      });
    };
    apply(0);
    const history = await trainEndToEnd(ctx, 'gradual', 'train', ctx.model.parameters(), {
      afterEpoch: (e) => apply(e + 1),
    });
    return { strategy: 'gradual', history, cachedExamples: 0 };
  },
};
