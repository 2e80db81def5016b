/**
 * Child processes on this machine that train sub-run jobs, one job a child at a time: the pool
 * starts up to `size` children (child.ts, through the CLI's entry module) as jobs come, hands
 * each job to a free child, and resolves with the child's result. A child that dies mid-job
 * (killed, out of memory) rejects that job with a WorkerLostError and is replaced for the next
 * job; an abort of the job's signal asks its child to stop after the current step (StoppedError).
 * Each child's kernels use `threads` threads (default: the study's thread budget shared out
 * evenly: POLYTASK_NUM_THREADS when it is set, else this machine's cores), so that N children do
 * not each take every core, and `POLYTASK_NUM_THREADS=2 polytask study ... --workers 2` runs two
 * children of one kernel thread each: the same budget as the local executor with that setting.
 *
 * @example
 * const pool = new ProcessPool({ size: 2, entry: WORKER_CHILD });
 * const { result, worker } = await pool.run(job, { signal });
 * await pool.close();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { StoppedError } from '../train/index.js';
import type { SubRunActivity } from '../study/index.js';
import { fromChild, type ToChild } from './child-protocol.js';
import { JobFailedError, WorkerLostError } from './errors.js';
import type { SubRunJob, SubRunJobResult } from './job.js';

export interface ProcessPoolOptions {
  /** Children at most. */
  size: number;
  /** The child's entry module: a file that calls serveChild. */
  entry: string;
  /** Kernel threads per child. Default: the thread budget (see the module comment) shared out among `size` children (at least 1). */
  threads?: number | undefined;
}

/** What one job is given besides the job. */
export interface PoolJobOptions {
  signal?: AbortSignal | undefined;
  /** Called when a child takes the job, with the child's name ('host:pid'). */
  onStart?: ((worker: string) => void) | undefined;
  onActivity?: ((worker: string, activity: SubRunActivity) => void) | undefined;
}

interface Child {
  proc: ChildProcess;
  /** 'host:pid', once the child said it is ready. */
  name: Promise<string>;
  exited: Promise<void>;
  alive: boolean;
}

/** Child processes training jobs (see the module comment). */
export class ProcessPool {
  readonly #free: Child[] = [];
  readonly #waiting: ((child: Child) => void)[] = [];
  readonly #all = new Set<Child>();
  #closed = false;

  constructor(readonly options: ProcessPoolOptions) {}

  /** Kernel threads each child uses. */
  get threads(): number {
    const set = Number(process.env.POLYTASK_NUM_THREADS);
    const budget = Number.isInteger(set) && set > 0 ? set : availableParallelism();
    return this.options.threads ?? Math.max(1, Math.floor(budget / this.options.size));
  }

  #spawn(): Child {
    const proc = fork(this.options.entry, [], {
      env: { ...process.env, POLYTASK_NUM_THREADS: String(this.threads) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const name = new Promise<string>((resolve, reject) => {
      proc.on('message', (m: unknown) => {
        const msg = fromChild(m);
        if (msg?.type === 'ready') resolve(msg.worker);
      });
      proc.once('exit', (code, signal) =>
        reject(
          new WorkerLostError(
            `pid ${proc.pid ?? '?'}`,
            `exited (${signal ?? `code ${code ?? '?'}`}) before it was ready`,
          ),
        ),
      );
    });
    // a child that never gets ready is reported by the job that waits for it
    name.catch(() => undefined);
    const child: Child = {
      proc,
      name,
      alive: true,
      exited: new Promise((resolve) => proc.once('exit', () => resolve())),
    };
    proc.once('exit', () => {
      child.alive = false;
      this.#all.delete(child);
      const at = this.#free.indexOf(child);
      if (at >= 0) this.#free.splice(at, 1);
    });
    this.#all.add(child);
    return child;
  }

  async #acquire(): Promise<Child> {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#all.size < this.options.size) return this.#spawn();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(child: Child): void {
    const next = this.#waiting.shift();
    const handed = child.alive ? child : next === undefined || this.#closed ? null : this.#spawn();
    if (handed === null) return;
    if (next !== undefined) next(handed);
    else this.#free.push(handed);
  }

  /**
   * Trains `job` on a free child; resolves with its result.
   *
   * @example
   * const outcome = await pool.run(job, { onStart: (w) => log(`${job.subRun} on ${w}`) });
   */
  async run(job: SubRunJob, opts: PoolJobOptions = {}): Promise<SubRunJobResult> {
    if (this.#closed) throw new JobFailedError('the process pool is closed', false);
    if (opts.signal?.aborted === true) throw new StoppedError(`sub-run '${job.subRun}'`, 0);
    const child = await this.#acquire();
    try {
      const worker = await child.name;
      opts.onStart?.(worker);
      return await new Promise<SubRunJobResult>((resolve, reject) => {
        const onMessage = (m: unknown): void => {
          const msg = fromChild(m);
          if (msg === null) return;
          if (msg.type === 'activity') opts.onActivity?.(worker, msg.activity);
          else if (msg.type === 'done') finish(() => resolve(msg.outcome));
          else if (msg.type === 'failed')
            finish(() =>
              reject(
                msg.stopped
                  ? new StoppedError(`sub-run '${job.subRun}'`, 0)
                  : new JobFailedError(msg.message, msg.refused),
              ),
            );
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
          finish(() =>
            reject(
              new WorkerLostError(
                worker,
                signal === null ? `exited with code ${code ?? '?'}` : `was killed (${signal})`,
              ),
            ),
          );
        const onAbort = (): void => {
          child.proc.send({ type: 'stop' } satisfies ToChild);
        };
        const finish = (settle: () => void): void => {
          child.proc.off('message', onMessage);
          child.proc.off('exit', onExit);
          opts.signal?.removeEventListener('abort', onAbort);
          settle();
        };
        child.proc.on('message', onMessage);
        child.proc.once('exit', onExit);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        child.proc.send({ type: 'job', job } satisfies ToChild);
      });
    } finally {
      this.#release(child);
    }
  }

  /**
   * Ends every child (after its job, if it is given `graceMs`) and waits until they are gone.
   *
   * @example
   * await pool.close();
   */
  async close(graceMs = 2000): Promise<void> {
    this.#closed = true;
    const children = [...this.#all];
    for (const c of children) if (c.proc.connected) c.proc.disconnect();
    const timer = setTimeout(() => {
      for (const c of children) if (c.alive) c.proc.kill('SIGKILL');
    }, graceMs);
    await Promise.all(children.map((c) => c.exited));
    clearTimeout(timer);
  }
}
