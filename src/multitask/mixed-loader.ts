/**
 * Batches from several data sources, each with its own inputs and tasks, mixed by a TaskSampler:
 * every step draws a source (by the mixing rates), then takes that source's next batch, starting a
 * new pass over a source when it runs out. A batch therefore carries the labels of one source's
 * tasks only; the multi-task step gives the other tasks no loss for it.
 *
 * An epoch is a fixed number of steps (by default as many as one pass over every source), and the
 * state (position, the sampler's stream, every source's loader) makes runs resumable.
 *
 * @example
 * const loader = new MixedTaskLoader({ digits: mnistTasks, clothes: fashionTasks }, {
 *   batchSize: 64, mixing: { strategy: 'temperature', temperature: 2 }, seed: 0,
 * });
 * for (const batch of loader) { ... }   // batch.source: 'digits' or 'clothes'
 */
import { ValueError } from '../core/errors.js';
import { Rng, rng as globalRng } from '../core/rng.js';
import type { DataLoaderState } from '../data/index.js';
import type { MultiTaskBatch, MultiTaskDataset } from './dataset.js';
import { MultiTaskLoader } from './loader.js';
import { mixingRates, type Mixing } from './mixing.js';
import { TaskSampler } from './task-sampler.js';
import { nullRecord, recordFrom } from '../core/safe-keys.js';

export interface MixedTaskLoaderOptions {
  batchSize: number;
  mixing: Mixing;
  /** Steps in one epoch. Default: the batches of one pass over every source, added up. */
  stepsPerEpoch?: number;
  /** Reshuffle each source every pass. Default true. */
  shuffle?: boolean;
  /** Seed of the loader's streams (sampler and sources). Default: a draw from the global stream. */
  seed?: number;
}

/** A batch and the source it came from. */
export interface MixedBatch extends MultiTaskBatch {
  source: string;
}

/** The loader's checkpoint state. */
export interface MixedTaskLoaderState {
  epoch: number;
  position: number;
  sampler: number[];
  sources: Record<string, DataLoaderState>;
}

/**
 * Mixes batches of several sources.
 *
 * @example
 * loader.rates; // { digits: 0.6, clothes: 0.4 }
 */
export class MixedTaskLoader implements Iterable<MixedBatch> {
  /** The probability of each source per step. */
  readonly rates: Readonly<Record<string, number>>;
  readonly stepsPerEpoch: number;
  readonly #loaders: ReadonlyMap<string, MultiTaskLoader>;
  readonly #sampler: TaskSampler;
  #epoch = 0;
  #position = 0;

  constructor(
    readonly sources: Readonly<Record<string, MultiTaskDataset>>,
    opts: MixedTaskLoaderOptions,
  ) {
    const names = Object.keys(sources);
    if (names.length === 0) throw new ValueError('MixedTaskLoader', 'needs at least one source');
    const seen = new Map<string, string>();
    for (const s of names) {
      for (const t of sources[s]!.tasks) {
        if (seen.has(t))
          throw new ValueError(
            'MixedTaskLoader',
            `task '${t}' has labels in sources '${seen.get(t)}' and '${s}'; give each task one source`,
          );
        seen.set(t, s);
      }
    }
    const streams = new Rng(opts.seed ?? globalRng.nextU32());
    const loaders = new Map<string, MultiTaskLoader>();
    for (const s of names) {
      loaders.set(
        s,
        new MultiTaskLoader(sources[s]!, {
          batchSize: opts.batchSize,
          shuffle: opts.shuffle ?? true,
          seed: streams.nextU32(),
        }),
      );
    }
    this.#loaders = loaders;
    this.rates = Object.freeze(mixingRates(recordFrom(names.map((s) => [s, sources[s]!.length])), opts.mixing));
    this.#sampler = new TaskSampler(this.rates, streams.nextU32());
    const steps = opts.stepsPerEpoch ?? [...loaders.values()].reduce((n, l) => n + l.batchesPerEpoch, 0);
    if (!Number.isInteger(steps) || steps < 1)
      throw new ValueError('MixedTaskLoader', `stepsPerEpoch must be a positive integer, got ${steps}`);
    this.stepsPerEpoch = steps;
  }

  get epoch(): number {
    return this.#epoch;
  }

  get batchesPerEpoch(): number {
    return this.stepsPerEpoch;
  }

  *[Symbol.iterator](): Iterator<MixedBatch> {
    while (this.#position < this.stepsPerEpoch) {
      const source = this.#sampler.next();
      const batch = nextBatch(this.#loaders.get(source)!);
      this.#position++;
      yield { ...batch, source };
    }
    this.#epoch++;
    this.#position = 0;
  }

  state(): MixedTaskLoaderState {
    const sources = nullRecord<DataLoaderState>();
    for (const [s, l] of this.#loaders) sources[s] = l.state();
    return { epoch: this.#epoch, position: this.#position, sampler: this.#sampler.state(), sources };
  }

  loadState(state: unknown): void {
    const s = state as MixedTaskLoaderState;
    if (
      typeof s !== 'object' ||
      s === null ||
      !Number.isInteger(s.epoch) ||
      !Number.isInteger(s.position) ||
      typeof s.sources !== 'object'
    ) {
      throw new ValueError('MixedTaskLoader.loadState', 'expected the object that state() returned');
    }
    for (const name of this.#loaders.keys()) {
      if (s.sources[name] === undefined)
        throw new ValueError('MixedTaskLoader.loadState', `no state for source '${name}'`);
    }
    this.#sampler.loadState(s.sampler);
    for (const [name, l] of this.#loaders) l.loadState(s.sources[name]);
    this.#epoch = s.epoch;
    this.#position = s.position;
  }
}

/**
 * The next batch of `loader`, going on to its next pass when the current one is used up. A fresh
 * iterator continues the loader's current pass, and one that finds the pass finished closes it.
 */
function nextBatch(loader: MultiTaskLoader): MultiTaskBatch {
  for (let tries = 0; tries < 2; tries++) {
    const r = loader[Symbol.iterator]().next();
    if (r.done !== true) return r.value;
  }
  throw new ValueError('MixedTaskLoader', 'a source has no samples');
}
