/**
 * The data sets that can be prepared. Each one's file registers it when imported; `all.ts` imports
 * them all, so that this file knows no data set by name.
 *
 * @example
 * import './all.js';
 * preparable('clipart').requires; // 'Debian package openclipart-svg'
 */
import { ValueError } from '../../core/errors.js';
import type { PreparableDataset } from './types.js';

const registered = new Map<string, PreparableDataset>();

/**
 * Adds a data set; a second one of the same name is an error.
 *
 * @example
 * registerPreparable(clipart);
 */
export function registerPreparable(d: PreparableDataset): void {
  if (!/^[a-z][a-z0-9-]*$/.test(d.name))
    throw new ValueError('prepared data set', `name "${d.name}": expected a-z, 0-9, -`);
  if (registered.has(d.name)) throw new ValueError('prepared data set', `"${d.name}" is registered twice`);
  registered.set(d.name, d);
}

/**
 * Every registered data set, by name.
 *
 * @example
 * preparableDatasets().map((d) => d.name); // ['clipart', 'fortunes', …]
 */
export function preparableDatasets(): PreparableDataset[] {
  return [...registered.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The data set of a name, or an error listing the names there are.
 *
 * @example
 * preparable('wordnet').name; // 'wordnet'
 */
export function preparable(name: string): PreparableDataset {
  const d = registered.get(name);
  if (d === undefined)
    throw new ValueError(
      'data set',
      `no data set "${name}" to prepare: expected one of ${preparableDatasets()
        .map((x) => `"${x.name}"`)
        .join(', ')}`,
    );
  return d;
}
