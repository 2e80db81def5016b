/**
 * `source: prepared`: a data set built into the cache (src/data/prepared/), prepared first if it is
 * not there yet, then read through the ordinary source its view names, with the config's `options`
 * set over the view's keys. The classes, budget and split options of the config apply as for any
 * source (load.ts applies them to the pool returned here).
 *
 * @example
 * await preparedPool({ source: 'prepared', name: 'wordnet', view: 'pos', testFraction: 0.2 }, poolOf);
 */
import path from 'node:path';
import { ValueError } from '../../core/errors.js';
import { ensurePrepared, MANIFEST_FILE, viewData } from '../prepared/index.js';
import type { Pool } from './pool.js';
import { dataSourcesSchema, type DataConfig, type PreparedDataConfig } from './schema.js';

/**
 * The pool of a prepared data set's view.
 *
 * @example
 * (await preparedPool({ source: 'prepared', name: 'clipart', testFraction: 0.2 }, poolOf)).classNames;
 */
export async function preparedPool(d: PreparedDataConfig, poolOf: (d: DataConfig) => Promise<Pool>): Promise<Pool> {
  const { dir, manifest } = await ensurePrepared(d.name);
  const raw = { ...viewData(dir, manifest, d.view), ...(d.options ?? {}) };
  const parsed = dataSourcesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValueError(
      `data.options${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`,
      `${issue.message} (view "${d.view ?? manifest.defaultView}" of ${path.join(dir, MANIFEST_FILE)})`,
    );
  }
  if (parsed.data.source === 'prepared')
    throw new ValueError('data.options', 'a prepared view cannot name another prepared data set');
  return poolOf(parsed.data);
}
