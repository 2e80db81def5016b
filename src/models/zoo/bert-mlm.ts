/**
 * Masked-language modelling on the zoo's BERT: Hugging Face's `BertForMaskedLM` names (`bert.` +
 * the encoder's, `cls.predictions.transform.dense.weight`, `cls.predictions.transform.LayerNorm.weight`,
 * `cls.predictions.bias`), the decoder tied to the word embeddings (`bert.embeddings.word_embeddings.weight`,
 * one parameter, so it is not saved twice: a Hugging Face checkpoint's `cls.predictions.decoder.weight`
 * and `.bias` are copies of those two and are dropped before loading). Unlike Hugging Face's, the
 * `bert` here keeps its pooler (`bert.pooler.*`): the encoder is the one a classifier fine-tunes.
 *
 * The loss is the cross-entropy over the positions whose label is not `MLM_IGNORE` (-100), as
 * `BertForMaskedLM` computes it; only those positions go through the prediction head, so a batch
 * with 15% of its tokens masked pays for 15% of the [tokens, vocabulary] logits.
 *
 * @example
 * const mlm = new BertForMaskedLM(bertEncoder({ vocabSize: 1000, hiddenSize: 64, numLayers: 2, numHeads: 4 }));
 * const { inputs, labels } = maskTokens(ids, { vocabSize: 1000, maskId: 3, special: [0, 1, 2, 3], rng });
 * const loss = mlm.loss(tensor(inputs, [n, l]), tensor(labels, [n, l]), { attentionMask });
 * mlm.forward(ids).shape; // [N, L, 1000]
 */
import { ShapeError } from '../../core/errors.js';
import { Embedding, functional, LayerNorm, Linear, Module, Parameter, resetChildren } from '../../nn/index.js';
import { linear, Tensor, zeros } from '../../tensor/index.js';
import { MLM_IGNORE } from '../../train/mlm-masking.js';
import { BertModel, type BertInputs, type BertOptions } from './bert.js';

/** `BertPredictionHeadTransform`: dense, GELU, LayerNorm. */
class Transform extends Module {
  readonly #dense: Linear;
  readonly #norm: LayerNorm;

  constructor(hidden: number, eps: number) {
    super();
    this.#dense = this.registerModule('dense', new Linear(hidden, hidden));
    this.#norm = this.registerModule('LayerNorm', new LayerNorm(hidden, { eps }));
  }

  forward(h: Tensor): Tensor {
    return this.#norm.forward(this.#dense.forward(h).gelu());
  }
}

/** `BertLMPredictionHead`: the transform, then the tied decoder plus its own bias. */
class Predictions extends Module {
  readonly #transform: Transform;
  readonly #bias: Parameter;
  /** The word embeddings' table, registered by the encoder (tied, not a parameter of this head). */
  readonly #words: Parameter;

  constructor(words: Embedding, hidden: number, eps: number) {
    super();
    this.#words = words.weight;
    this.#transform = this.registerModule('transform', new Transform(hidden, eps));
    this.#bias = this.registerParameter('bias', new Parameter(zeros([words.numEmbeddings])));
  }

  /** The transform as at construction, the decoder's bias 0 (the tied table is the encoder's). */
  resetParameters(): void {
    resetChildren(this);
    this.#bias.data.fill(0);
  }

  /** h [..., H] -> logits [..., V]. */
  forward(h: Tensor): Tensor {
    return linear(this.#transform.forward(h), this.#words, this.#bias);
  }
}

/** `BertOnlyMLMHead`: `predictions`. */
class MlmHead extends Module {
  readonly #predictions: Predictions;

  constructor(words: Embedding, hidden: number, eps: number) {
    super();
    this.#predictions = this.registerModule('predictions', new Predictions(words, hidden, eps));
  }

  forward(h: Tensor): Tensor {
    return this.#predictions.forward(h);
  }
}

/**
 * Hugging Face's `BertForMaskedLM` over a `BertModel` (a new one from options, or one given, whose
 * weights it then trains in place: the encoder of a text trunk, say).
 *
 * @example
 * const mlm = new BertForMaskedLM({ vocabSize: 100, hiddenSize: 32, numLayers: 1, numHeads: 4 });
 * mlm.stateDict()['cls.predictions.bias'].shape; // [100]
 */
export class BertForMaskedLM extends Module<[Tensor, BertInputs?], Tensor> {
  readonly bert: BertModel;
  readonly #cls: MlmHead;

  constructor(bert: BertModel | BertOptions = {}) {
    super();
    this.bert = bert instanceof BertModel ? bert : new BertModel(bert);
    const words = this.bert.getSubmodule('embeddings.word_embeddings');
    if (!(words instanceof Embedding))
      throw new ShapeError('BertForMaskedLM', 'the encoder has no word embedding table');
    this.#cls = this.registerModule(
      'cls',
      new MlmHead(words, this.bert.config.hiddenSize, this.bert.config.layerNormEps),
    );
  }

  /** ids [N, L] int32 -> logits [N, L, vocabSize] at every position. */
  forward(ids: Tensor, inputs: BertInputs = {}): Tensor {
    return this.#cls.forward(this.bert.forward(ids, inputs).lastHiddenState);
  }

  /**
   * The logits at the positions whose label is not MLM_IGNORE, [M, vocabSize], and those labels
   * [M] (row-major order of the positions).
   *
   * @example
   * const { logits, targets } = mlm.maskedLogits(inputs, labels);
   */
  maskedLogits(ids: Tensor, labels: Tensor, inputs: BertInputs = {}): { logits: Tensor; targets: Tensor } {
    if (labels.dtype !== 'int32' || labels.shape.join(',') !== ids.shape.join(','))
      throw new ShapeError(
        'BertForMaskedLM',
        `labels must be int32 of the ids' shape [${ids.shape.join(',')}], got ${labels.dtype} [${labels.shape.join(',')}]`,
      );
    const h = this.bert.forward(ids, inputs).lastHiddenState; // [N, L, H]
    const [n, l, width] = h.shape as [number, number, number];
    const all = labels.data as Int32Array;
    const rows: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < all.length; i++)
      if (all[i] !== MLM_IGNORE) {
        rows.push(i);
        targets.push(all[i]!);
      }
    const picked = h.reshape([n * l, width]).indexSelect(0, new Tensor(Int32Array.from(rows), [rows.length]));
    return { logits: this.#cls.forward(picked), targets: new Tensor(Int32Array.from(targets), [targets.length]) };
  }

  /**
   * The mean cross-entropy over the positions whose label is not MLM_IGNORE (BertForMaskedLM's
   * loss); a batch without one has no loss (a ShapeError: mask at least one token).
   *
   * @example
   * mlm.loss(inputs, labels, { attentionMask }).backward();
   */
  loss(ids: Tensor, labels: Tensor, inputs: BertInputs = {}): Tensor {
    const { logits, targets } = this.maskedLogits(ids, labels, inputs);
    if (targets.size === 0)
      throw new ShapeError('BertForMaskedLM', 'no position of the batch is masked: nothing to predict');
    return functional.crossEntropy(logits, targets);
  }
}
