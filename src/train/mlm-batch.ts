/**
 * One training batch of masked-language modelling from rows of token ids: the rows cut to their
 * longest line (padding beyond it dropped), masked with BERT's recipe (mlm-masking.ts), and the
 * attention mask of their tokens. What the transfer study's MLM source and the multi-task study's
 * `mlm+ft` run both pre-train on, so the two mask alike.
 *
 * @example
 * const b = maskedBatch(ids, 64, 40, { vocabSize: 8001, padId: 0, maskId: 8000, special: [0, 1, 8000] }, rng, 0.15);
 * mlm.loss(b.inputs, b.labels, { attentionMask: b.attention });
 */
import type { Rng } from '../core/rng.js';
import { Tensor } from '../tensor/index.js';
import { maskTokens } from './mlm-masking.js';

/** The ids masking needs: the vocabulary's size ([MASK] included), padding, [MASK], and ids never chosen. */
export interface MlmVocabulary {
  vocabSize: number;
  padId: number;
  maskId: number;
  /** Ids never chosen nor drawn as replacements ([PAD], [UNK], ...). */
  special: readonly number[];
}

/**
 * The masked ids of rows `ids` ([n, length] float token ids, row-major), cut to the longest line,
 * as tensors: `inputs` and `labels` [n, longest] int32, `attention` [n, longest] (1 for a token; the
 * first position of every row counts, so an empty line still attends somewhere). A batch in which
 * the draw chose nothing has its first ordinary token masked, so every batch has a position to predict.
 *
 * @example
 * maskedBatch(Float32Array.of(5, 6, 0, 7, 0, 0), 2, 3, vocab, new Rng(0), 0.15).inputs.shape; // [2, 2]
 */
export function maskedBatch(
  ids: Float32Array,
  n: number,
  length: number,
  text: MlmVocabulary,
  rng: Rng,
  probability: number,
): { inputs: Tensor; labels: Tensor; attention: Tensor } {
  let longest = 1;
  for (let r = 0; r < n; r++)
    for (let j = length - 1; j >= longest; j--)
      if (ids[r * length + j] !== text.padId) {
        longest = j + 1;
        break;
      }
  const cut = new Int32Array(n * longest);
  for (let r = 0; r < n; r++) for (let j = 0; j < longest; j++) cut[r * longest + j] = ids[r * length + j]!;
  const m = maskTokens(cut, {
    vocabSize: text.vocabSize,
    maskId: text.maskId,
    special: text.special,
    rng,
    probability,
  });
  if (m.chosen.masked + m.chosen.random + m.chosen.kept === 0) {
    // a batch needs a position to predict: mask its first ordinary token (if it has one)
    const first = cut.findIndex((id) => !text.special.includes(id));
    if (first >= 0) {
      m.labels[first] = cut[first]!;
      m.inputs[first] = text.maskId;
    }
  }
  const attention = Float32Array.from(cut, (id, i) => (id !== text.padId || i % longest === 0 ? 1 : 0));
  return {
    inputs: new Tensor(m.inputs, [n, longest]),
    labels: new Tensor(m.labels, [n, longest]),
    attention: new Tensor(attention, [n, longest]),
  };
}
