/**
 * How a sub-run fails away from this process: a worker failed it (its error message), refused it
 * (another code version, backend or data: trying again would not help), died while training it,
 * or it failed every attempt and the study ends naming it.
 *
 * @example
 * throw new SubRunFailedError('mtl', 'pcgrad-seed0', 3, 'node2:4411', 'loss is NaN at step 12');
 */
import { PolytaskError } from '../core/errors.js';

/** A job a worker failed (its message), or refused (not worth trying again on a worker alike). */
export class JobFailedError extends Error {
  override name = 'JobFailedError';
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/** The process training a job died before answering. */
export class WorkerLostError extends Error {
  override name = 'WorkerLostError';
  constructor(
    readonly worker: string,
    how: string,
  ) {
    super(`worker ${worker} ${how} while training`);
  }
}

/** A sub-run that failed every attempt (or was refused): the study ends with this message. */
export class SubRunFailedError extends PolytaskError {
  override name = 'SubRunFailedError';
  constructor(
    readonly study: string,
    readonly subRun: string,
    readonly attempts: number,
    worker: string | null,
    reason: string,
  ) {
    super(
      `${study} sub-run '${subRun}' failed${attempts > 1 ? ` ${attempts} times` : ''}${worker === null ? '' : `, last on worker ${worker}`}: ${reason}`,
    );
  }
}
