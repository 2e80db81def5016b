/**
 * The executor a `polytask study` command trains its sub-runs with: here (no flag), N worker
 * processes on this machine (`--workers N`), or workers on a Redis queue (`--redis URL`, or
 * $POLYTASK_REDIS so the password stays out of the command line). What the workers do is noted
 * one line per event: a sub-run taken by a worker, each epoch it starts, a retry, Redis away and
 * back. The Redis URL is only ever shown redacted.
 *
 * @example
 * const executor = (await studyExecutor({ workers: '2' }, 'mtl', out)?.({ runId: run.id, config, subRuns: store.root })) ?? null;
 * try { ... } finally { await executor?.close(); }
 */
import { resolve } from 'node:path';
import {
  BullmqExecutor,
  DEFAULT_QUEUE,
  ProcessExecutor,
  redactRedisUrl,
  redisOptions,
  type ClosableExecutor,
  type WorkerEvent,
} from '../executors/index.js';
import { packState } from '../train/index.js';
import { CliError } from './errors.js';
import type { Output } from './output.js';
import { STUDY_TRAINERS } from './studies/trainers.js';
import { WORKER_CHILD } from './worker-entry.js';

/** The study run an executor is made for: its id, resolved config and sub-run store directory. */
export interface StudyRunRef {
  runId: string;
  config: unknown;
  subRuns: string;
}

/** The flags that choose the executor. */
export interface ExecutorFlags {
  workers?: string | undefined;
  redis?: string | undefined;
  queue?: string | undefined;
}

/**
 * The executor a study config file names under `executor:` ('local', `{ workers: N }`, or
 * `{ redis: URL, queue?: NAME }`) as the flags that say the same; undefined gives no flags.
 * Flags on the command line take precedence over it.
 *
 * @example
 * executorFromConfig({ workers: 2 }, 'study.yaml'); // { workers: '2' }
 */
export function executorFromConfig(value: unknown, file: string): ExecutorFlags {
  const expected = `executor in ${file}: expected 'local', { workers: N } or { redis: URL, queue: NAME (optional) }`;
  if (value === undefined || value === 'local') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError(`${expected}, found ${JSON.stringify(value)}`);
  const entries = new Map(Object.entries(value));
  const extra = [...entries.keys()].filter((k) => !['workers', 'redis', 'queue'].includes(k));
  if (extra.length > 0) throw new CliError(`${expected}; unknown key ${extra.map((k) => `"${k}"`).join(', ')}`);
  const workers = entries.get('workers');
  const redis = entries.get('redis');
  const queue = entries.get('queue');
  if (workers !== undefined && (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1))
    throw new CliError(`${expected}; workers must be a positive whole number`);
  if (redis !== undefined && typeof redis !== 'string') throw new CliError(`${expected}; redis must be a URL`);
  if (queue !== undefined && typeof queue !== 'string') throw new CliError(`${expected}; queue must be a name`);
  if ((workers === undefined) === (redis === undefined)) throw new CliError(`${expected}; give workers or redis`);
  return {
    ...(typeof workers === 'number' ? { workers: String(workers) } : {}),
    ...(typeof redis === 'string' ? { redis } : {}),
    ...(typeof queue === 'string' ? { queue } : {}),
  };
}

/**
 * A positive whole number from flag `name`, or a CliError naming it.
 *
 * @example
 * positiveInt('--workers', '2'); // 2
 */
export function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${name}: found "${text}", expected a positive whole number`);
  return n;
}

/**
 * One line for a worker event.
 *
 * @example
 * workerLine('mtl', { kind: 'start', worker: 'node2:4411', subRun: 'ew-seed0' }); // 'mtl: ew-seed0 on worker node2:4411'
 */
export function workerLine(key: string, e: WorkerEvent): string {
  switch (e.kind) {
    case 'start':
      return `${key}: ${e.subRun} on worker ${e.worker}`;
    case 'activity': {
      const a = e.activity;
      const epoch = a.epoch === undefined ? '' : ` epoch ${a.epoch + 1}${a.epochs === undefined ? '' : `/${a.epochs}`}`;
      const step =
        a.step === undefined ? '' : ` step ${a.step}${a.steps === undefined || a.steps === null ? '' : `/${a.steps}`}`;
      return `${key}: ${e.subRun} on worker ${e.worker}:${epoch}${step}${a.loss === undefined ? '' : ` loss ${a.loss.toFixed(4)}`}`;
    }
    case 'retry':
      return `${key}: ${e.subRun} tried again (attempt ${e.attempt}${e.worker === null ? '' : `, was on ${e.worker}`}): ${e.reason}`;
    case 'waiting':
      return `${key}: ${e.reason}`;
  }
}

/**
 * `executor`, noting each sub-run it finishes: which worker, how long, and how many of the
 * study's sub-runs this run has trained so far (the overall progress across workers).
 *
 * @example
 * const noted = withDoneNotes(new ProcessExecutor(options), 'mtl', out);
 */
export function withDoneNotes(executor: ClosableExecutor, key: string, out: Output): ClosableExecutor {
  let done = 0;
  return {
    name: executor.name,
    slots: executor.slots ?? 1,
    close: () => executor.close(),
    execute: async (run, ctx, train) => {
      const started = performance.now();
      const ran: { worker: string; seconds: number | null } = { worker: '?', seconds: null };
      const onWorker = (worker: string, seconds?: number): void => {
        ran.worker = worker;
        ran.seconds = seconds ?? ran.seconds;
        ctx.onWorker?.(worker, seconds);
      };
      const result = await executor.execute(run, { ...ctx, onWorker }, train);
      done += 1;
      const seconds = ran.seconds ?? (performance.now() - started) / 1000;
      out.note(
        `${key}: ${run.id} done by ${ran.worker} in ${seconds.toFixed(1)} s (${done} trained by workers, ${ctx.total} sub-runs in the study)`,
      );
      return result;
    },
  };
}

/**
 * The executor the flags ask for, checked now (before a run starts) and made for a run later
 * (its sub-run store directory, `subRuns`, named to the workers by its absolute path): null for the
 * local one (no flag).
 *
 * @example
 * const make = studyExecutor({ redis: 'redis://queue-host:6379' }, 'mtl', out);
 * const executor = (await make?.({ runId: run.id, config, subRuns: store.root })) ?? null;
 */
export function studyExecutor(
  flags: ExecutorFlags,
  key: string,
  out: Output,
): ((run: StudyRunRef) => Promise<ClosableExecutor>) | null {
  const redis = flags.redis ?? process.env.POLYTASK_REDIS;
  if (flags.workers === undefined && redis === undefined) return null;
  if (flags.workers !== undefined && flags.redis !== undefined)
    throw new CliError('give --workers (processes here) or --redis (workers on a queue), not both');
  const trainer = STUDY_TRAINERS[key];
  if (trainer === undefined)
    throw new CliError(
      `the ${key} study runs on the local executor only; drop ${flags.workers === undefined ? '--redis' : '--workers'}`,
    );
  const onWorkerEvent = (e: WorkerEvent): void => out.note(workerLine(key, e));
  if (flags.workers !== undefined) {
    const workers = positiveInt('--workers', flags.workers);
    return async ({ runId, config, subRuns }) =>
      withDoneNotes(
        new ProcessExecutor({
          workers,
          entry: WORKER_CHILD,
          study: { runId, study: key, config: packState(config).json, fingerprint: null, subRuns: resolve(subRuns) },
          onWorkerEvent,
        }),
        key,
        out,
      );
  }
  const url = redis ?? '';
  redisOptions(url);
  return async ({ runId, config, subRuns }) => {
    out.note(
      `${key}: sub-runs go to the queue ${flags.queue ?? DEFAULT_QUEUE} on ${redactRedisUrl(url)}; start workers with: polytask worker --redis <url>${trainer.files === true ? ` on machines that share ${resolve(subRuns)} at that path` : ''}`,
    );
    const study = {
      runId,
      study: key,
      config: packState(config).json,
      fingerprint: await trainer.fingerprint(config),
      subRuns: resolve(subRuns),
    };
    return withDoneNotes(new BullmqExecutor({ redis: url, queue: flags.queue, study, onWorkerEvent }), key, out);
  };
}
