/**
 * A queue worker (`polytask worker --redis URL`): takes sub-run jobs from the BullMQ queue and
 * trains each in a child process of its own pool (process-pool.ts), `concurrency` at a time, so
 * that the training never holds up the renewal of the job's lock. Before a job reaches a child
 * it is checked (refusal.ts): a study this worker cannot train, another code version or backend
 * fail it at once and for good (BullMQ's UnrecoverableError), as does another data fingerprint,
 * checked by the child once the data is loaded. A worker killed mid-job leaves its job's lock to
 * expire; BullMQ's stall detection (any worker's, every `stalledMs`) puts the job back, and
 * another worker trains it again from its start. The result goes back to the coordinator in the
 * job's return value; the worker writes no record.
 *
 * @example
 * const worker = new QueueWorker({ redis: 'redis://queue-host:6379', concurrency: 2, entry: WORKER_CHILD, trainers: STUDY_TRAINERS });
 * process.once('SIGINT', () => void worker.close());
 * await worker.closed;
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { getBackend } from '../backend/registry.js';
import type { SubRunTrainers } from '../study/index.js';
import { DEFAULT_QUEUE, type JobProgress } from './bullmq-jobs.js';
import { codeVersion } from './code-version.js';
import { JobFailedError } from './errors.js';
import { isSubRunJob, type SubRunJobResult } from './job.js';
import { ProcessPool } from './process-pool.js';
import { redactRedisUrl, redisOptions } from './redis-url.js';
import { refusal } from './refusal.js';

export interface QueueWorkerOptions {
  redis: string;
  queue?: string | undefined;
  /** Jobs trained at once (one child process each). Default 1. */
  concurrency?: number | undefined;
  /** Kernel threads per child (default: the cores shared out). */
  threads?: number | undefined;
  /** The child's entry module. */
  entry: string;
  trainers: SubRunTrainers;
  /** Only jobs of this study run; others are refused. */
  runId?: string | undefined;
  /** How long a job's lock lasts without renewal (ms). Default 30 000; a dead worker's job waits about this long. */
  lockMs?: number | undefined;
  /** How often stalled jobs are looked for (ms). Default: lockMs. */
  stalledMs?: number | undefined;
  /** Hears what the worker does, one line each. */
  onLog?: ((line: string) => void) | undefined;
}

/** A BullMQ worker training polytask sub-run jobs (see the module comment). */
export class QueueWorker {
  readonly name = `${hostname()}:${process.pid}`;
  readonly #worker: Worker;
  readonly #pool: ProcessPool;
  readonly #closed: Promise<void>;
  #close: () => void = () => undefined;

  constructor(readonly options: QueueWorkerOptions) {
    const concurrency = options.concurrency ?? 1;
    const lockMs = options.lockMs ?? 30_000;
    this.#pool = new ProcessPool({ size: concurrency, entry: options.entry, threads: options.threads });
    this.#closed = new Promise((resolve) => {
      this.#close = resolve;
    });
    this.#worker = new Worker(options.queue ?? DEFAULT_QUEUE, (job) => this.#process(job), {
      connection: redisOptions(options.redis),
      concurrency,
      lockDuration: lockMs,
      stalledInterval: options.stalledMs ?? lockMs,
      maxStalledCount: 2,
    });
    let down = false;
    this.#worker.on('error', (err) => {
      if (down) return;
      down = true;
      options.onLog?.(`Redis at ${redactRedisUrl(options.redis)}: ${err.message}; waiting for it`);
    });
    this.#worker.on('ready', () => {
      if (down) options.onLog?.(`Redis at ${redactRedisUrl(options.redis)} is back`);
      down = false;
    });
    this.#worker.on('failed', (job, err) => options.onLog?.(`${job?.data.subRun ?? '?'} failed: ${err.message}`));
  }

  /** Resolves once the worker is closed. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  async #process(job: Job): Promise<SubRunJobResult> {
    const data: unknown = job.data;
    if (!isSubRunJob(data)) throw new UnrecoverableError(`job ${job.id ?? '?'} is not a polytask sub-run job`);
    const refused = refusal(data, this.options.trainers, {
      codeVersion: codeVersion(),
      backend: getBackend().name,
      runId: this.options.runId ?? null,
    });
    if (refused !== null) throw new UnrecoverableError(refused);
    const log = this.options.onLog;
    try {
      const outcome = await this.#pool.run(data, {
        onStart: (worker) => {
          log?.(`${data.study} ${data.subRun} (run ${data.runId}) on ${worker}`);
          void job.updateProgress({ worker, activity: {} } satisfies JobProgress).catch(() => undefined);
        },
        onActivity: (worker, activity) => {
          void job.updateProgress({ worker, activity } satisfies JobProgress).catch(() => undefined);
        },
      });
      log?.(`${data.subRun} done on ${outcome.worker} in ${outcome.seconds.toFixed(1)} s`);
      return outcome;
    } catch (err) {
      if (err instanceof JobFailedError && err.refused) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  /**
   * Stops taking jobs and ends the child processes (a job under way is left to BullMQ's stall
   * detection, which hands it to another worker).
   *
   * @example
   * process.once('SIGTERM', () => void worker.close());
   */
  async close(): Promise<void> {
    await Promise.all([this.#worker.close(true), this.#pool.close(500)]);
    this.#close();
  }
}
