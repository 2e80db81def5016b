/**
 * An in-memory dataset of N samples: features [N, ...featureShape] and labels [N, ...labelShape]
 * in flat typed arrays, with row gathering into batches and subsets.
 *
 * @example
 * const ds = new TensorDataset(images, [1, 28, 28], labels);   // labels: Int32Array [N]
 * const { x, y } = ds.batch([0, 5, 9]);                        // x [3,1,28,28], y [3]
 * const small = ds.subset(Int32Array.of(0, 1, 2));
 */
import type { TypedArray } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { fmt, sizeOf } from '../core/shape.js';
import { Tensor } from '../tensor/index.js';

/** A mini-batch: inputs and targets with the batch as the first axis. */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

/**
 * Copies rows `indices` (each `rowSize` elements) of `src` into a new array of the same type.
 *
 * @example
 * gatherRows(Float32Array.of(1, 2, 3, 4, 5, 6), 2, [2, 0]); // Float32Array [5, 6, 1, 2]
 */
export function gatherRows<T extends TypedArray>(src: T, rowSize: number, indices: ArrayLike<number>): T {
  const out = new (src.constructor as new (n: number) => T)(indices.length * rowSize);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i]! * rowSize;
    out.set(src.subarray(start, start + rowSize), i * rowSize);
  }
  return out;
}

/**
 * Samples held in memory as two flat typed arrays; batches and subsets are copies gathered by index.
 *
 * @example
 * const ds = new TensorDataset(Float32Array.of(1, 2, 3, 4), [2], Int32Array.of(0, 1));
 * ds.batch([1]).x.toArray(); // [[3, 4]]
 */
export class TensorDataset {
  /** Number of samples. */
  readonly length: number;
  readonly featureShape: readonly number[];
  readonly labelShape: readonly number[];

  /**
   * @param features row-major samples, `length × prod(featureShape)` elements
   * @param labels row-major targets, `length × prod(labelShape)` elements (class indices as
   *   Int32Array with labelShape [], or float targets, NaN marking a missing label)
   */
  constructor(
    readonly features: TypedArray,
    featureShape: readonly number[],
    readonly labels: TypedArray,
    labelShape: readonly number[] = [],
  ) {
    const featureSize = sizeOf(featureShape);
    if (!(featureSize > 0) || !featureShape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ValueError('TensorDataset', `featureShape must be positive integers, got ${fmt(featureShape)}`);
    }
    if (features.length % featureSize !== 0) {
      throw new ValueError(
        'TensorDataset',
        `features has ${features.length} elements, not a multiple of featureShape ${fmt(featureShape)} (${featureSize})`,
      );
    }
    this.length = features.length / featureSize;
    const labelSize = sizeOf(labelShape);
    if (labels.length !== this.length * labelSize) {
      throw new ValueError(
        'TensorDataset',
        `labels has ${labels.length} elements but ${this.length} samples of label shape ${fmt(labelShape)} need ${this.length * labelSize}`,
      );
    }
    this.featureShape = Object.freeze([...featureShape]);
    this.labelShape = Object.freeze([...labelShape]);
  }

  /**
   * A dataset over the first axis of two tensors (sharing their data).
   *
   * @example
   * const ds = TensorDataset.fromTensors(randn([100, 4]), tensor(new Int32Array(100)));
   */
  static fromTensors(x: Tensor, y: Tensor): TensorDataset {
    if (x.ndim < 1 || y.ndim < 1 || x.shape[0] !== y.shape[0]) {
      throw new ValueError(
        'TensorDataset.fromTensors',
        `x and y need the same first dimension, got ${fmt(x.shape)} and ${fmt(y.shape)}`,
      );
    }
    return new TensorDataset(x.data, x.shape.slice(1), y.data, y.shape.slice(1));
  }

  private checkIndices(where: string, indices: ArrayLike<number>): void {
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i]!;
      if (!Number.isInteger(k) || k < 0 || k >= this.length) {
        throw new ValueError(`TensorDataset.${where}`, `index ${k} at position ${i} is outside [0, ${this.length})`);
      }
    }
  }

  /**
   * The samples at `indices` stacked into a batch.
   *
   * @example
   * const { x, y } = ds.batch([3, 1]); // x [2, ...featureShape]
   */
  batch(indices: ArrayLike<number>): Batch {
    this.checkIndices('batch', indices);
    const n = indices.length;
    return {
      x: new Tensor(gatherRows(this.features, sizeOf(this.featureShape), indices), [n, ...this.featureShape]),
      y: new Tensor(gatherRows(this.labels, sizeOf(this.labelShape), indices), [n, ...this.labelShape]),
    };
  }

  /**
   * A new dataset holding copies of the samples at `indices`, in that order.
   *
   * @example
   * const { train, test } = trainTestSplit(ds.length, { seed: 0 });
   * const trainSet = ds.subset(train);
   */
  subset(indices: ArrayLike<number>): TensorDataset {
    this.checkIndices('subset', indices);
    return new TensorDataset(
      gatherRows(this.features, sizeOf(this.featureShape), indices),
      this.featureShape,
      gatherRows(this.labels, sizeOf(this.labelShape), indices),
      this.labelShape,
    );
  }
}
