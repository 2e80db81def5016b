/**
 * Capacity at equal parameter count. A multi-task model can beat single-task models simply by having
 * fewer parameters to fit than T separate networks, or lose to them simply by being too small to
 * serve T tasks. The fair comparison for "is the network big enough" gives the T single-task models
 * together the multi-task model's parameter count: each gets a trunk narrowed until its model has
 * at most 1/T of it.
 *
 * @example
 * const width = equalCapacityWidth(mtlParams / 2, (w) => singleTaskModel(w).numParameters(), 16);
 */
import { ValueError } from '../core/errors.js';

/**
 * The largest integer width in [1, maxWidth] whose parameter count is at most `budget`, given an
 * increasing `paramsAt(width)`; 1 when even width 1 is over budget.
 *
 * @example
 * equalCapacityWidth(1000, (w) => 100 * w, 64); // 10
 */
export function equalCapacityWidth(budget: number, paramsAt: (width: number) => number, maxWidth: number): number {
  if (!Number.isInteger(maxWidth) || maxWidth < 1)
    throw new ValueError('equalCapacityWidth', `maxWidth must be a positive integer, got ${maxWidth}`);
  let lo = 1;
  let hi = maxWidth;
  if (paramsAt(lo) > budget) return 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (paramsAt(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The capacity check's numbers. */
export interface CapacityCheck {
  /** Parameters of the multi-task model. */
  multiTaskParams: number;
  /** Parameters of one full-size single-task model (the baselines). */
  singleTaskParams: number;
  /** Trunk width of the equal-capacity single-task models, and the parameters of one of them. */
  equalCapacityWidth: number;
  equalCapacityParams: number;
  /** Metrics of the equal-capacity single-task models, by task. */
  equalCapacityResults: Record<string, Record<string, number>>;
  /** Δm of each method against the equal-capacity single-task models, in percent. */
  deltaMVsEqualCapacity: Record<string, number>;
  /** Some method beats the equal-capacity single-task models (Δm > 0): the network is big enough to share. */
  ok: boolean;
}
