/**
 * The sub-run runner every study shares. A study is a grid of independent, separately seeded
 * training runs (sub-runs), each with a stable id; for each one in order the runner
 * 1. looks its id up in the sub-run store: a record there is checked once against the record
 *    type (`isRecord`) and taken as the sub-run's result (resume);
 * 2. otherwise stops with a StoppedError if the study's signal is aborted, else hands the
 *    training to the executor (local by default) and records the result it returns;
 * 3. reports what happened: 'recorded' (taken from the store), 'start' (before training) and
 *    'done' (after recording, so an error thrown by the listener keeps the sub-run).
 * `runSubRuns` hands the executor as many pending sub-runs at once as it has slots (the local
 * executor: one, in grid order, as a plain loop would) and returns the results in grid order,
 * whatever order they finish in. When one fails, no further sub-run starts, those under way are
 * awaited (and recorded when they finish), and the first error is thrown.
 * A sub-run the signal cut short rejects with the trainer's StoppedError and is not recorded; a
 * resume trains it again from its start.
 *
 * @example
 * const grid = seeds.map((seed) => ({ id: `ew-seed${seed}`, spec: { seed } }));
 * const outcomes = await runSubRuns(grid, {
 *   store, signal, isRecord: isOutcome,
 *   train: (run, ctx) => trainOne(run.spec.seed, ctx.signal),
 *   onEvent: (e) => { if (e.kind === 'done') log(`${e.run.id}: ${e.seconds} s`); },
 * });
 */
import { performance } from 'node:perf_hooks';
import { ValueError } from '../core/errors.js';
import { StoppedError } from '../train/index.js';
import { localExecutor, type Executor, type SubRunContext } from './executor.js';
import type { SubRunStore } from './sub-runs.js';

/** One sub-run of a study's grid: its stable id (its record's name) and what it trains. */
export interface SubRun<Spec> {
  readonly id: string;
  readonly spec: Spec;
}

/** Says whether a stored value is a record of the study's type. */
export type RecordGuard<R> = (value: unknown) => value is R;

/** Trains one pending sub-run and returns what is recorded for it (plain JSON-like data). */
export type TrainSubRun<Spec, R> = (run: SubRun<Spec>, ctx: SubRunContext) => Promise<R>;

/** What the runner reports; `index` is 0-based among the runner's sub-runs, of `total`. */
export type SubRunEvent<Spec, R> =
  | { kind: 'recorded'; run: SubRun<Spec>; index: number; total: number; result: R }
  | { kind: 'start'; run: SubRun<Spec>; index: number; total: number }
  | { kind: 'done'; run: SubRun<Spec>; index: number; total: number; result: R; seconds: number; worker: string };

export interface SubRunnerOptions<Spec, R> {
  /** Where finished sub-runs are recorded and found again; without it nothing is recorded. */
  store?: SubRunStore | undefined;
  /** Stops the study: no sub-run starts once it is aborted, and the one under way stops. */
  signal?: AbortSignal | undefined;
  /** Where pending sub-runs are trained. Default: here, one after another (localExecutor). */
  executor?: Executor | undefined;
  /** Checks a stored record's shape once, as it is taken. */
  isRecord: RecordGuard<R>;
  /** Number of sub-runs the events count against. Default for runSubRuns: the grid's length. */
  total?: number;
  onEvent?: (event: SubRunEvent<Spec, R>) => void;
}

/**
 * Runs sub-runs one at a time against a store, for studies whose grid unfolds as it goes (a
 * sub-run that depends on the model an earlier one trained): each `run` call is one sub-run.
 *
 * @example
 * const runner = new SubRunner<Spec, { error: number }>({ store, signal, isRecord: isErrorRecord, total: 9 });
 * const { error } = await runner.run({ id: 'seed0-pipeline', spec }, trainPipeline);
 */
export class SubRunner<Spec, R> {
  #index = 0;

  constructor(readonly options: SubRunnerOptions<Spec, R>) {}

  /**
   * The recorded result of sub-run `id`, checked against the record type; undefined when none.
   *
   * @example
   * runner.recorded('seed0-pipeline') !== undefined;
   */
  recorded(id: string): R | undefined {
    const value = this.options.store?.get(id);
    if (value === undefined) return undefined;
    if (!this.options.isRecord(value))
      throw new ValueError(
        `sub-run '${id}'`,
        'its record does not hold the result this study records; delete the record to train it again',
      );
    return value;
  }

  /**
   * Takes sub-run `run`'s record, or trains it with `train` (through the executor) and records it.
   *
   * @example
   * const out = await runner.run({ id: 'ew-seed0', spec }, (r, ctx) => trainOne(r.spec, ctx.signal));
   */
  async run(run: SubRun<Spec>, train: TrainSubRun<Spec, R>): Promise<R> {
    const { store, signal, onEvent } = this.options;
    const index = this.#index++;
    const total = this.options.total ?? index + 1;
    const known = this.recorded(run.id);
    if (known !== undefined) {
      onEvent?.({ kind: 'recorded', run, index, total, result: known });
      return known;
    }
    if (signal?.aborted === true) throw new StoppedError(`sub-run '${run.id}'`, 0);
    onEvent?.({ kind: 'start', run, index, total });
    const started = performance.now();
    const ran: { worker: string; seconds: number | null } = { worker: 'local', seconds: null };
    const ctx: SubRunContext = {
      index,
      total,
      signal,
      dir: () => (store === undefined ? null : store.dir(run.id)),
      onWorker: (worker, seconds) => {
        ran.worker = worker;
        ran.seconds = seconds ?? ran.seconds;
      },
    };
    const result = await (this.options.executor ?? localExecutor).execute(run, ctx, train);
    if (!this.options.isRecord(result))
      throw new ValueError(
        `sub-run '${run.id}'`,
        `the ${ran.worker} worker returned something that is not the result this study records`,
      );
    const seconds = (performance.now() - started) / 1000;
    store?.put(run.id, result, { worker: ran.worker, seconds: ran.seconds ?? seconds });
    onEvent?.({ kind: 'done', run, index, total, result, seconds, worker: ran.worker });
    return result;
  }
}

/**
 * Runs a study's grid of sub-runs (see the module comment), as many at once as the executor has
 * slots, and returns their results aligned with the grid.
 *
 * @example
 * const errors = await runSubRuns(grid, { store, signal, isRecord: isErrorRecord, train });
 */
export async function runSubRuns<Spec, R>(
  grid: readonly SubRun<Spec>[],
  options: SubRunnerOptions<Spec, R> & { train: TrainSubRun<Spec, R> },
): Promise<R[]> {
  const runner = new SubRunner<Spec, R>({ ...options, total: options.total ?? grid.length });
  const results = new Map<number, R>();
  const failures: unknown[] = [];
  let next = 0;
  // each lane takes the next sub-run of the grid when its last one finishes
  const lane = async (): Promise<void> => {
    while (failures.length === 0 && next < grid.length) {
      const k = next++;
      try {
        results.set(k, await runner.run(grid[k]!, options.train));
      } catch (err) {
        failures.push(err);
      }
    }
  };
  const slots = Math.max(1, Math.min(options.executor?.slots ?? 1, grid.length));
  await Promise.all(Array.from({ length: slots }, lane));
  if (failures.length > 0) throw failures[0];
  return grid.map((run, k) => {
    const result = results.get(k);
    if (result === undefined) throw new ValueError(`sub-run '${run.id}'`, 'has no result after the grid ran');
    return result;
  });
}
