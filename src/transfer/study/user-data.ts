/**
 * The transfer study's data when the user brings it: `source.data` and `target.data` are `data:`
 * sections (the embedded digits, IDX, NPY, CSV, and whatever source kinds src/data/sources knows),
 * loaded by `loadData`. The source's training split (a balanced subset of `source.samples`) is
 * pre-trained on, its test split scores the source model; the target's training split is the
 * pool every budget is drawn from, its test split (a balanced subset of `target.testSamples`) the
 * one test set of every run. Without `target.data` the built-in directions of data.ts run.
 *
 * Everything the study needs of the data is checked here, before any training: the two data sets
 * load, their examples fit one model (and a source checkpoint's input), the model's architecture
 * can take them, and every class of the target has as many training examples as the largest budget.
 *
 * @example
 * const data = await loadStudyData(resolveStudyConfig({
 *   model: { arch: 'mlp', hidden: [32] },
 *   source: { data: { source: 'csv', file: 'source.csv', label: 'y' } },
 *   target: { data: { source: 'npy', features: 'x.npy', labels: 'y.npy' }, budgets: [5, 10] },
 * }));
 * data.targetPool.classNames; // the target's classes
 * studyArch(config.model, data.featureShape); // { arch: 'mlp', config: { hidden: [32], inputs: 4 } }
 */
import { ValueError } from '../../core/errors.js';
import { sizeOf } from '../../core/shape.js';
import type { ImageSet, TensorDataset } from '../../data/index.js';
import { loadData, type DataConfig, type LoadedData } from '../../data/sources/index.js';
import { inputFits } from '../arch/input-shape.js';
import { inputShapeOf } from '../arch/registry.js';
import { loadPretrained } from '../checkpoint.js';
import { dataSourceStudy, type TransferStudyConfig } from './config.js';
import { balancedSubset, smallestClass, studyData, type StudyData } from './data.js';
import { loadMlmStudyData } from './mlm-source.js';
import { oncePerConfig } from '../../study/index.js';

/** Source test examples used to score the source model, at most. */
const SOURCE_TEST = 2000;

/**
 * A split of loaded data as the study's sets (one row of `featureShape` values per example).
 *
 * @example
 * asSet(loaded.train, loaded.classNames).n;
 */
export function asSet(ds: TensorDataset, classNames: readonly string[]): ImageSet {
  return {
    images: ds.features as Float32Array,
    labels: ds.labels as Int32Array,
    n: ds.length,
    height: 1,
    width: sizeOf(ds.featureShape),
    classNames,
  };
}

/**
 * Loads one side's data; an error in it says which side.
 *
 * @example
 * const tgt = await loadSide('target.data', config.target.data, config.target.splitSeed);
 */
export async function loadSide(side: 'source.data' | 'target.data', d: DataConfig, seed: number): Promise<LoadedData> {
  try {
    return await loadData(d, seed);
  } catch (err) {
    if (err instanceof ValueError) throw new ValueError(side, err.message);
    const missing = err instanceof Error && 'code' in err && err.code === 'ENOENT' && 'path' in err;
    if (missing) throw new ValueError(side, `no such file: ${String(err.path)}`);
    throw err;
  }
}

/**
 * The architecture and config the study builds for examples of `featureShape`: the configured
 * model with its input set from the data.
 *
 * @example
 * studyArch({ arch: 'cnn', channels: [8], hidden: 16, ... }, [3, 32, 32]).config; // { ..., inChannels: 3, height: 32, width: 32 }
 */
export function studyArch(
  model: TransferStudyConfig['model'],
  featureShape: readonly number[],
): { arch: string; config: Record<string, unknown> } {
  const { arch, ...rest } = model;
  if (arch === 'text')
    throw new ValueError('model.arch', 'text reads token ids: it goes with an MLM source (source.objective: mlm)');
  if (arch === 'mlp') return { arch, config: { ...rest, inputs: sizeOf(featureShape) } };
  if (featureShape.length !== 3)
    throw new ValueError(
      'model.arch',
      `${arch} needs image inputs [channels, height, width], but the data gives examples of shape [${featureShape.join(',')}]; set model.arch: mlp`,
    );
  const [inChannels, height, width] = featureShape as [number, number, number];
  return { arch, config: { ...rest, inChannels, height, width } };
}

/**
 * The study's data: the user's (`source.data`, `target.data`) or a built-in direction's, checked;
 * loaded once per config (the CLI's check before the run directory exists and the study share it).
 *
 * @example
 * const data = await loadStudyData(config);
 */
export const loadStudyData = oncePerConfig(loadUncached, (data) => data.files);

/** {@link loadStudyData} without the cache. */
async function loadUncached(study: TransferStudyConfig): Promise<StudyData> {
  const config = dataSourceStudy(study);
  const { source, target } = config;
  if (source.objective === 'mlm') return loadMlmStudyData(config);
  if (target.data === undefined) {
    if (source.data !== undefined)
      throw new ValueError(
        'source.data',
        'user source data needs user target data (target.data): a built-in direction brings its own source',
      );
    return studyData(config);
  }
  if (source.data === undefined)
    throw new ValueError(
      'target.data',
      "user target data needs the source's data (source.data): the data to pre-train on, or the data the source checkpoint was trained on",
    );
  const src = await loadSide('source.data', source.data, source.seed);
  const tgt = await loadSide('target.data', target.data, target.splitSeed);
  const shape = (d: LoadedData): string => `[${d.featureShape.join(',')}]`;
  if (source.checkpoint !== undefined) {
    const { description } = loadPretrained(source.checkpoint);
    for (const [side, d] of [
      ['source.data', src],
      ['target.data', tgt],
    ] as const) {
      if (!inputFits(description, d.featureShape))
        throw new ValueError(
          side,
          `${d.description} gives examples of shape ${shape(d)}, but the source checkpoint's ${description.arch} takes [${inputShapeOf(description).join(',')}]`,
        );
    }
    const head = description.tasks[0]!;
    if (head.classes !== src.classes)
      throw new ValueError(
        'source.data',
        `${src.description} has ${src.classes} classes, but the source checkpoint's head '${head.name}' has ${head.classes}: it is not the data the checkpoint was trained on`,
      );
  } else {
    const fits =
      config.model.arch === 'mlp'
        ? sizeOf(src.featureShape) === sizeOf(tgt.featureShape)
        : src.featureShape.join(',') === tgt.featureShape.join(',');
    if (!fits)
      throw new ValueError(
        'target.data',
        `${tgt.description} gives examples of shape ${shape(tgt)}, the source ${src.description} ${shape(src)}: one ${config.model.arch} cannot take both`,
      );
    studyArch(config.model, src.featureShape);
  }
  const pool = asSet(tgt.train, tgt.classNames);
  const budget = Math.max(...target.budgets);
  const smallest = smallestClass(pool);
  if (smallest.count < budget)
    throw new ValueError(
      'target.budgets',
      `class '${smallest.name}' of ${tgt.description} has ${smallest.count} training examples, fewer than the budget of ${budget} per class`,
    );
  const test = asSet(tgt.test, tgt.classNames);
  return {
    direction: 'custom',
    note: `pre-training data: ${src.description}; target data: ${tgt.description}`,
    sourceName: src.description,
    targetName: tgt.description,
    source: balancedSubset(asSet(src.train, src.classNames), source.samples, source.seed),
    sourceTest: balancedSubset(asSet(src.test, src.classNames), SOURCE_TEST, source.seed),
    targetPool: pool,
    targetTest: target.testSamples === 'rest' ? test : balancedSubset(test, target.testSamples, target.splitSeed + 1),
    testOnUnusedPool: false,
    featureShape: [...tgt.featureShape],
    files: [...src.files, ...tgt.files],
  };
}
