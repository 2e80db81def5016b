/**
 * The `bullmq` executor (`--redis URL`): the study's pending sub-runs become jobs in a BullMQ
 * queue on Redis, `polytask worker` processes on any machine train them (worker.ts), and this
 * process collects the results and records them, so the result is the one the local executor
 * gives. It watches its jobs by polling their state:
 * - a completed job's result is taken once (the study's runner records it);
 * - a job Redis no longer knows (Redis restarted without its data) is submitted again;
 * - a job retried after a failure or a dead worker is reported; one that failed `attempts` times
 *   (or was refused by a worker) ends the study with a SubRunFailedError naming it;
 * - while Redis is away, commands wait for it (the study resumes when it is back).
 * A stop (Ctrl-C) leaves the jobs in the queue: `--resume RUN` finds them again by their ids,
 * takes the results of those done, and submits again those that failed (after a fix).
 *
 * @example
 * const executor = new BullmqExecutor({ redis: 'redis://127.0.0.1:6379', study });
 * try { await runMtlStudy(config, onProgress, { executor, subRuns }); } finally { await executor.close(); }
 */
import { Queue } from 'bullmq';
import type { SubRunContext } from '../study/index.js';
import { StoppedError, unpackState } from '../train/index.js';
import { DEFAULT_ATTEMPTS, DEFAULT_QUEUE, jobIdOf, jobProgressOf } from './bullmq-jobs.js';
import { SubRunFailedError } from './errors.js';
import { isSubRunJob, isSubRunJobResult, subRunJob, type SubRunJob } from './job.js';
import { redactRedisUrl, redisOptions } from './redis-url.js';
import type { ClosableExecutor, RemoteStudy, WorkerEvent } from './types.js';

export interface BullmqExecutorOptions {
  /** redis://[user:password@]host[:port][/db] or rediss://... */
  redis: string;
  queue?: string | undefined;
  study: RemoteStudy;
  /** Tries of a sub-run. Default 3. */
  attempts?: number | undefined;
  /** Milliseconds between looks at the jobs' states. Default 100. */
  pollMs?: number | undefined;
  onWorkerEvent?: ((event: WorkerEvent) => void) | undefined;
}

interface Pending {
  job: SubRunJob;
  ctx: SubRunContext;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
  worker: string | null;
  /** Last activity reported, as text, so that unchanged progress is not reported again. */
  shown: string;
  attempts: number;
}

/** Trains sub-runs on BullMQ workers (see the module comment). */
export class BullmqExecutor implements ClosableExecutor {
  readonly name: string;
  readonly slots = Number.POSITIVE_INFINITY;
  readonly #queue: Queue;
  readonly #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | null = null;
  #redisDown = false;

  constructor(readonly options: BullmqExecutorOptions) {
    this.name = `bullmq (${redactRedisUrl(options.redis)}, queue ${options.queue ?? DEFAULT_QUEUE})`;
    this.#queue = new Queue(options.queue ?? DEFAULT_QUEUE, { connection: redisOptions(options.redis) });
    this.#queue.on('error', (err) => this.#down(err));
  }

  #down(err: Error): void {
    if (this.#redisDown) return;
    this.#redisDown = true;
    this.options.onWorkerEvent?.({
      kind: 'waiting',
      reason: `Redis at ${redactRedisUrl(this.options.redis)} unreachable (${err.message}); waiting for it`,
    });
  }

  /**
   * Submits the job of a sub-run, or re-attaches to the one a previous coordinator of this run
   * submitted: kept as it is when it is done or under way (its result is taken), replaced when it
   * failed (a resume after a fix tries it afresh) or waits with another code version's stamp.
   */
  async #attach(id: string, job: SubRunJob): Promise<void> {
    const existing = await this.#queue.getJob(id);
    if (existing !== undefined) {
      const state = await existing.getState();
      const data: unknown = existing.data;
      const stale = !isSubRunJob(data) || data.codeVersion !== job.codeVersion;
      if (state === 'completed' || state === 'active' || !(state === 'failed' || stale)) return;
      await existing.remove();
    }
    await this.#submit(id, job);
  }

  async #submit(id: string, job: SubRunJob): Promise<void> {
    await this.#queue.add(job.subRun, job, {
      jobId: id,
      attempts: this.options.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'fixed', delay: 200 },
      removeOnComplete: false,
      removeOnFail: false,
    });
  }

  async execute(run: { readonly id: string }, ctx: SubRunContext): Promise<unknown> {
    const { study } = this.options;
    if (ctx.signal?.aborted === true) throw new StoppedError(`sub-run '${run.id}'`, 0);
    const id = jobIdOf(study.runId, run.id);
    const job = subRunJob({ ...study, subRun: run.id });
    await this.#attach(id, job);
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        this.#pending.delete(id);
        reject(new StoppedError(`sub-run '${run.id}'`, 0));
      };
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      const done =
        <T>(settle: (v: T) => void) =>
        (v: T): void => {
          ctx.signal?.removeEventListener('abort', onAbort);
          this.#pending.delete(id);
          settle(v);
        };
      this.#pending.set(id, {
        job,
        ctx,
        resolve: done(resolve),
        reject: done(reject),
        worker: null,
        shown: '',
        attempts: 0,
      });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#timer !== null || this.#pending.size === 0) return;
    this.#timer = setTimeout(() => {
      void this.#poll().finally(() => {
        this.#timer = null;
        this.#schedule();
      });
    }, this.options.pollMs ?? 100);
  }

  async #poll(): Promise<void> {
    try {
      await Promise.all([...this.#pending].map(([id, p]) => this.#look(id, p)));
      if (this.#redisDown) {
        this.#redisDown = false;
        this.options.onWorkerEvent?.({
          kind: 'waiting',
          reason: `Redis at ${redactRedisUrl(this.options.redis)} is back`,
        });
      }
    } catch (err) {
      this.#down(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async #look(id: string, p: Pending): Promise<void> {
    const report = this.options.onWorkerEvent;
    const subRun = p.job.subRun;
    // the state first: a job read before it completed would lack its return value
    const state = await this.#queue.getJobState(id);
    const job = state === 'unknown' ? undefined : await this.#queue.getJob(id);
    if (job === undefined) {
      report?.({
        kind: 'retry',
        worker: p.worker,
        subRun,
        attempt: p.attempts + 1,
        reason: 'Redis no longer holds the job (restarted without its data?); submitted again',
      });
      await this.#submit(id, p.job);
      return;
    }
    const progress = jobProgressOf(job.progress);
    if (progress !== null && progress.worker !== p.worker) {
      p.worker = progress.worker;
      p.ctx.onWorker?.(progress.worker);
      report?.({ kind: 'start', worker: progress.worker, subRun });
    }
    if (state === 'completed') {
      const value: unknown = job.returnvalue;
      if (!isSubRunJobResult(value)) {
        p.reject(
          new SubRunFailedError(
            study(this),
            subRun,
            1,
            p.worker,
            'its worker returned something that is not a sub-run result',
          ),
        );
        return;
      }
      p.ctx.onWorker?.(value.worker, value.seconds);
      p.resolve(unpackState(value.result, {}));
      return;
    }
    if (state === 'failed') {
      p.reject(new SubRunFailedError(study(this), subRun, job.attemptsMade, p.worker, job.failedReason));
      return;
    }
    if (job.attemptsMade > p.attempts) {
      p.attempts = job.attemptsMade;
      report?.({ kind: 'retry', worker: p.worker, subRun, attempt: p.attempts + 1, reason: job.failedReason });
    }
    if (state === 'active' && progress !== null) {
      const shown = JSON.stringify([progress.activity.epoch, progress.activity.step]);
      if (shown !== p.shown) {
        p.shown = shown;
        report?.({ kind: 'activity', worker: progress.worker, subRun, activity: progress.activity });
      }
    }
  }

  /**
   * Stops watching and closes the connection; the jobs stay in the queue.
   *
   * @example
   * await executor.close();
   */
  async close(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const p of this.#pending.values()) p.reject(new StoppedError(`sub-run '${p.job.subRun}'`, 0));
    await this.#queue.close();
  }
}

function study(executor: BullmqExecutor): string {
  return executor.options.study.study;
}
