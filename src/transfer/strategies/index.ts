/**
 * The fine-tuning strategies by key: scratch, linear-probe, full, lp-ft, gradual, discriminative.
 *
 * @example
 * for (const key of strategyKeys) await createStrategy(key).fit(contextFor(key));
 */
import { ValueError } from '../../core/errors.js';
import { discriminative } from './discriminative.js';
import { fullFineTune } from './full.js';
import { gradualUnfreezing } from './gradual.js';
import { linearProbe } from './linear-probe.js';
import { lpFt } from './lp-ft.js';
import { scratch } from './scratch.js';
import { strategyKeys, type FineTuneStrategy, type StrategyKey } from './types.js';

export {
  strategyKeys,
  type StrategyKey,
  type MethodKey,
  type FineTuneStrategy,
  type FineTuneContext,
  type FineTuneOptions,
  type FineTuneResult,
  type FineTuneEpoch,
} from './types.js';
export { unfrozenGroups } from './gradual.js';
export { trainEndToEnd, trainProbe, unfreezeForTraining, type PhaseOptions } from './common.js';

const byKey: Readonly<Record<StrategyKey, FineTuneStrategy>> = {
  scratch,
  'linear-probe': linearProbe,
  full: fullFineTune,
  'lp-ft': lpFt,
  gradual: gradualUnfreezing,
  discriminative,
};

/**
 * Whether `key` names a strategy.
 *
 * @example
 * isStrategyKey('lp-ft'); // true
 */
export function isStrategyKey(key: string): key is StrategyKey {
  return (strategyKeys as readonly string[]).includes(key);
}

/**
 * The strategy with this key.
 *
 * @example
 * await createStrategy('gradual').fit(ctx);
 */
export function createStrategy(key: string): FineTuneStrategy {
  if (!isStrategyKey(key))
    throw new ValueError(
      'fine-tuning strategy',
      `unknown strategy '${key}', expected one of ${strategyKeys.join(', ')}`,
    );
  return byKey[key];
}
