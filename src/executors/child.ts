/**
 * The child side of a process pool: a process that trains the jobs its parent sends, one at a
 * time, with the study trainers it is given, and answers each with the sub-run's packed record or
 * the failure. A stop aborts the training under way after its current step; SIGINT is left to
 * the parent (a terminal's Ctrl-C reaches both), which sends the stop. The process exits when its
 * parent goes away (its IPC channel closes), so no orphan trains on. The entry point
 * that calls `serveChild` lives with the CLI, which knows the studies (src/cli/worker-child.ts).
 *
 * @example
 * serveChild({ mtl: mtlSubRunTrainer });
 */
import { hostname } from 'node:os';
import { getBackend } from '../backend/registry.js';
import { StoppedError, packState } from '../train/index.js';
import { subRunDir, type SubRunTrainers } from '../study/index.js';
import type { FromChild } from './child-protocol.js';
import { codeVersion } from './code-version.js';
import { isSubRunJob } from './job.js';
import { fingerprintRefusal, refusal, storeRefusal } from './refusal.js';

/** Reports sent at most this often while a sub-run trains (a finished epoch always is). */
const ACTIVITY_MS = 500;

function send(message: FromChild): void {
  process.send?.(message);
}

/**
 * Serves jobs from the parent process until it goes away.
 *
 * @example
 * serveChild(STUDY_TRAINERS);
 */
export function serveChild(trainers: SubRunTrainers): void {
  const worker = `${hostname()}:${process.pid}`;
  let controller: AbortController | null = null;
  // a child whose parent is gone has no one to answer: it ends rather than train on as an orphan
  // eslint-disable-next-line no-restricted-properties
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C in a terminal reaches the whole process group: the parent decides, and sends a stop
  process.on('SIGINT', () => undefined);
  process.on('message', (m: unknown) => {
    if (typeof m !== 'object' || m === null || !('type' in m)) return;
    if (m.type === 'stop') {
      controller?.abort();
      return;
    }
    if (m.type !== 'job' || !('job' in m) || !isSubRunJob(m.job)) return;
    const job = m.job;
    const stop = new AbortController();
    controller = stop;
    void (async () => {
      const started = performance.now();
      try {
        const refused = refusal(job, trainers, { codeVersion: codeVersion(), backend: getBackend().name });
        const trainer = trainers[job.study];
        if (refused !== null || trainer === undefined) {
          send({ type: 'failed', message: refused ?? `no trainer for ${job.study}`, refused: true, stopped: false });
          return;
        }
        const wrongData = storeRefusal(job, trainer) ?? fingerprintRefusal(job, await trainer.fingerprint(job.config));
        if (wrongData !== null) {
          send({ type: 'failed', message: wrongData, refused: true, stopped: false });
          return;
        }
        const store = job.subRuns;
        let last = 0;
        let lastEpoch = -1;
        const result = await trainer.train(job.config, job.subRun, {
          signal: stop.signal,
          ...(store === null ? {} : { dir: (id: string) => subRunDir(store, id) }),
          onActivity: (activity) => {
            const now = performance.now();
            if (now - last < ACTIVITY_MS && activity.epoch === lastEpoch) return;
            last = now;
            lastEpoch = activity.epoch ?? lastEpoch;
            send({ type: 'activity', activity });
          },
        });
        send({
          type: 'done',
          outcome: { result: packState(result).json, worker, seconds: (performance.now() - started) / 1000 },
        });
      } catch (err) {
        const stopped = err instanceof StoppedError;
        send({ type: 'failed', message: err instanceof Error ? err.message : String(err), refused: false, stopped });
      } finally {
        if (controller === stop) controller = null;
      }
    })();
  });
  send({ type: 'ready', worker });
}
