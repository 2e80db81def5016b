/**
 * Why a worker refuses a job, if it does: a study it has no trainer for, another code version,
 * another backend, or (once the data is loaded) another data fingerprint. A refused job fails
 * at once with the reason and is not tried again.
 *
 * @example
 * const reason = refusal(job, trainers, { codeVersion: codeVersion(), backend: getBackend().name });
 * if (reason !== null) throw new UnrecoverableError(reason);
 */
import type { SubRunTrainers } from '../study/index.js';
import type { SubRunJob } from './job.js';

/** What the worker itself runs. */
export interface WorkerIdentity {
  codeVersion: string;
  backend: string;
  /** Only jobs of this study run (its run id); null: any. */
  runId?: string | null;
}

/**
 * The reason `job` is refused by a worker with `trainers` and `self`; null when it is taken.
 *
 * @example
 * refusal({ ...job, codeVersion: 'old' }, trainers, self); // 'job ... was made by code version old, this worker runs ...'
 */
export function refusal(job: SubRunJob, trainers: SubRunTrainers, self: WorkerIdentity): string | null {
  const name = `job ${job.study}/${job.subRun} of run ${job.runId}`;
  if (self.runId !== undefined && self.runId !== null && job.runId !== self.runId)
    return `${name} refused: this worker serves run ${self.runId} only`;
  if (!Object.hasOwn(trainers, job.study))
    return `${name} refused: this worker trains sub-runs of ${Object.keys(trainers).join(', ')} only`;
  if (job.codeVersion !== self.codeVersion)
    return `${name} refused: it was made by code version ${job.codeVersion}, this worker runs ${self.codeVersion}; run the same build on every machine`;
  if (job.backend !== self.backend)
    return `${name} refused: it runs on the ${job.backend} backend, this worker on ${self.backend}; start the worker with POLYTASK_BACKEND=${job.backend}`;
  return null;
}

/**
 * The reason a job is refused once its data is loaded: its fingerprint is not the worker's.
 *
 * @example
 * fingerprintRefusal(job, trainer.fingerprint(job.config)); // null when they agree
 */
export function fingerprintRefusal(job: SubRunJob, fingerprint: string): string | null {
  if (job.fingerprint === null || job.fingerprint === fingerprint) return null;
  return `job ${job.study}/${job.subRun} of run ${job.runId} refused: the data this worker loads for its config (fingerprint ${fingerprint.slice(0, 12)}) is not the coordinator's (${job.fingerprint.slice(0, 12)}); give every machine the same data files at the same paths`;
}
