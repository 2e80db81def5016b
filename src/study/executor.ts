/**
 * Where a pending sub-run is trained. The runner (runner.ts) decides what to train and records the
 * result; an executor only runs the training: here in this process (`localExecutor`), or, in an
 * executor of its own, in worker processes or on a queue, dispatching on the sub-run's id and spec.
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
}

/**
 * Trains pending sub-runs. `train` is the study's own training of `run`; an executor may call it
 * (in process) or train `run.spec` elsewhere, resolving with the same result.
 *
 * @example
 * const result = await localExecutor.execute({ id: 'ew-seed0', spec }, ctx, trainOne);
 */
export interface Executor {
  execute<Spec, R>(run: { readonly id: string; readonly spec: Spec }, ctx: SubRunContext, train: (run: { readonly id: string; readonly spec: Spec }, ctx: SubRunContext) => Promise<R>): Promise<R>;
}

/**
 * Trains each sub-run here, in this process, when the runner asks.
 *
 * @example
 * await localExecutor.execute(run, ctx, train); // the same as train(run, ctx)
 */
export const localExecutor: Executor = {
  execute: (run, ctx, train) => train(run, ctx),
};
