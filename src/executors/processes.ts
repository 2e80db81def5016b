/**
 * The `processes` executor (`--workers N`): N child processes on this machine train the study's
 * pending sub-runs side by side, each by its id from the study's resolved config (the study's
 * SubRunTrainer in the child), and the study's process records their results as they come. A
 * child that dies mid-job is replaced and the sub-run trained again from its start, up to
 * `attempts` times in all; a sub-run that fails in training (an error the trainer threw) or is
 * refused ends the study with a SubRunFailedError naming it.
 *
 * @example
 * const executor = new ProcessExecutor({ workers: 2, entry: WORKER_CHILD, study });
 * try { await runMtlStudy(config, onProgress, { executor, subRuns }); } finally { await executor.close(); }
 */
import type { SubRunContext } from '../study/index.js';
import { StoppedError, unpackState } from '../train/index.js';
import { JobFailedError, SubRunFailedError, WorkerLostError } from './errors.js';
import { subRunJob } from './job.js';
import { ProcessPool } from './process-pool.js';
import type { ClosableExecutor, RemoteStudy, WorkerEvent } from './types.js';

export interface ProcessExecutorOptions {
  workers: number;
  /** The child's entry module (a file that calls serveChild with the study trainers). */
  entry: string;
  study: RemoteStudy;
  /** Kernel threads per child (default: the cores shared out). */
  threads?: number | undefined;
  /** Tries of a sub-run whose worker died. Default 3. */
  attempts?: number;
  onWorkerEvent?: ((event: WorkerEvent) => void) | undefined;
}

/** Trains sub-runs in N child processes (see the module comment). */
export class ProcessExecutor implements ClosableExecutor {
  readonly name: string;
  readonly slots: number;
  readonly #pool: ProcessPool;

  constructor(readonly options: ProcessExecutorOptions) {
    this.slots = options.workers;
    this.name = `processes (${options.workers} workers)`;
    this.#pool = new ProcessPool({ size: options.workers, entry: options.entry, threads: options.threads });
  }

  async execute(run: { readonly id: string }, ctx: SubRunContext): Promise<unknown> {
    const { study, onWorkerEvent: report } = this.options;
    const attempts = this.options.attempts ?? 3;
    const job = subRunJob({ ...study, subRun: run.id });
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.#pool.run(job, {
          signal: ctx.signal,
          onStart: (worker) => {
            ctx.onWorker?.(worker);
            report?.({ kind: 'start', worker, subRun: run.id });
          },
          onActivity: (worker, activity) => report?.({ kind: 'activity', worker, subRun: run.id, activity }),
        });
        ctx.onWorker?.(outcome.worker, outcome.seconds);
        return unpackState(outcome.result, {});
      } catch (err) {
        if (err instanceof StoppedError) throw err;
        if (err instanceof WorkerLostError && attempt < attempts) {
          report?.({ kind: 'retry', worker: err.worker, subRun: run.id, attempt: attempt + 1, reason: err.message });
          continue;
        }
        if (err instanceof WorkerLostError)
          throw new SubRunFailedError(study.study, run.id, attempt, err.worker, err.message);
        if (err instanceof JobFailedError) throw new SubRunFailedError(study.study, run.id, 1, null, err.message);
        throw err;
      }
    }
  }

  /**
   * Ends the child processes.
   *
   * @example
   * await executor.close();
   */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
