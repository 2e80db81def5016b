/**
 * Where a pending sub-run is trained. The runner (runner.ts) decides what to train and records the
 * result; an executor only runs the training: here in this process (`localExecutor`), or, in an
 * executor of its own (src/executors/), in worker processes or on a queue, which trains the
 * sub-run by its id from the study's resolved config. The runner hands an executor up to `slots`
 * pending sub-runs at once and takes their results in any order; it checks each result against
 * the study's record type, so a result that crossed a process or a network is checked as a
 * stored record is.
 *
 * @example
 * const inline: Executor = { execute: (run, ctx, train) => train(run, ctx) };
 * await runSubRuns(grid, { executor: inline, isRecord, train });
 */

/** What the training of one sub-run is given besides its spec. */
export interface SubRunContext {
  /** The sub-run's 0-based place among the runner's sub-runs, and their number. */
  index: number;
  total: number;
  /** The study's abort signal: training stops after its current step (StoppedError). */
  signal: AbortSignal | undefined;
  /** The sub-run's own directory in the store (created on first call); null without a store. */
  dir(): string | null;
  /**
   * Told by the executor which worker trains the sub-run and, once it is done, the seconds it
   * trained there (both kept beside its record; without seconds, the runner's own timing is kept).
   */
  onWorker?(worker: string, seconds?: number): void;
}

/**
 * Trains pending sub-runs. `train` is the study's own training of `run`; an executor may call it
 * (in process) or train the sub-run `run.id` elsewhere, resolving with its result.
 *
 * @example
 * const result = await localExecutor.execute({ id: 'ew-seed0', spec }, ctx, trainOne);
 */
export interface Executor {
  /** Sub-runs the executor trains at once. Default: 1 (one after another, in grid order). */
  readonly slots?: number;
  execute<Spec>(
    run: { readonly id: string; readonly spec: Spec },
    ctx: SubRunContext,
    train: (run: { readonly id: string; readonly spec: Spec }, ctx: SubRunContext) => Promise<unknown>,
  ): Promise<unknown>;
}

/**
 * Trains each sub-run here, in this process, when the runner asks.
 *
 * @example
 * await localExecutor.execute(run, ctx, train); // the same as train(run, ctx)
 */
export const localExecutor: Executor = {
  slots: 1,
  execute: (run, ctx, train) => {
    ctx.onWorker?.('local');
    return train(run, ctx);
  },
};
