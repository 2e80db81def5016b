/**
 * Data sets built once from installed raw material into the cache (types.ts explains the parts).
 *
 * @example
 * import { ensurePrepared, preparableDatasets } from './prepared/index.js';
 */
import './all.js';
export { preparable, preparableDatasets, registerPreparable } from './registry.js';
export { ensurePrepared, preparedDir, readManifest, viewData, MANIFEST_FILE, type EnsureOptions } from './store.js';
export type { BuildOptions, BuiltData, PreparableDataset, PreparedManifest, PreparedView } from './types.js';
