/**
 * Data sources: the `data:` config section (schema.ts) and `loadData` (load.ts), which turns it
 * into training and test sets. One file per source kind.
 *
 * @example
 * const data = await loadData(dataSchema.parse({ source: 'csv', file: 'iris.csv', label: 'species' }), 0);
 */
export { dataSchema, dataSourcesSchema, commonDataOptions, type DataConfig } from './schema.js';
export { loadData, poolOf, storedDataConfig, type LoadDataOptions, type LoadedData } from './load.js';
export { imageSettings, imagesPool, type ImageSettings } from './image-folder.js';
export { classLabels, inMemory, MAX_CLASSES, TOKENIZER_FILE, type Pool, type PoolSet } from './pool.js';
