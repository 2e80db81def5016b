/**
 * Negative transfer: a task that does worse trained with the others than trained alone with the
 * same budget. A task is flagged when its relative change against its single-task baseline (its
 * part of Δm, signed by each metric's direction) is below −tolerance percent.
 *
 * @example
 * negativeTransfer({ a: { accuracy: 0.7 }, b: { accuracy: 0.9 } }, { a: { accuracy: 0.8 }, b: { accuracy: 0.85 } }, dirs);
 * // ['a']
 */
import { ValueError } from '../core/errors.js';
import { taskDeltas, type TaskDirections, type TaskScores } from './delta-m.js';

export interface NegativeTransferOptions {
  /** Relative drop (percent) tolerated before a task is flagged, e.g. to allow for seed noise. Default 0. */
  tolerance?: number;
}

/**
 * The tasks that fall below their single-task baselines, in task order.
 *
 * @example
 * negativeTransfer(results.pcgrad, results.single, directions, { tolerance: 1 });
 */
export function negativeTransfer(
  scores: TaskScores,
  baselines: TaskScores,
  directions: TaskDirections,
  opts: NegativeTransferOptions = {},
): string[] {
  const tolerance = opts.tolerance ?? 0;
  if (!(Number.isFinite(tolerance) && tolerance >= 0))
    throw new ValueError('negativeTransfer', `tolerance must be a finite number >= 0, got ${tolerance}`);
  const deltas = taskDeltas(scores, baselines, directions);
  return Object.keys(directions).filter((t) => deltas[t]! < -tolerance);
}
