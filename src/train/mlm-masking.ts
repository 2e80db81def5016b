/**
 * BERT's masking recipe (Devlin et al. 2019, §3.1; Hugging Face's `DataCollatorForLanguageModeling`):
 * each token that is not special (padding, [MASK], ...) is chosen with probability 0.15; a chosen
 * token becomes [MASK] with probability 0.8, a random ordinary token with 0.1, and stays itself
 * with 0.1. Its label is the original token; every other position's label is IGNORE_INDEX (-100),
 * so the loss is taken on the chosen positions alone. Draws come from the Rng given: the same seed
 * masks the same way.
 *
 * @example
 * const { inputs, labels, chosen } = maskTokens(Int32Array.from([5, 9, 7, 0]), {
 *   vocabSize: 10, maskId: 3, special: [0, 1, 2, 3], rng: new Rng(0),
 * });
 * // labels[i] is the token at chosen positions, -100 elsewhere; padding (0) is never chosen
 */
import { ValueError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/** The label of a position the loss skips (crossEntropy's default ignoreIndex). */
export const MLM_IGNORE = -100;

export interface MaskingOptions {
  /** Ids are in [0, vocabSize); random replacements are drawn from the ids that are not special. */
  vocabSize: number;
  /** The id of [MASK]. */
  maskId: number;
  /** Ids never chosen nor drawn as replacements (padding, unknown, [MASK], ...). */
  special: readonly number[];
  rng: Rng;
  /** Chance that an ordinary token is chosen. Default 0.15. */
  probability?: number;
  /** Of the chosen: share replaced by [MASK] (default 0.8) and by a random token (default 0.1). */
  maskShare?: number;
  randomShare?: number;
}

export interface MaskedTokens {
  /** The ids the model reads. */
  inputs: Int32Array;
  /** The original id at chosen positions, MLM_IGNORE elsewhere. */
  labels: Int32Array;
  /** Chosen positions: how many became [MASK], a random token, or stayed themselves. */
  chosen: { masked: number; random: number; kept: number };
}

const share = (name: string, v: number): number => {
  if (!(v >= 0 && v <= 1)) throw new ValueError('maskTokens', `${name} must be in [0, 1], got ${v}`);
  return v;
};

/**
 * Masks `ids` (any layout: rows of a batch one after another) with BERT's recipe.
 *
 * @example
 * maskTokens(ids, { vocabSize, maskId, special: [padId, unkId, maskId], rng }).labels;
 */
export function maskTokens(ids: ArrayLike<number>, o: MaskingOptions): MaskedTokens {
  const p = share('probability', o.probability ?? 0.15);
  const maskShare = share('maskShare', o.maskShare ?? 0.8);
  const randomShare = share('randomShare', o.randomShare ?? 0.1);
  if (maskShare + randomShare > 1)
    throw new ValueError('maskTokens', `maskShare + randomShare must be at most 1, got ${maskShare + randomShare}`);
  if (!Number.isInteger(o.maskId) || o.maskId < 0 || o.maskId >= o.vocabSize)
    throw new ValueError('maskTokens', `maskId ${o.maskId} is outside the vocabulary of ${o.vocabSize}`);
  const special = new Set(o.special);
  special.add(o.maskId);
  // the ordinary ids, for random replacements
  const ordinary: number[] = [];
  for (let id = 0; id < o.vocabSize; id++) if (!special.has(id)) ordinary.push(id);
  if (ordinary.length === 0) throw new ValueError('maskTokens', 'every id of the vocabulary is special');
  const n = ids.length;
  const inputs = new Int32Array(n);
  const labels = new Int32Array(n).fill(MLM_IGNORE);
  const chosen = { masked: 0, random: 0, kept: 0 };
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    inputs[i] = id;
    if (special.has(id) || o.rng.uniform() >= p) continue;
    labels[i] = id;
    const u = o.rng.uniform();
    if (u < maskShare) {
      inputs[i] = o.maskId;
      chosen.masked += 1;
    } else if (u < maskShare + randomShare) {
      inputs[i] = ordinary[o.rng.int(ordinary.length)]!;
      chosen.random += 1;
    } else chosen.kept += 1;
  }
  return { inputs, labels, chosen };
}
