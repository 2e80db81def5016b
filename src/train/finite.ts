/**
 * Finding the first NaN or infinite loss or gradient, so that the guard can name it: the task
 * whose loss it is, or the parameter whose gradient it is.
 *
 * @example
 * firstNonFiniteLoss(NaN, { left: NaN, right: 0.3 });      // { task: 'left', value: NaN }
 * firstNonFiniteGradient([['fc.weight', w]]);              // { parameter: 'fc.weight', value: Infinity } or null
 */
import type { Tensor } from '../tensor/index.js';

/**
 * The first non-finite task loss (in the order the tasks are listed), else the total loss when it
 * is not finite (no task), else null.
 *
 * @example
 * firstNonFiniteLoss(Infinity, {}); // { value: Infinity }
 */
export function firstNonFiniteLoss(
  total: number,
  losses: Readonly<Record<string, number>>,
): { task?: string; value: number } | null {
  for (const [task, value] of Object.entries(losses)) if (!Number.isFinite(value)) return { task, value };
  return Number.isFinite(total) ? null : { value: total };
}

/**
 * The first parameter, in the order given, whose gradient holds a NaN or an infinity, with that
 * value; null when every gradient is finite. Parameters without a gradient are skipped.
 *
 * @example
 * firstNonFiniteGradient(model.namedParameters());
 */
export function firstNonFiniteGradient(
  params: Iterable<readonly [string, Tensor]>,
): { parameter: string; value: number } | null {
  for (const [parameter, p] of params) {
    const g = p.grad;
    if (g === null) continue;
    const d = g.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      // v - v is 0 for every finite v and NaN for NaN and ±Infinity: one test, no call
      if (v - v !== 0) return { parameter, value: v };
    }
  }
  return null;
}
