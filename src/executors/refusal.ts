/**
 * Why a worker refuses a job, if it does: a study it has no trainer for, another code version,
 * another backend, or (once the data is loaded) another data fingerprint; for a study whose
 * sub-runs start from models others trained, a sub-run store directory this machine does not
 * have (or that is not a study's `subruns/<study>` directory). A refused job fails at once with
 * the reason and is not tried again.
 *
 * @example
 * const reason = refusal(job, trainers, { codeVersion: codeVersion(), backend: getBackend().name });
 * if (reason !== null) throw new UnrecoverableError(reason);
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import type { SubRunTrainer, SubRunTrainers } from '../study/index.js';
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

/**
 * The reason a job whose sub-runs share files (SubRunTrainer.files) is refused here: its store
 * directory is not an absolute `.../subruns/<study>` path, or not a directory on this machine.
 *
 * @example
 * storeRefusal({ ...job, subRuns: '/not/shared/subruns/e2e' }, e2eTrainer); // '... is not on this machine ...'
 */
export function storeRefusal(job: SubRunJob, trainer: SubRunTrainer): string | null {
  if (trainer.files !== true) return null;
  const name = `job ${job.study}/${job.subRun} of run ${job.runId} refused`;
  const dir = job.subRuns;
  if (dir === null)
    return `${name}: its sub-runs start from models other sub-runs train, and it names no sub-run directory`;
  if (!isAbsolute(dir) || basename(dir) !== job.study || basename(dirname(dir)) !== 'subruns')
    return `${name}: its sub-run directory ${JSON.stringify(dir)} is not an absolute <run>/subruns/${job.study} path`;
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return `${name}: the run's sub-run directory ${dir} is not on this machine; its sub-runs start from models other sub-runs leave there, so share the runs directory at the same path on every machine`;
  return null;
}
