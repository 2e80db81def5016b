/**
 * The errors of the training layer: a non-finite loss or gradient (naming the task or parameter and
 * the step), a checkpoint that is missing, incomplete or damaged (naming the file), and a training
 * given up because its abort signal fired.
 *
 * @example
 * try { await trainer.fit(); } catch (e) {
 *   if (e instanceof NonFiniteError) e.info.task; // 'left'
 * }
 */
import { PolytaskError } from '../core/errors.js';

/** Where a non-finite value was found. `step` and `epoch` are 0-based, as in the step context. */
export interface NonFiniteInfo {
  kind: 'loss' | 'gradient';
  /** The task whose loss it was; absent for the total loss and for gradients. */
  task?: string;
  /** The parameter whose gradient it was (dotted name), or 'norm' for the global gradient norm. */
  parameter?: string;
  /** The offending value: NaN, Infinity or -Infinity. */
  value: number;
  step: number;
  epoch: number;
}

/**
 * One line naming what was not finite and where.
 *
 * @example
 * describeNonFinite({ kind: 'loss', task: 'left', value: NaN, step: 132, epoch: 3 });
 * // "loss of task 'left' is NaN at step 132 (epoch 3)"
 */
export function describeNonFinite(info: NonFiniteInfo): string {
  const where = `at step ${info.step} (epoch ${info.epoch})`;
  if (info.kind === 'loss') {
    const what = info.task === undefined ? 'loss' : `loss of task '${info.task}'`;
    return `${what} is ${info.value} ${where}`;
  }
  const what = info.parameter === 'norm' ? 'gradient norm' : `gradient of parameter '${info.parameter}'`;
  return `${what} is ${info.value} ${where}`;
}

/**
 * Training stopped on a NaN or infinite loss or gradient. The step's update was not applied, and
 * `lastCheckpoint` (when checkpoints are on) is the newest checkpoint, written before the bad step.
 */
export class NonFiniteError extends PolytaskError {
  override name = 'NonFiniteError';
  constructor(
    readonly info: NonFiniteInfo,
    readonly lastCheckpoint: string | null,
  ) {
    const tail = lastCheckpoint === null ? '' : `; the last good checkpoint is ${lastCheckpoint}`;
    super(`${describeNonFinite(info)}${tail}`);
  }
}

/** A checkpoint that cannot be used: none found, a file missing or not matching the manifest. */
export class CheckpointError extends PolytaskError {
  override name = 'CheckpointError';
  constructor(path: string, detail: string) {
    super(`checkpoint ${path}: ${detail}`);
  }
}

/**
 * Training that an AbortSignal stopped before it finished (see fitUnlessAborted): thrown rather
 * than returned, so that what was asked to train to its end is never taken for a finished result
 * (a study's sub-run stopped so is not recorded, and the study unwinds).
 *
 * @example
 * try { await runTransferStudy(config, onProgress, { signal }); } catch (e) {
 *   if (e instanceof StoppedError) e.stepsDone; // steps of the stopped training, the last one whole
 * }
 */
export class StoppedError extends PolytaskError {
  override name = 'StoppedError';
  constructor(
    where: string,
    readonly stepsDone: number,
  ) {
    super(`${where}: stopped by its abort signal after ${stepsDone} steps`);
  }
}
