/**
 * Mini-batches of a MultiTaskDataset, shuffled per epoch from a seeded stream, with the same
 * checkpointable state as data.DataLoader (it is one: a DataLoader over sample indices), so the
 * Trainer can resume a multi-task run exactly.
 *
 * @example
 * const loader = new MultiTaskLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
 * for (const { x, y } of loader) { ... }   // y.left [64], y.right [64]
 */
import { DataLoader, TensorDataset, type DataLoaderOptions, type DataLoaderState } from '../data/index.js';
import type { MultiTaskBatch, MultiTaskDataset } from './dataset.js';

/**
 * Iterates a MultiTaskDataset in mini-batches, one epoch per pass.
 *
 * @example
 * new MultiTaskLoader(ds, { batchSize: 32 }).batchesPerEpoch;
 */
export class MultiTaskLoader implements Iterable<MultiTaskBatch> {
  readonly #indices: DataLoader;

  constructor(
    readonly dataset: MultiTaskDataset,
    opts: DataLoaderOptions,
  ) {
    // the index of each sample rides as its label; the features are a placeholder column
    const ids = new TensorDataset(
      new Float32Array(dataset.length),
      [1],
      Int32Array.from({ length: dataset.length }, (_, i) => i),
    );
    this.#indices = new DataLoader(ids, opts);
  }

  get epoch(): number {
    return this.#indices.epoch;
  }

  get batchesPerEpoch(): number {
    return this.#indices.batchesPerEpoch;
  }

  get batchSize(): number {
    return this.#indices.batchSize;
  }

  *[Symbol.iterator](): Iterator<MultiTaskBatch> {
    for (const { y } of this.#indices) yield this.dataset.batch(y.data as Int32Array);
  }

  /** Plain-JSON state to resume from (see DataLoader.state). */
  state(): DataLoaderState {
    return this.#indices.state();
  }

  loadState(state: unknown): void {
    this.#indices.loadState(state as DataLoaderState);
  }
}
