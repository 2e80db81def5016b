/**
 * The data of the built-in cases: the embedded MNIST digits, split into a training pool and a
 * held-out test pool with the study's seed (digit-pools.ts); fingerprinted as the `mnist` package
 * and its version.
 *
 * @example
 * export const myCase: EndToEndCase<DigitPools> = { ...builtinDigits, name: 'mine', ... };
 */
import { loadMnist, mnistData, type ImageSet } from '../../data/index.js';
import { digitPools, type DigitPools } from '../digit-pools.js';

/**
 * The `pools` and `dataInputs` of a case built from single digits (default: the embedded MNIST).
 *
 * @example
 * const { pools } = digitsData(syntheticDigits);
 */
export function digitsData(digits?: ImageSet): {
  pools: (seed: number) => DigitPools;
  dataInputs: () => { files: string[]; builtin: ReturnType<typeof mnistData>[] };
} {
  return {
    pools: (seed) => digitPools(digits ?? loadMnist(), { seed }),
    dataInputs: () => ({ files: [], builtin: digits === undefined ? [mnistData()] : [] }),
  };
}

/** The embedded MNIST as a built-in case's data. */
export const builtinDigits = digitsData();
