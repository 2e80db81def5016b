/**
 * `polytask worker --redis URL`: trains sub-runs of studies that other machines (or this one)
 * run with `polytask study ... --redis URL`, until Ctrl-C or SIGTERM. Each job runs in a child
 * process (`--concurrency` of them, `--threads` kernel threads each); the worker needs the same
 * data as the coordinator (same paths, or a shared directory: a job whose data fingerprint differs
 * is refused), the same build of polytask (a job of another code version is refused) and the
 * same backend. The URL is shown redacted; give it as $POLYTASK_REDIS to keep the password out of
 * the process list.
 *
 * @example
 * polytask worker --redis redis://queue-host:6379 --concurrency 2 --threads 4
 * POLYTASK_REDIS=rediss://poly:secret@cache.lan:6380/1 polytask worker
 */
import type { Command } from 'commander';
import { QueueWorker, redactRedisUrl, redisOptions, DEFAULT_QUEUE } from '../../executors/index.js';
import { contextOf, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { STUDY_TRAINERS } from '../studies/trainers.js';
import { positiveInt } from '../study-executor.js';
import { WORKER_CHILD } from '../worker-entry.js';
import { atPrecision, parsePrecisionFlag } from '../precision.js';

interface WorkerFlags {
  redis?: string;
  queue?: string;
  concurrency: string;
  threads?: string;
  run?: string;
  lockMs?: string;
  precision?: string;
}

async function runWorker(flags: WorkerFlags, cmd: Command): Promise<void> {
  const { out } = contextOf(cmd);
  const redis = flags.redis ?? process.env.POLYTASK_REDIS;
  if (redis === undefined) throw new CliError('worker: give --redis URL (or set $POLYTASK_REDIS)');
  redisOptions(redis);
  const precision = parsePrecisionFlag(flags.precision);
  await atPrecision(precision, () => serve(flags, redis, out));
}

async function serve(flags: WorkerFlags, redis: string, out: CliContext['out']): Promise<void> {
  const worker = new QueueWorker({
    redis,
    queue: flags.queue,
    entry: WORKER_CHILD,
    trainers: STUDY_TRAINERS,
    runId: flags.run,
    concurrency: positiveInt('--concurrency', flags.concurrency),
    threads: flags.threads === undefined ? undefined : positiveInt('--threads', flags.threads),
    lockMs: flags.lockMs === undefined ? undefined : positiveInt('--lock-ms', flags.lockMs),
    onLog: (line) => out.note(`worker ${process.pid}: ${line}`),
  });
  out.note(
    `worker ${worker.name}: serving the queue ${flags.queue ?? DEFAULT_QUEUE} on ${redactRedisUrl(redis)} (${Object.keys(STUDY_TRAINERS).join(', ')} studies); Ctrl-C stops it`,
  );
  const stop = (): void => {
    void worker.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await worker.closed;
  out.note(`worker ${worker.name}: stopped`);
}

/**
 * Adds `worker`.
 *
 * @example
 * registerWorkerCommand(program);
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('train sub-runs of studies run with --redis, from their Redis queue')
    .option('--redis <url>', 'redis://[user:pass@]host[:port][/db] or rediss:// (TLS); default $POLYTASK_REDIS')
    .option('--queue <name>', `the queue (default ${DEFAULT_QUEUE})`)
    .option('--concurrency <n>', 'jobs trained at once, one child process each', '1')
    .option('--threads <n>', 'kernel threads per job (default: the cores shared out)')
    .option('--run <run>', 'train jobs of this study run only')
    .option('--precision <p>', 'fp32 (default) or bf16: matmuls and convolutions in bf16 mixed precision')
    .option(
      '--lock-ms <ms>',
      "job lock duration: how long a killed worker's job waits before another takes it (default 30000)",
    )
    .action((flags: WorkerFlags, cmd: Command) => runWorker(flags, cmd));
}
