/**
 * What an executor outside this process needs of a study: training one sub-run by its id from
 * the study's resolved config as plain JSON, exactly as the study's own run trains it here. A
 * worker holds one trainer per study key (`SubRunTrainers`); a job names the study, carries the
 * config and the sub-run id, and the worker's trainer rebuilds the study's data and grid (once
 * per config), finds the sub-run and trains it. `fingerprint` is a hash of the data the config
 * loads on this machine: the coordinator's and the worker's must agree.
 *
 * @example
 * const trainers: SubRunTrainers = { mtl: mtlSubRunTrainer };
 * const outcome = await trainers.mtl!.train(config, 'pcgrad-seed0', { signal, onActivity: (a) => log(a.epoch) });
 */

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
  ids(config: unknown): string[];
  /** A hash of the data `config` loads here. */
  fingerprint(config: unknown): string;
  /** Trains sub-run `id` and resolves with its record (what the study records for it). */
  train(config: unknown, id: string, ctx: SubRunTrainContext): Promise<unknown>;
}

/** Sub-run trainers by study key ('mtl', ...). */
export type SubRunTrainers = Readonly<Record<string, SubRunTrainer>>;
