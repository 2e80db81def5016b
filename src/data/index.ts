/**
 * Data: in-memory datasets and the mini-batch loader, seeded splits, readers for IDX, NPY and
 * CSV files, and the built-in image sets (MNIST embedded, Fashion-MNIST from disk).
 *
 * @example
 * import { loadMnist, splitImages, imageDataset, DataLoader } from './data/index.js';
 * const { train } = splitImages(loadMnist(), { seed: 0 });
 * for (const { x, y } of new DataLoader(imageDataset(train), { batchSize: 64, shuffle: true })) {
 *   // x [64,1,28,28] float32, y [64] int32
 * }
 */
export { TensorDataset, gatherRows, type Batch } from './dataset.js';
export { DataLoader, type BatchTransform, type DataLoaderOptions, type DataLoaderState } from './loader.js';
export { trainTestSplit, type Split, type SplitOptions } from './split.js';
export { selectImages, splitImages, imageDataset, type ImageSet } from './images.js';
export { loadMnist } from './mnist.js';
export {
  loadFashionMnist,
  requireFashionMnist,
  FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  fashionMnistFiles,
  type FashionMnistSplit,
} from './fashion-mnist.js';
export { openIdx, parseIdx, readIdx, type IdxArray, type IdxRows, type IdxType } from './idx.js';
export { checkAllocation, DEFAULT_READ_LIMITS, readLimits, type ReadLimits } from './read-limits.js';
export { openNpy, parseNpy, readNpy, encodeNpy, writeNpy, type NpyRows } from './npy.js';
export { parseCsv, readCsv, tableToTensor, type CsvOptions, type CsvTable } from './csv.js';
export {
  fingerprintData,
  fingerprintChange,
  fingerprintDigest,
  hashLimit,
  loadedInputs,
  mnistData,
  readDataFingerprint,
  writeDataFingerprint,
  DATA_FINGERPRINT_FILE,
  DEFAULT_HASH_LIMIT,
  type BuiltinData,
  type DataFingerprint,
  type DataInputs,
  type FileFingerprint,
  type FingerprintMode,
} from './fingerprint.js';
