/**
 * Mini-batches over a TensorDataset, optionally reshuffled every epoch from a seeded stream, with
 * a small checkpointable state (epoch, position in the epoch, random state at the epoch's start)
 * so a resumed run sees exactly the batches an uninterrupted one would have seen.
 *
 * Iterating the loader runs the current epoch to its end; iterating again starts the next one.
 * An epoch left early (a `break`, or a state restored mid-epoch) continues where it stopped.
 * A `transform` (training-time augmentation) runs on each batch with a stream of its own, seeded
 * from the epoch's starting state and the batch's position, so a resumed run draws the same.
 *
 * @example
 * const loader = new DataLoader(ds, { batchSize: 32, shuffle: true, seed: 0 });
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   for (const { x, y } of loader) step(x, y);
 *   saveJson('loader.json', loader.state());
 * }
 * // after a restart: loader.loadState(readJson('loader.json'));
 */
import { ValueError } from '../core/errors.js';
import { Rng, rng as globalRng } from '../core/rng.js';
import type { Batch, TensorDataset } from './dataset.js';

export interface DataLoaderOptions {
  batchSize: number;
  /** Reshuffle the sample order at the start of every epoch. Default false. */
  shuffle?: boolean;
  /** Skip the last, smaller batch of an epoch. Default false. */
  dropLast?: boolean;
  /** Seed of the loader's own stream; by default it is drawn from the global stream (`manualSeed`). */
  seed?: number;
  /** Runs on every batch before it is handed out (augmentation), drawing only from `rng`. */
  transform?: BatchTransform;
}

/**
 * A change to a batch drawn from `rng` alone (the same batch and stream give the same result).
 *
 * @example
 * const noisy: BatchTransform = ({ x, y }, rng) => ({ x: x.add(rng.uniform() * 0.01), y });
 */
export type BatchTransform = (batch: Batch, rng: Rng) => Batch;

/** Everything needed to resume iteration; plain JSON. */
export interface DataLoaderState {
  /** Epochs completed. */
  epoch: number;
  /** Samples of the current epoch already handed out. */
  position: number;
  /** The loader's random state before the current epoch's order was drawn. */
  rngState: number[];
}

/**
 * Iterates a dataset in mini-batches `{x, y}`, one epoch per pass.
 *
 * @example
 * for (const { x, y } of new DataLoader(ds, { batchSize: 64, shuffle: true, seed: 1 })) train(x, y);
 */
export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly rng: Rng;
  private readonly transform: BatchTransform | undefined;
  private epochCount = 0;
  private position = 0;
  /** The current epoch's sample order; null until the epoch's first batch is asked for. */
  private order: Int32Array | null = null;
  private epochStartState: number[] = [];

  constructor(
    readonly dataset: TensorDataset,
    opts: DataLoaderOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
      throw new ValueError('DataLoader', `batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.rng = new Rng(opts.seed ?? globalRng.nextU32());
    this.transform = opts.transform;
  }

  /** Epochs completed so far. */
  get epoch(): number {
    return this.epochCount;
  }

  /** Batches in one full epoch. */
  get batchesPerEpoch(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Samples an epoch hands out (all, or all but the incomplete last batch). */
  private get epochEnd(): number {
    const n = this.dataset.length;
    return this.dropLast ? n - (n % this.batchSize) : n;
  }

  /**
   * The stream's state in a JSON-exact form: the four words as unsigned integers, and the cached
   * normal only when there is one (NaN would come back from JSON as null).
   */
  private rngSnapshot(): number[] {
    const [a, b, c, d, spare] = this.rng.getState() as [number, number, number, number, number];
    const words = [a >>> 0, b >>> 0, c >>> 0, d >>> 0];
    return Number.isNaN(spare) ? words : [...words, spare];
  }

  private currentOrder(): Int32Array {
    if (this.order === null) {
      this.epochStartState = this.rngSnapshot();
      const n = this.dataset.length;
      this.order = this.shuffle ? this.rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    }
    return this.order;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const order = this.currentOrder();
    while (this.position < this.epochEnd) {
      const start = this.position;
      const indices = order.subarray(start, Math.min(start + this.batchSize, order.length));
      // Advance before handing the batch out: a state saved while it is being used resumes after it.
      this.position += indices.length;
      const batch = this.dataset.batch(indices);
      yield this.transform === undefined ? batch : this.transform(batch, this.batchRng(start));
    }
    this.epochCount++;
    this.position = 0;
    this.order = null;
  }

  /** The transform's stream for the batch at `start`: a hash of the epoch's starting state and the position. */
  private batchRng(start: number): Rng {
    let h = Math.imul(start ^ 0x5bd1e995, 0x9e3779b1);
    for (let i = 0; i < 4; i++) {
      h = Math.imul(h ^ (this.epochStartState[i]! >>> 0), 0x85ebca6b);
      h ^= h >>> 13;
    }
    return new Rng(h >>> 0);
  }

  /**
   * The state to store in a checkpoint. A finished epoch whose loop has not yet closed is
   * reported as the start of the next one.
   *
   * @example
   * const saved = JSON.stringify(loader.state());
   */
  state(): DataLoaderState {
    // No order drawn yet: the stream is still at the epoch's starting state.
    if (this.order === null) return { epoch: this.epochCount, position: this.position, rngState: this.rngSnapshot() };
    if (this.position >= this.epochEnd)
      return { epoch: this.epochCount + 1, position: 0, rngState: this.rngSnapshot() };
    return { epoch: this.epochCount, position: this.position, rngState: [...this.epochStartState] };
  }

  /**
   * Restores a state from {@link state}: the next batch is the one that followed when it was saved.
   *
   * @example
   * loader.loadState(JSON.parse(saved));
   */
  loadState(state: DataLoaderState): void {
    const { epoch, position, rngState } = state;
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new ValueError('DataLoader.loadState', `epoch must be a non-negative integer, got ${epoch}`);
    if (!Number.isInteger(position) || position < 0 || position > this.dataset.length) {
      throw new ValueError(
        'DataLoader.loadState',
        `position must be an integer in [0, ${this.dataset.length}], got ${position}`,
      );
    }
    if (!Array.isArray(rngState) || rngState.length < 4 || !rngState.slice(0, 4).every((w) => Number.isInteger(w))) {
      throw new ValueError('DataLoader.loadState', 'rngState must be the array that state() returned');
    }
    this.rng.setState(rngState);
    this.epochCount = epoch;
    this.position = position;
    // The epoch's order is redrawn from its starting state on the next iteration.
    this.order = null;
  }
}
