/**
 * How sub-runs sit in a BullMQ queue: the queue's name, a job id per sub-run of a study run
 * (`<runId>.<sub-run id, URL-encoded>`, so one sub-run is never enqueued twice and a coordinator
 * that comes back finds its jobs again), and the progress a worker posts while it trains (its
 * name and the training's activity).
 *
 * @example
 * jobIdOf('20260101-000000-study-mtl-ab12cd', 'single:left-seed0'); // '20260101-000000-study-mtl-ab12cd.single%3Aleft-seed0'
 */
import type { SubRunActivity } from '../study/index.js';
import { activityOf, field } from './child-protocol.js';

/** The queue polytask uses unless told otherwise. */
export const DEFAULT_QUEUE = 'polytask';

/** Tries of a sub-run before the study ends naming it. */
export const DEFAULT_ATTEMPTS = 3;

/**
 * The job id of sub-run `subRun` of study run `runId` (BullMQ ids may not hold ':').
 *
 * @example
 * jobIdOf(run.id, 'ew-seed0');
 */
export function jobIdOf(runId: string, subRun: string): string {
  return `${runId}.${encodeURIComponent(subRun)}`;
}

/** What a worker posts as a job's progress. */
export interface JobProgress {
  worker: string;
  activity: SubRunActivity;
}

/**
 * A job's progress as posted by a polytask worker; null when it is none.
 *
 * @example
 * jobProgressOf(job.progress)?.worker; // 'node2:4411'
 */
export function jobProgressOf(v: unknown): JobProgress | null {
  const worker = field(v, 'worker');
  return typeof worker === 'string' ? { worker, activity: activityOf(field(v, 'activity')) } : null;
}
