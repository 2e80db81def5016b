/**
 * The registry behind the study command's `"weighting": { "method": "pcgrad", ... }`: a short key and
 * its options → a method. Unknown keys and option names are errors that list what is accepted, so
 * a typo in a config does not silently run the defaults.
 *
 * @example
 * createWeighting('cagrad', ['left', 'right'], { c: 0.4 });
 * createWeighting('sw', ['a', 'b'], { weights: { a: 1, b: 0.1 } });
 */
import { ValueError } from '../../core/errors.js';
import { AlignedMTL } from './aligned.js';
import { CAGrad, type CagradOptions } from './cagrad.js';
import { DynamicWeightAverage, type DwaOptions } from './dwa.js';
import { EqualWeighting } from './ew.js';
import { FAMO, type FamoOptions } from './famo.js';
import type { GradientMethodOptions } from './gradient-weighting.js';
import { GradNorm, type GradNormOptions } from './gradnorm.js';
import { IMTLG } from './imtl.js';
import { MGDA, type MgdaOptions } from './mgda.js';
import { NashMTL } from './nash.js';
import { PCGrad } from './pcgrad.js';
import { RandomLossWeighting } from './rlw.js';
import { StaticWeighting, type StaticWeightingOptions } from './sw.js';
import { weightingKeys, type WeightingKey, type WeightingMethod } from './types.js';
import { UncertaintyWeighting } from './uw.js';
import { UPGrad } from './upgrad.js';

type NoOptions = Record<string, never>;

/** The options each key takes. */
export interface WeightingOptionsMap {
  ew: NoOptions;
  sw: StaticWeightingOptions;
  uw: NoOptions;
  dwa: DwaOptions;
  gradnorm: GradNormOptions;
  rlw: NoOptions;
  famo: FamoOptions;
  pcgrad: GradientMethodOptions;
  mgda: MgdaOptions;
  cagrad: CagradOptions;
  imtl: GradientMethodOptions;
  aligned: GradientMethodOptions;
  nash: GradientMethodOptions;
  upgrad: GradientMethodOptions;
}

interface Entry<K extends WeightingKey> {
  options: readonly string[];
  create(tasks: readonly string[], opts: WeightingOptionsMap[K]): WeightingMethod;
}

const gradientOptions = ['space'] as const;

const registry: { [K in WeightingKey]: Entry<K> } = {
  ew: { options: [], create: (t) => new EqualWeighting(t) },
  sw: { options: ['weights'], create: (t, o) => new StaticWeighting(t, o) },
  uw: { options: [], create: (t) => new UncertaintyWeighting(t) },
  dwa: { options: ['temperature'], create: (t, o) => new DynamicWeightAverage(t, o) },
  gradnorm: { options: ['alpha', 'layer'], create: (t, o) => new GradNorm(t, o) },
  rlw: { options: [], create: (t) => new RandomLossWeighting(t) },
  famo: { options: ['lr', 'weightDecay'], create: (t, o) => new FAMO(t, o) },
  pcgrad: { options: gradientOptions, create: (t, o) => new PCGrad(t, o) },
  mgda: { options: [...gradientOptions, 'normalize'], create: (t, o) => new MGDA(t, o) },
  cagrad: { options: [...gradientOptions, 'c', 'rescale'], create: (t, o) => new CAGrad(t, o) },
  imtl: { options: gradientOptions, create: (t, o) => new IMTLG(t, o) },
  aligned: { options: gradientOptions, create: (t, o) => new AlignedMTL(t, o) },
  nash: { options: gradientOptions, create: (t, o) => new NashMTL(t, o) },
  upgrad: { options: gradientOptions, create: (t, o) => new UPGrad(t, o) },
};

/** Whether `key` names a weighting method. */
export function isWeightingKey(key: string): key is WeightingKey {
  return (weightingKeys as readonly string[]).includes(key);
}

/**
 * The method for `key` over `tasks` (their order is the order weights are solved in), with
 * `options` as its class documents them.
 *
 * @example
 * const method = createWeighting(config.weighting.method, taskNames, config.weighting.options);
 */
export function createWeighting<K extends WeightingKey>(
  key: K,
  tasks: readonly string[],
  options?: WeightingOptionsMap[K],
): WeightingMethod;
export function createWeighting(
  key: string,
  tasks: readonly string[],
  options?: Readonly<Record<string, unknown>>,
): WeightingMethod;
export function createWeighting(
  key: string,
  tasks: readonly string[],
  options: Readonly<Record<string, unknown>> = {},
): WeightingMethod {
  if (!isWeightingKey(key))
    throw new ValueError('createWeighting', `unknown method '${key}', expected one of ${weightingKeys.join(', ')}`);
  const entry = registry[key] as Entry<WeightingKey>;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError('createWeighting', `options of '${key}' must be an object`);
  }
  const unknown = Object.keys(options).filter((k) => !entry.options.includes(k));
  if (unknown.length > 0) {
    const accepted = entry.options.length === 0 ? 'it takes none' : `accepted: ${entry.options.join(', ')}`;
    throw new ValueError(
      'createWeighting',
      `unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')} for '${key}'; ${accepted}`,
    );
  }
  return entry.create(tasks, options as never);
}
