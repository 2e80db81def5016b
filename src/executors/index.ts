/**
 * executors: where a study's sub-runs are trained. The runner (src/study/runner.ts) hands pending
 * sub-runs to one Executor: `localExecutor` (here, one after another), `ProcessExecutor` (N child
 * processes on this machine) or `BullmqExecutor` (workers on any machine, through a Redis queue,
 * served by `polytask worker`). Each trains a sub-run by its id from the study's resolved config
 * with the study's own SubRunTrainer, and the study's process records the results, so the result
 * is the same whatever executed it.
 *
 * @example
 * import { ProcessExecutor } from './executors/index.js';
 * const executor = new ProcessExecutor({ workers: 2, entry, study });
 */
export { localExecutor } from '../study/index.js';
export { ProcessExecutor, type ProcessExecutorOptions } from './processes.js';
export { ProcessPool, type ProcessPoolOptions, type PoolJobOptions } from './process-pool.js';
export { serveChild } from './child.js';
export { codeVersion } from './code-version.js';
export { subRunJob, isSubRunJob, isSubRunJobResult, type SubRunJob, type SubRunJobResult } from './job.js';
export { refusal, fingerprintRefusal, storeRefusal, type WorkerIdentity } from './refusal.js';
export { JobFailedError, WorkerLostError, SubRunFailedError } from './errors.js';
export type { RemoteStudy, WorkerEvent, ClosableExecutor } from './types.js';
export { redisOptions, redactRedisUrl, type RedisConnection } from './redis-url.js';
export { BullmqExecutor, type BullmqExecutorOptions } from './bullmq.js';
export { QueueWorker, type QueueWorkerOptions } from './worker.js';
export { DEFAULT_QUEUE, DEFAULT_ATTEMPTS, jobIdOf } from './bullmq-jobs.js';
