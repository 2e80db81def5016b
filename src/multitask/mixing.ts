/**
 * Task mixing rates for tasks that have their own data (Raffel et al. 2020, "Exploring the limits of
 * transfer learning with a unified text-to-text transformer", §3.5.2 — the T5 mixtures):
 * - examples-proportional: r_m = min(e_m, K) / Σ_n min(e_n, K), where e_m is the number of examples
 *   of task m and K a cap that keeps a huge task from drowning the others;
 * - temperature-scaled: the proportional rates raised to 1/T and renormalised; T = 1 is
 *   proportional, and as T grows the mixture tends to equal;
 * - equal: every task as often.
 *
 * @example
 * mixingRates({ a: 1000, b: 100 }, { strategy: 'proportional' });          // { a: 0.909…, b: 0.0909… }
 * mixingRates({ a: 1000, b: 100 }, { strategy: 'proportional', cap: 200 }); // { a: 0.667, b: 0.333 }
 * mixingRates({ a: 1000, b: 100 }, { strategy: 'temperature', temperature: 2 });
 */
import { ValueError } from '../core/errors.js';
import { recordFrom } from '../core/safe-keys.js';

/** How tasks with their own data are mixed. */
export type Mixing =
  | { strategy: 'proportional'; cap?: number }
  | { strategy: 'temperature'; temperature: number; cap?: number }
  | { strategy: 'equal' };

/**
 * The probability of drawing each task's (or data source's) batch next.
 *
 * @example
 * mixingRates({ a: 10, b: 30 }, { strategy: 'equal' }); // { a: 0.5, b: 0.5 }
 */
export function mixingRates(sizes: Readonly<Record<string, number>>, mixing: Mixing): Record<string, number> {
  const names = Object.keys(sizes);
  if (names.length === 0) throw new ValueError('mixingRates', 'needs at least one task');
  for (const n of names) {
    const e = sizes[n]!;
    if (!(Number.isFinite(e) && e >= 0))
      throw new ValueError('mixingRates', `task '${n}' has ${e} examples; expected a finite number >= 0`);
  }
  if (mixing.strategy === 'equal') return recordFrom(names.map((n) => [n, 1 / names.length]));
  const cap = mixing.cap ?? Infinity;
  if (!(cap > 0)) throw new ValueError('mixingRates', `cap must be a positive number, got ${cap}`);
  let rates = names.map((n) => Math.min(sizes[n]!, cap));
  if (mixing.strategy === 'temperature') {
    const t = mixing.temperature;
    if (!(Number.isFinite(t) && t > 0))
      throw new ValueError('mixingRates', `temperature must be a positive number, got ${t}`);
    const total = rates.reduce((a, b) => a + b, 0);
    rates = rates.map((r) => (total === 0 ? 0 : (r / total) ** (1 / t)));
  } else if (mixing.strategy !== 'proportional') {
    throw new ValueError(
      'mixingRates',
      `strategy must be 'proportional', 'temperature' or 'equal', got '${String((mixing as { strategy: unknown }).strategy)}'`,
    );
  }
  const total = rates.reduce((a, b) => a + b, 0);
  if (total === 0) throw new ValueError('mixingRates', 'every task has 0 examples');
  return recordFrom(names.map((n, i) => [n, rates[i]! / total]));
}
