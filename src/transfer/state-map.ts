/**
 * Loading pre-trained weights by parameter name: rename key prefixes (a PyTorch `features.` trunk
 * into polytask's `trunk.`, `module.` stripped, a bare backbone given a prefix), drop keys by glob
 * (the source heads), then load strictly or partially with a report of what was loaded, missing,
 * unexpected or of another shape.
 *
 * @example
 * const report = loadWeights(model, loadSafetensors('resnet.safetensors'), {
 *   prefixes: { 'features.': 'trunk.', 'classifier.': 'heads.digit.' },
 *   exclude: ['heads.*'],   // keep the new head as initialised
 * });
 * report.missing;   // ['heads.digit.weight', 'heads.digit.bias']
 * report.renamed;   // [['features.0.weight', 'trunk.0.weight'], ...]
 */
import { ValueError } from '../core/errors.js';
import type { AnyModule, StateDictReport } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { nameMatcher } from './glob.js';

/** How source keys become model keys. */
export interface KeyMapping {
  /**
   * Prefix renames, applied once per key by its longest matching prefix: `{ 'features.': 'trunk.' }`
   * renames, `{ 'module.': '' }` strips, `{ '': 'trunk.' }` adds a prefix to every key.
   */
  prefixes?: Readonly<Record<string, string>>;
  /** Globs on the renamed keys to leave out (e.g. `heads.*`, the source's heads). */
  exclude?: string | readonly string[];
}

/** The state dict after mapping, and what the mapping did. */
export interface MappedState {
  state: Record<string, Tensor>;
  /** [source key, new key] for every key whose name changed. */
  renamed: [string, string][];
  /** Renamed keys that `exclude` left out. */
  excluded: string[];
}

/**
 * Renames and filters the keys of a state dict (the tensors are shared, not copied). Throws when
 * two source keys would land on the same name.
 *
 * @example
 * mapStateDict({ 'module.fc.weight': w }, { prefixes: { 'module.': '' } }).state; // { 'fc.weight': w }
 */
export function mapStateDict(source: Readonly<Record<string, Tensor>>, mapping: KeyMapping = {}): MappedState {
  const prefixes = Object.entries(mapping.prefixes ?? {}).sort((a, b) => b[0].length - a[0].length);
  const excluded = mapping.exclude === undefined ? () => false : nameMatcher(mapping.exclude);
  const out: MappedState = { state: {}, renamed: [], excluded: [] };
  const origin = new Map<string, string>();
  for (const [key, t] of Object.entries(source)) {
    const hit = prefixes.find(([from]) => key.startsWith(from));
    const name = hit === undefined ? key : hit[1] + key.slice(hit[0].length);
    if (name === '') throw new ValueError('mapStateDict', `prefix '${hit![0]}' maps key '${key}' to an empty name`);
    if (excluded(name)) {
      out.excluded.push(name);
      continue;
    }
    const clash = origin.get(name);
    if (clash !== undefined) throw new ValueError('mapStateDict', `keys '${clash}' and '${key}' both map to '${name}'`);
    origin.set(name, key);
    if (name !== key) out.renamed.push([key, name]);
    out.state[name] = t;
  }
  return out;
}

export interface LoadWeightsOptions extends KeyMapping {
  /**
   * Throw (copying nothing) unless every model key is loaded and every mapped key is used, with
   * matching shapes. Default false: load what matches and report the rest.
   */
  strict?: boolean;
}

/** What loadWeights did: nn's report plus the renames and exclusions. */
export interface LoadWeightsReport extends StateDictReport {
  renamed: [string, string][];
  excluded: string[];
}

/**
 * Maps `source`'s keys, then copies every key that matches a model key in name and shape into the
 * model in place. Partial by default: a new head shows up as `missing`, a source head as
 * `unexpected` (unless excluded), a head of another size as `mismatched`, and nothing else is
 * touched. Strict mode throws nn's StateDictError, whose report lists the same.
 *
 * @example
 * const r = loadWeights(target, pretrained.stateDict(), { exclude: 'heads.*' });
 * r.loaded.length; // every trunk tensor
 */
export function loadWeights(
  model: AnyModule,
  source: Readonly<Record<string, Tensor>>,
  opts: LoadWeightsOptions = {},
): LoadWeightsReport {
  const mapped = mapStateDict(source, opts);
  const report = model.loadStateDict(mapped.state, { strict: opts.strict ?? false });
  return { ...report, renamed: mapped.renamed, excluded: mapped.excluded };
}
