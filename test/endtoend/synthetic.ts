/**
 * Synthetic learning curves with known parameters for the fitting tests: err(m) = a·m^b + c at
 * each size, plus seeded Gaussian noise, one value per seed.
 *
 * @example
 * const points = noisyCurve({ a: 2, b: -0.5, c: 0.1 }, [100, 200, 400, 800], { seeds: 5, noise: 0.003, seed: 0 });
 */
import { Rng } from '../../src/core/rng.js';
import { powerLaw, type CurvePoint, type PowerLaw } from '../../src/endtoend/index.js';

export const SIZES = [50, 100, 200, 400, 800, 1600, 3200];

export function noisyCurve(
  law: PowerLaw,
  sizes: readonly number[],
  o: { seeds: number; noise: number; seed: number },
): CurvePoint[] {
  const rng = new Rng(o.seed);
  return sizes.map((size) => ({
    size,
    values: Array.from({ length: o.seeds }, () => powerLaw(law, size) + o.noise * rng.normal()),
  }));
}

/** A pipeline-like curve: the same per-seed values at every size. */
export function flatCurve(
  level: number,
  sizes: readonly number[],
  o: { seeds: number; noise: number; seed: number },
): CurvePoint[] {
  const rng = new Rng(o.seed);
  const values = Array.from({ length: o.seeds }, () => level + o.noise * rng.normal());
  return sizes.map((size) => ({ size, values }));
}
