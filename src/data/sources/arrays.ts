/**
 * The user's own arrays as a source: IDX images with IDX labels, or NPY features with NPY labels,
 * each optionally with a separate test pair. IDX images and NPY features are read row by row, so
 * only the examples kept are ever converted, and from disk when the file is larger than the
 * memory budget (`POLYTASK_MEMORY_BUDGET`).
 *
 * @example
 * idxPool({ source: 'idx', images: 'x-idx3-ubyte', labels: 'y-idx1-ubyte', testFraction: 0.2 });
 */
import path from 'node:path';
import { ValueError } from '../../core/errors.js';
import { openIdx, readIdx } from '../idx.js';
import { openNpy, readNpy } from '../npy.js';
import { classLabels, type Pool, type PoolSet } from './pool.js';
import type { IdxDataConfig, NpyDataConfig } from './schema.js';

function idxImages(imagesPath: string, labelsPath: string): PoolSet {
  const img = openIdx(imagesPath);
  if (img.shape.length !== 3)
    throw new ValueError(imagesPath, `expected IDX images of shape [N, height, width], got [${img.shape.join(',')}]`);
  const scale = img.type === 'ubyte' ? 1 / 255 : 1;
  const lab = readIdx(labelsPath);
  if (lab.shape.length !== 1 || lab.shape[0] !== img.shape[0])
    throw new ValueError(labelsPath, `expected ${img.shape[0]} labels of shape [N], got [${lab.shape.join(',')}]`);
  return {
    labels: classLabels(lab.data, labelsPath),
    featureShape: [1, img.shape[1]!, img.shape[2]!],
    rows: (indices) => img.read(indices, scale),
  };
}

function npyArrays(featuresPath: string, labelsPath: string): PoolSet {
  const x = openNpy(featuresPath);
  const y = readNpy(labelsPath);
  if (x.shape.length < 2)
    throw new ValueError(featuresPath, `expected features of shape [N, ...], got [${x.shape.join(',')}]`);
  if (y.ndim !== 1 || y.shape[0] !== x.shape[0])
    throw new ValueError(labelsPath, `expected ${x.shape[0]} integer labels of shape [N], got [${y.shape.join(',')}]`);
  return {
    labels: classLabels(y.data as ArrayLike<number>, labelsPath),
    featureShape: x.shape.length === 3 ? [1, x.shape[1]!, x.shape[2]!] : x.shape.slice(1),
    rows: (indices) => x.read(indices),
  };
}

const resolved = (...files: (string | undefined)[]): string[] =>
  files.filter((f): f is string => f !== undefined).map((f) => path.resolve(f));

/** IDX images and labels, and optionally a test pair. */
export function idxPool(d: IdxDataConfig): Pool {
  if ((d.testImages === undefined) !== (d.testLabels === undefined))
    throw new ValueError('data', 'give both testImages and testLabels, or neither');
  return {
    set: idxImages(d.images, d.labels),
    description: `IDX files ${d.images}`,
    files: resolved(d.images, d.labels, d.testImages, d.testLabels),
    ...(d.testImages === undefined ? {} : { test: idxImages(d.testImages, d.testLabels!) }),
  };
}

/** NPY features and labels, and optionally a test pair. */
export function npyPool(d: NpyDataConfig): Pool {
  if ((d.testFeatures === undefined) !== (d.testLabels === undefined))
    throw new ValueError('data', 'give both testFeatures and testLabels, or neither');
  return {
    set: npyArrays(d.features, d.labels),
    description: `NPY files ${d.features}`,
    files: resolved(d.features, d.labels, d.testFeatures, d.testLabels),
    ...(d.testFeatures === undefined ? {} : { test: npyArrays(d.testFeatures, d.testLabels!) }),
  };
}
