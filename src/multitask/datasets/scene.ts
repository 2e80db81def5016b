/**
 * Multi-label scenes, in the spirit of the self-driving example of multi-task learning (one image,
 * several questions — is there a pedestrian, a car, a stop sign, a traffic light? — and some answers
 * missing from the labels): a few items of a real image set (digits, clothes) are shrunk and placed
 * at random spots of a canvas, overlapping by maximum, and each object class gets a binary label,
 * 1 when at least one item of that class is in the scene. A chosen fraction of the labels is then
 * hidden as NaN, label by label, exactly that fraction over the whole set.
 *
 * Tasks: one binary task per object class ('has_0', 'has_sneaker'), or with `layout: 'multilabel'`
 * one task 'objects' with a sigmoid per class.
 *
 * @example
 * const { train, tasks } = loadScenes({ train: 2000, test: 500, missing: 0.3 });
 * tasks.map((t) => t.name);   // ['has_0', 'has_1', 'has_2', 'has_3']
 */
import { ValueError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { loadFashionMnist, loadMnist, splitImages, type ImageSet } from '../../data/index.js';
import { MultiTaskDataset, type TaskLabels } from '../dataset.js';
import { defineTask, type TaskSpec } from '../task.js';
import type { MultiTaskBenchmark } from './multi-digits.js';
import { pasteMax, resizeBilinear } from './resize.js';
import { nullRecord } from '../../core/safe-keys.js';

export interface SceneOptions {
  /** Number of scenes. */
  n: number;
  /** Seed of placement, choice and hiding. Default 0. */
  seed?: number;
  /** Class indices of the source set that are object classes. Default [0, 1, 2, 3]. */
  classes?: readonly number[];
  /** Side of the square canvas. Default 28. */
  canvas?: number;
  /** Side items are shrunk to. Default 14. */
  objectSize?: number;
  /** Items per scene, drawn uniformly in [minObjects, maxObjects]. Defaults 1 and 3. */
  minObjects?: number;
  maxObjects?: number;
  /** Fraction of labels hidden as NaN, in [0, 1). Default 0. */
  missing?: number;
  /** One binary task per class ('perClass', default) or one multi-label task ('multilabel'). */
  layout?: 'perClass' | 'multilabel';
}

/**
 * The task name of an object class: 'has_' and the class name in lower case with every run of
 * other characters as '_' ('T-shirt/top' → 'has_t_shirt_top').
 *
 * @example
 * objectTaskName('Ankle boot'); // 'has_ankle_boot'
 */
export function objectTaskName(className: string): string {
  return `has_${className
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')}`;
}

function checkOptions(set: ImageSet, o: SceneOptions): Required<Omit<SceneOptions, 'seed'>> {
  const classes = o.classes ?? [0, 1, 2, 3];
  const canvas = o.canvas ?? 28;
  const objectSize = o.objectSize ?? 14;
  const minObjects = o.minObjects ?? 1;
  const maxObjects = o.maxObjects ?? 3;
  const missing = o.missing ?? 0;
  const bad = (detail: string): never => {
    throw new ValueError('makeScenes', detail);
  };
  if (!Number.isInteger(o.n) || o.n < 1) bad(`n must be a positive integer, got ${o.n}`);
  if (classes.length < 1 || new Set(classes).size !== classes.length)
    bad(`classes must be distinct class indices, got [${classes.join(', ')}]`);
  for (const c of classes)
    if (!Number.isInteger(c) || c < 0 || c >= set.classNames.length)
      bad(`class ${c} is not a class of the source set (0..${set.classNames.length - 1})`);
  if (!Number.isInteger(objectSize) || objectSize < 1 || !Number.isInteger(canvas) || canvas < objectSize)
    bad(`need integers 1 <= objectSize (${objectSize}) <= canvas (${canvas})`);
  if (!Number.isInteger(minObjects) || !Number.isInteger(maxObjects) || minObjects < 0 || maxObjects < minObjects)
    bad(`need integers 0 <= minObjects (${minObjects}) <= maxObjects (${maxObjects})`);
  if (!(missing >= 0 && missing < 1)) bad(`missing must be a fraction in [0, 1), got ${missing}`);
  return { n: o.n, classes, canvas, objectSize, minObjects, maxObjects, missing, layout: o.layout ?? 'perClass' };
}

/** Indices of the source images of each object class. */
function pools(set: ImageSet, classes: readonly number[]): Int32Array[] {
  return classes.map((c) => {
    const members = Int32Array.from(Array.from(set.labels).flatMap((l, i) => (l === c ? [i] : [])));
    if (members.length === 0)
      throw new ValueError('makeScenes', `the source set has no image of class ${c} ('${set.classNames[c]}')`);
    return members;
  });
}

/**
 * `n` scenes from a 28×28 (or any square) image set.
 *
 * @example
 * makeScenes(loadMnist(), { n: 100, missing: 0.25, seed: 3 }).presentFraction('has_0'); // 0.75 overall
 */
export function makeScenes(set: ImageSet, opts: SceneOptions): MultiTaskDataset {
  const o = checkOptions(set, opts);
  const rng = new Rng(opts.seed ?? 0);
  const byClass = pools(set, o.classes);
  const px = set.height * set.width;
  const side = o.canvas;
  const images = new Float32Array(o.n * side * side);
  const c = o.classes.length;
  const flags = new Float32Array(o.n * c);
  for (let i = 0; i < o.n; i++) {
    const canvas = images.subarray(i * side * side, (i + 1) * side * side);
    const count = o.minObjects + rng.int(o.maxObjects - o.minObjects + 1);
    for (let k = 0; k < count; k++) {
      const cls = rng.int(c);
      const pool = byClass[cls]!;
      const img = pool[rng.int(pool.length)]!;
      const item = resizeBilinear(
        set.images.subarray(img * px, (img + 1) * px),
        set.height,
        set.width,
        o.objectSize,
        o.objectSize,
      );
      pasteMax(
        canvas,
        side,
        item,
        o.objectSize,
        o.objectSize,
        rng.int(side - o.objectSize + 1),
        rng.int(side - o.objectSize + 1),
      );
      flags[i * c + cls] = 1;
    }
  }
  // hide exactly round(missing · entries) labels, chosen uniformly over the whole table
  const hidden = Math.round(o.missing * flags.length);
  const order = rng.permutation(flags.length);
  for (let k = 0; k < hidden; k++) flags[order[k]!] = NaN;
  const names = o.classes.map((k) => objectTaskName(set.classNames[k]!));
  if (o.layout === 'multilabel')
    return new MultiTaskDataset(images, [1, side, side], { objects: { data: flags, shape: [c] } });
  const labels = nullRecord<TaskLabels>();
  names.forEach((name, k) => {
    labels[name] = { data: Float32Array.from({ length: o.n }, (_, i) => flags[i * c + k]!) };
  });
  return new MultiTaskDataset(images, [1, side, side], labels);
}

/**
 * The tasks of scenes over these object classes.
 *
 * @example
 * sceneTasks(['0', '1'], 'multilabel')[0].outputs; // 2
 */
export function sceneTasks(classNames: readonly string[], layout: 'perClass' | 'multilabel' = 'perClass'): TaskSpec[] {
  if (layout === 'multilabel') {
    return [
      defineTask({
        name: 'objects',
        kind: 'multilabel',
        labels: classNames.length,
        labelNames: classNames,
        metrics: ['averagePrecision', 'binaryAccuracy'],
      }),
    ];
  }
  return classNames.map((n) =>
    defineTask({ name: objectTaskName(n), kind: 'binary', metrics: ['binaryAccuracy', 'averagePrecision'] }),
  );
}

export interface LoadScenesOptions extends Omit<SceneOptions, 'n'> {
  /** Training scenes. Default 3000. */
  train?: number;
  /** Test scenes. Default 1000. */
  test?: number;
  /** 'mnist' (embedded, default) or 'fashion' (from the IDX files). */
  source?: 'mnist' | 'fashion';
  /** Directory of the Fashion-MNIST files. */
  dir?: string;
  /**
   * Hide labels in the test set too. Default false: held-out metrics are computed on every label,
   * while training sees only the labels left.
   */
  missingInTest?: boolean;
}

/**
 * Training and test scenes and their tasks, or null for 'fashion' when its files are absent.
 *
 * @example
 * const scenes = loadScenes({ source: 'fashion', classes: [0, 5, 7, 8], missing: 0.2 });
 */
export function loadScenes(o: LoadScenesOptions = {}): MultiTaskBenchmark | null {
  const seed = o.seed ?? 0;
  let train: ImageSet;
  let test: ImageSet;
  if ((o.source ?? 'mnist') === 'mnist') {
    ({ train, test } = splitImages(loadMnist(), { testFraction: 0.2, seed }));
  } else {
    const tr = loadFashionMnist('train', o.dir);
    const te = loadFashionMnist('test', o.dir);
    if (tr === null || te === null) return null;
    train = tr;
    test = te;
  }
  const classes = o.classes ?? [0, 1, 2, 3];
  const layout = o.layout ?? 'perClass';
  return {
    name: o.source === 'fashion' ? 'scene-fashion' : 'scene',
    train: makeScenes(train, { ...o, classes, layout, n: o.train ?? 3000, seed }),
    test: makeScenes(test, {
      ...o,
      classes,
      layout,
      n: o.test ?? 1000,
      seed: seed + 1,
      missing: o.missingInTest ? (o.missing ?? 0) : 0,
    }),
    tasks: sceneTasks(
      classes.map((k) => train.classNames[k]!),
      layout,
    ),
  };
}
