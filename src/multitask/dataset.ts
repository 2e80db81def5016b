/**
 * Multi-task data held in memory: one input per sample and, per task, a label (or a row of labels)
 * with missing entries marked by NaN or by a mask. A sample may have labels for some tasks and not
 * others; a task's labels may be missing for whole samples or label by label.
 *
 * @example
 * const ds = new MultiTaskDataset(images, [1, 28, 28], {
 *   left: { data: leftDigits },                                   // Int32Array [N]
 *   objects: { data: objectFlags, shape: [4] },                   // Float32Array [N·4], NaN = missing
 *   depth: { data: depths, mask: depthMask },                      // Float32Array [N], mask 1/0
 * });
 * const { x, y, mask } = ds.batch([0, 1, 2]);   // y.objects [3, 4], mask.depth [3]
 * ds.labelledCount('objects');                   // samples with at least one label present
 */
import { ValueError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { gatherRows } from '../data/index.js';
import { Tensor } from '../tensor/index.js';
import { nullRecord } from '../core/safe-keys.js';

/** One task's labels: `data` holds `shape`-sized rows, one per sample. */
export interface TaskLabels {
  /** Int32Array class indices (−100 = missing) or Float32Array values (NaN = missing). */
  data: Int32Array | Float32Array;
  /** Shape of one sample's label: [] (default) or [labels] / [outputs]. */
  shape?: readonly number[];
  /** 1 where present, 0 where missing: one per sample ([N]) or per entry (data's size). */
  mask?: Float32Array;
}

/**
 * A mini-batch: inputs, and per task its targets and (where given) mask. Under task mixing a batch
 * comes from one dataset, and the tasks of the other datasets are absent from `y`.
 */
export interface MultiTaskBatch {
  x: Tensor;
  y: Record<string, Tensor>;
  mask?: Record<string, Tensor>;
}

interface Column {
  data: Int32Array | Float32Array;
  shape: readonly number[];
  mask: Float32Array | null;
  /** Entries of the mask per sample: 1 (whole samples) or the label row's size. */
  maskRow: number;
}

/**
 * Samples with a shared input and labels for several tasks.
 *
 * @example
 * const train = ds.subset(Int32Array.from({ length: 100 }, (_, i) => i));
 */
export class MultiTaskDataset {
  readonly length: number;
  readonly featureShape: readonly number[];
  readonly tasks: readonly string[];
  readonly #columns: ReadonlyMap<string, Column>;

  constructor(
    readonly features: Float32Array,
    featureShape: readonly number[],
    labels: Readonly<Record<string, TaskLabels>>,
  ) {
    const fs = sizeOf(featureShape);
    if (!featureShape.every((d) => Number.isInteger(d) && d > 0))
      throw new ValueError(
        'MultiTaskDataset',
        `featureShape must be positive integers, got [${featureShape.join(',')}]`,
      );
    if (features.length % fs !== 0)
      throw new ValueError(
        'MultiTaskDataset',
        `features has ${features.length} values, not a multiple of featureShape [${featureShape.join(',')}]`,
      );
    this.length = features.length / fs;
    this.featureShape = Object.freeze([...featureShape]);
    const columns = new Map<string, Column>();
    for (const [task, l] of Object.entries(labels)) {
      const shape = Object.freeze([...(l.shape ?? [])]);
      const row = sizeOf(shape);
      if (l.data.length !== this.length * row) {
        throw new ValueError(
          'MultiTaskDataset',
          `task '${task}' has ${l.data.length} label values; ${this.length} samples of shape [${shape.join(',')}] need ${this.length * row}`,
        );
      }
      let maskRow = 0;
      if (l.mask !== undefined) {
        if (l.mask.length === this.length) maskRow = 1;
        else if (l.mask.length === l.data.length) maskRow = row;
        else
          throw new ValueError(
            'MultiTaskDataset',
            `task '${task}' mask has ${l.mask.length} values; expected ${this.length} (per sample) or ${l.data.length} (per label)`,
          );
      }
      columns.set(task, { data: l.data, shape, mask: l.mask ?? null, maskRow });
    }
    if (columns.size === 0) throw new ValueError('MultiTaskDataset', 'needs labels for at least one task');
    this.#columns = columns;
    this.tasks = Object.freeze([...columns.keys()]);
  }

  /** The label shape of one sample of `task`. */
  labelShape(task: string): readonly number[] {
    return this.#column(task).shape;
  }

  /**
   * The samples at `indices` as a batch (copies).
   *
   * @example
   * const { x, y } = ds.batch([4, 2]);
   */
  batch(indices: ArrayLike<number>): MultiTaskBatch {
    this.#checkIndices(indices);
    const n = indices.length;
    const x = new Tensor(gatherRows(this.features, sizeOf(this.featureShape), indices), [n, ...this.featureShape]);
    const y = nullRecord<Tensor>();
    const mask = nullRecord<Tensor>();
    for (const [task, c] of this.#columns) {
      y[task] = new Tensor(gatherRows(c.data, sizeOf(c.shape), indices), [n, ...c.shape]);
      if (c.mask !== null)
        mask[task] = new Tensor(gatherRows(c.mask, c.maskRow, indices), c.maskRow === 1 ? [n] : [n, ...c.shape]);
    }
    return Object.keys(mask).length === 0 ? { x, y } : { x, y, mask };
  }

  /**
   * A dataset of copies of the samples at `indices`, in that order.
   *
   * @example
   * const small = ds.subset([0, 1, 2]);
   */
  subset(indices: ArrayLike<number>): MultiTaskDataset {
    this.#checkIndices(indices);
    const labels = nullRecord<TaskLabels>();
    for (const [task, c] of this.#columns) {
      labels[task] = {
        data: gatherRows(c.data, sizeOf(c.shape), indices),
        shape: c.shape,
        ...(c.mask === null ? {} : { mask: gatherRows(c.mask, c.maskRow, indices) }),
      };
    }
    return new MultiTaskDataset(
      gatherRows(this.features, sizeOf(this.featureShape), indices),
      this.featureShape,
      labels,
    );
  }

  /**
   * A dataset with only `tasks` (sharing the arrays): the data of a single-task baseline.
   *
   * @example
   * ds.withTasks(['left']).tasks; // ['left']
   */
  withTasks(tasks: readonly string[]): MultiTaskDataset {
    const labels = nullRecord<TaskLabels>();
    for (const t of tasks) {
      const c = this.#column(t);
      labels[t] = { data: c.data, shape: c.shape, ...(c.mask === null ? {} : { mask: c.mask }) };
    }
    return new MultiTaskDataset(this.features, this.featureShape, labels);
  }

  /**
   * Whether each entry of `task`'s labels is present: not NaN, not the ignore index −100 of class
   * indices, not masked out. One byte per label entry.
   */
  present(task: string): Uint8Array {
    const c = this.#column(task);
    const row = sizeOf(c.shape);
    const out = new Uint8Array(c.data.length);
    for (let i = 0; i < c.data.length; i++) {
      const v = c.data[i]!;
      const masked = c.mask !== null && c.mask[c.maskRow === 1 ? Math.floor(i / row) : i] === 0;
      out[i] = Number.isNaN(v) || (c.data instanceof Int32Array && v === -100) || masked ? 0 : 1;
    }
    return out;
  }

  /**
   * Samples with at least one label of `task` present.
   *
   * @example
   * ds.labelledCount('left'); // 3000
   */
  labelledCount(task: string): number {
    const row = sizeOf(this.#column(task).shape);
    const p = this.present(task);
    let n = 0;
    for (let s = 0; s < this.length; s++) {
      for (let k = 0; k < row; k++) {
        if (p[s * row + k]) {
          n++;
          break;
        }
      }
    }
    return n;
  }

  /** Fraction of `task`'s label entries that are present. */
  presentFraction(task: string): number {
    const p = this.present(task);
    return p.length === 0 ? 0 : p.reduce((a, b) => a + b, 0) / p.length;
  }

  #column(task: string): Column {
    const c = this.#columns.get(task);
    if (c === undefined)
      throw new ValueError('MultiTaskDataset', `no task '${task}'; tasks are ${this.tasks.join(', ')}`);
    return c;
  }

  #checkIndices(indices: ArrayLike<number>): void {
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i]!;
      if (!Number.isInteger(k) || k < 0 || k >= this.length)
        throw new ValueError('MultiTaskDataset', `index ${k} at position ${i} is outside [0, ${this.length})`);
    }
  }
}
