/**
 * Image folders: scanning (scan.ts), decoding with sharp and resvg (decode.ts, decode-many.ts, on
 * worker threads: decode-workers.ts, decode-worker.ts),
 * the decoded cache (cache.ts), float rows and normalisation (rows.ts, pixels.ts) and training-time
 * augmentation (augment.ts). The `images` data source (../sources/image-folder.ts) puts them together.
 *
 * @example
 * import { imageRows, scanImageFolder } from './data/image-folder/index.js';
 * const f = scanImageFolder('shapes');
 * const x = await imageRows(f.train.map((e) => e.path), { height: 32, width: 32, resize: 'crop', channels: 3 });
 */
export { imageAugmentation, cropBox, type AugmentOptions } from './augment.js';
export { cacheKey, cacheRoot, decodedCache } from './cache.js';
export {
  decodeImage,
  decodeImageBytes,
  IMAGE_EXTENSIONS,
  MAX_INPUT_PIXELS,
  sniffImage,
  toChw,
  type ImageFormat,
  type ImageSpec,
} from './decode.js';
export { decodeMany, DECODE_CONCURRENCY, type DecodeManyOptions } from './decode-many.js';
export {
  decodeWorkerCount,
  MAX_DECODE_WORKERS,
  MIN_FILES_FOR_WORKERS,
  runningDecodeWorkers,
} from './decode-workers.js';
export { denormalizeRows, normalizeRows, toUnit, type Normalize } from './pixels.js';
export { cachedImageRows, imageRows, rowSizeOf } from './rows.js';
export {
  DEFAULT_SCAN_LIMITS,
  scanImageFolder,
  scanLimits,
  type ImageEntry,
  type ScanLimits,
  type ScannedFolder,
  type Skipped,
} from './scan.js';
