/**
 * Small user data sets for the transfer tests through the CLI: Gaussian clusters written as NPY
 * (features float32, labels int32) or CSV (feature columns and a `label` column), with a YAML
 * config holding their `data:` section, and the weights of a run's checkpoint.
 *
 * @example
 * const src = writeClusters(dir, 'src', { format: 'npy', n: 240, classes: 3, features: 6, seed: 1 });
 * await polytask(['pretrain', '-c', src.config, '--json'], { runsDir });
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { writeNpy } from '../../src/data/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { loadPretrained } from '../../src/transfer/checkpoint.js';

export interface ClusterOptions {
  format: 'npy' | 'csv';
  n: number;
  classes: number;
  features: number;
  seed: number;
  /** Added to every feature (a domain shift). Default 0. */
  shift?: number;
}

/** The files written: the YAML config with the `data:` section, the features of every example. */
export interface Clusters {
  config: string;
  x: Float32Array;
  labels: Int32Array;
  /** Where the features alone are, as NPY [n, features] (what `predict --input` reads). */
  featuresNpy: string;
}

/**
 * `n` examples of `classes` Gaussian clusters (centres 3 sd apart on average) in `features` dimensions.
 *
 * @example
 * writeClusters(dir, 'target', { format: 'csv', n: 200, classes: 4, features: 6, seed: 2 }).config;
 */
export function writeClusters(dir: string, name: string, o: ClusterOptions): Clusters {
  const rng = new Rng(o.seed);
  const centres = Array.from({ length: o.classes * o.features }, () => 3 * rng.normal());
  const x = new Float32Array(o.n * o.features);
  const labels = new Int32Array(o.n);
  for (let i = 0; i < o.n; i++) {
    const c = i % o.classes;
    labels[i] = c;
    for (let j = 0; j < o.features; j++)
      x[i * o.features + j] = centres[c * o.features + j]! + rng.normal() + (o.shift ?? 0);
  }
  const featuresNpy = join(dir, `${name}-x.npy`);
  writeNpy(featuresNpy, new Tensor(x, [o.n, o.features]));
  const config = join(dir, `${name}.yaml`);
  if (o.format === 'npy') {
    const labelsNpy = join(dir, `${name}-y.npy`);
    writeNpy(labelsNpy, new Tensor(labels, [o.n]));
    writeFileSync(config, `data:\n  source: npy\n  features: ${featuresNpy}\n  labels: ${labelsNpy}\n`);
  } else {
    const csv = join(dir, `${name}.csv`);
    const header = [...Array.from({ length: o.features }, (_, j) => `f${j}`), 'label'].join(',');
    const rows = Array.from({ length: o.n }, (_, i) =>
      [...x.subarray(i * o.features, (i + 1) * o.features)]
        .map((v) => v.toFixed(5))
        .concat(String(labels[i]))
        .join(','),
    );
    writeFileSync(csv, `${header}\n${rows.join('\n')}\n`);
    writeFileSync(config, `data:\n  source: csv\n  file: ${csv}\n  label: label\n`);
  }
  return { config, x, labels, featuresNpy };
}

/**
 * The weights of a checkpoint (directory, or a run's checkpoints directory) by name, as float arrays.
 *
 * @example
 * weightsOf(run.checkpoint)['trunk.1.weight'];
 */
export function weightsOf(checkpoint: string): Record<string, Float32Array> {
  const { model } = loadPretrained(checkpoint);
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, Float32Array.from(t.data)]));
}

/** The largest |a − b| over two arrays of one length. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The Euclidean distance between two arrays of one length. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
