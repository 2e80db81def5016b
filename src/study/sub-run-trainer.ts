/**
 * What an executor outside this process needs of a study: training one sub-run by its id from
 * the study's resolved config as plain JSON, exactly as the study's own run trains it here. A
 * worker holds one trainer per study key (`SubRunTrainers`); a job names the study, carries the
 * config and the sub-run id, and the worker's trainer rebuilds the study's data and grid (once
 * per config), finds the sub-run and trains it. `fingerprint` is a hash of the data the config
 * loads on this machine: the coordinator's and the worker's must agree. A study whose later
 * sub-runs start from models earlier ones trained (the transfer study's fine-tuning runs from its
 * pre-training, the end-to-end study's hybrids from their pipeline) says so (`files`): its
 * trainer writes and reads those models in the sub-run store's directories (`dir`), which a worker
 * on another machine reaches through a shared directory at the same path, and the study submits
 * such sub-runs in stages (the ones they start from first).
 *
 * @example
 * const trainers: SubRunTrainers = { mtl: mtlSubRunTrainer };
 * const outcome = await trainers.mtl!.train(config, 'pcgrad-seed0', { signal, onActivity: (a) => log(a.epoch) });
 */

import { createHash } from 'node:crypto';

/** Training progress of one sub-run, as a worker reports it to the coordinator. */
export interface SubRunActivity {
  /** 0-based epoch under way, and the epochs in all. */
  epoch?: number;
  epochs?: number;
  step?: number;
  steps?: number | null;
  loss?: number;
}

/** What training one sub-run by id is given besides the config and the id. */
export interface SubRunTrainContext {
  /** Stops the training after its current step (StoppedError). */
  signal?: AbortSignal | undefined;
  /** Hears the training's progress (every step; callers thin it out). */
  onActivity?: ((activity: SubRunActivity) => void) | undefined;
  /**
   * The directory of sub-run `id`'s own files in the study's sub-run store (created if missing):
   * where a sub-run leaves the model later ones start from, and finds the one it starts from.
   * Absent: the study has no store.
   */
  dir?: ((id: string) => string) | undefined;
}

/**
 * One study's sub-runs, trainable by id from its config.
 *
 * @example
 * const known = mtlSubRunTrainer.ids(config);          // ['single:left-seed0', ...]
 * await mtlSubRunTrainer.train(config, known[0]!, {});
 */
export interface SubRunTrainer {
  /** The grid's sub-run ids, in grid order. */
  ids(config: unknown): string[] | Promise<string[]>;
  /** A hash of the data `config` loads here. */
  fingerprint(config: unknown): string | Promise<string>;
  /**
   * Whether sub-runs read or write files in the store's directories (`SubRunTrainContext.dir`):
   * then a worker refuses a job whose store directory it cannot reach.
   */
  readonly files?: boolean;
  /** Trains sub-run `id` and resolves with its record (what the study records for it). */
  train(config: unknown, id: string, ctx: SubRunTrainContext): Promise<unknown>;
}

/** Sub-run trainers by study key ('mtl', ...). */
export type SubRunTrainers = Readonly<Record<string, SubRunTrainer>>;

/**
 * A SHA-256 (hex) of data as a worker loads it: labels and typed arrays in order, each array by
 * its bytes, so that two machines agree exactly when they loaded the same values.
 *
 * @example
 * dataDigest(['test', 200, test.features, test.labels]);
 */
export function dataDigest(parts: readonly (string | number | ArrayBufferView)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (typeof part === 'string' || typeof part === 'number') hash.update(`${part};`);
    else hash.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  }
  return hash.digest('hex');
}
