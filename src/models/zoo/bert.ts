/**
 * A BERT encoder with Hugging Face's `BertModel` state-dict names (`embeddings.word_embeddings.weight`,
 * `embeddings.LayerNorm.weight`, `encoder.layer.0.attention.self.query.weight`,
 * `encoder.layer.0.attention.output.dense.weight`, `encoder.layer.0.intermediate.dense.weight`,
 * `encoder.layer.0.output.LayerNorm.bias`, `pooler.dense.weight`), of any size, and a sequence
 * classifier with `BertForSequenceClassification`'s (`bert.` + the above, `classifier.weight`). The
 * `embeddings.position_ids` buffer that some `transformers` versions save is not part of the state:
 * load such a checkpoint after deleting that key. GELU is the exact (erf) one, layer norms use
 * eps 1e-12, as `bert-base-uncased`'s config.
 *
 * Inputs: token ids [N, L] (int32), an optional attention mask [N, L] (float32, 1 = token,
 * 0 = padding) and optional token type ids [N, L] (int32, default all 0).
 *
 * @example
 * const bert = bertEncoder({ vocabSize: 30522 });  // bert-base: 12 layers, 768 wide, 12 heads
 * const { lastHiddenState, pooledOutput } = bert.forward(ids, { attentionMask });
 */
import { DTypeError, ShapeError } from '../../core/errors.js';
import { Dropout, Embedding, init, LayerNorm, Linear, Module, ModuleList, type AnyModule } from '../../nn/index.js';
import { Tensor, scaledDotProductAttention } from '../../tensor/index.js';
import { positiveInt } from './common.js';

export interface BertOptions {
  /** Token vocabulary. Default 30522 (bert-base-uncased). */
  vocabSize?: number;
  /** Token width. Default 768. */
  hiddenSize?: number;
  /** Transformer layers. Default 12. */
  numLayers?: number;
  /** Attention heads; must divide hiddenSize. Default 12. */
  numHeads?: number;
  /** Width of each layer's feed-forward part. Default 4·hiddenSize. */
  intermediateSize?: number;
  /** Longest sequence (rows of the position table). Default 512. */
  maxPositions?: number;
  /** Token types (segments). Default 2. */
  typeVocabSize?: number;
  /** Dropout on embeddings, attention outputs and feed-forward outputs, in training. Default 0.1. */
  hiddenDropout?: number;
  /** Dropout on attention weights, in training. Default 0.1. */
  attentionDropout?: number;
  /** Layer-norm eps. Default 1e-12. */
  layerNormEps?: number;
  /** Row of the word table kept at zero for padding tokens. Default 0. */
  padTokenId?: number;
}

export interface BertInputs {
  /** [N, L] float32: 1 for a token, 0 for padding. Default all 1. */
  attentionMask?: Tensor | null;
  /** [N, L] int32 segment ids. Default all 0. */
  tokenTypeIds?: Tensor | null;
}

export interface BertOutput {
  /** [N, L, hidden]: every token's final representation. */
  lastHiddenState: Tensor;
  /** [N, hidden]: tanh(dense(first token)), the input of a sequence classifier. */
  pooledOutput: Tensor;
}

type Config = Required<BertOptions>;

function config(opts: BertOptions): Config {
  const hidden = positiveInt('bert', 'hiddenSize', opts.hiddenSize ?? 768);
  const heads = positiveInt('bert', 'numHeads', opts.numHeads ?? 12);
  if (hidden % heads !== 0)
    throw new ShapeError('bert', `hiddenSize ${hidden} must be a multiple of numHeads ${heads}`);
  return {
    vocabSize: positiveInt('bert', 'vocabSize', opts.vocabSize ?? 30522),
    hiddenSize: hidden,
    numLayers: positiveInt('bert', 'numLayers', opts.numLayers ?? 12),
    numHeads: heads,
    intermediateSize: positiveInt('bert', 'intermediateSize', opts.intermediateSize ?? 4 * hidden),
    maxPositions: positiveInt('bert', 'maxPositions', opts.maxPositions ?? 512),
    typeVocabSize: positiveInt('bert', 'typeVocabSize', opts.typeVocabSize ?? 2),
    hiddenDropout: opts.hiddenDropout ?? 0.1,
    attentionDropout: opts.attentionDropout ?? 0.1,
    layerNormEps: opts.layerNormEps ?? 1e-12,
    padTokenId: opts.padTokenId ?? 0,
  };
}

/** dense → dropout → LayerNorm(· + residual): `BertSelfOutput` and `BertOutput` share this shape. */
class AddNorm extends Module<[Tensor, Tensor], Tensor> {
  readonly #dense: Linear;
  readonly #norm: LayerNorm;
  readonly #dropout: Dropout;

  constructor(inFeatures: number, c: Config) {
    super();
    this.#dense = this.registerModule('dense', new Linear(inFeatures, c.hiddenSize));
    this.#norm = this.registerModule('LayerNorm', new LayerNorm(c.hiddenSize, { eps: c.layerNormEps }));
    this.#dropout = this.registerModule('dropout', new Dropout(c.hiddenDropout));
  }

  forward(h: Tensor, residual: Tensor): Tensor {
    return this.#norm.forward(this.#dropout.forward(this.#dense.forward(h)).add(residual));
  }
}

/** `BertSelfAttention`: query, key, value projections and multi-head attention. */
class SelfAttention extends Module<[Tensor, Tensor | null], Tensor> {
  readonly #query: Linear;
  readonly #key: Linear;
  readonly #value: Linear;

  constructor(private readonly c: Config) {
    super();
    this.#query = this.registerModule('query', new Linear(c.hiddenSize, c.hiddenSize));
    this.#key = this.registerModule('key', new Linear(c.hiddenSize, c.hiddenSize));
    this.#value = this.registerModule('value', new Linear(c.hiddenSize, c.hiddenSize));
  }

  /** x [N, L, H], mask [N, L] or null -> [N, L, H]. */
  forward(x: Tensor, mask: Tensor | null): Tensor {
    const [n, l, h] = x.shape as [number, number, number];
    const heads = this.c.numHeads;
    const split = (t: Tensor): Tensor => t.reshape([n, l, heads, h / heads]).permute([0, 2, 1, 3]);
    const ctx = scaledDotProductAttention(
      split(this.#query.forward(x)),
      split(this.#key.forward(x)),
      split(this.#value.forward(x)),
      {
        keyPadding: mask,
        dropout: this.c.attentionDropout,
        training: this.training,
      },
    );
    return ctx.permute([0, 2, 1, 3]).reshape([n, l, h]);
  }
}

/** `BertAttention`: `self` then `output` (dense, dropout, residual LayerNorm). */
class Attention extends Module<[Tensor, Tensor | null], Tensor> {
  readonly #self: SelfAttention;
  readonly #output: AddNorm;

  constructor(c: Config) {
    super();
    this.#self = this.registerModule('self', new SelfAttention(c));
    this.#output = this.registerModule('output', new AddNorm(c.hiddenSize, c));
  }

  forward(x: Tensor, mask: Tensor | null): Tensor {
    return this.#output.forward(this.#self.forward(x, mask), x);
  }
}

/** `BertIntermediate`: dense + GELU. */
class Intermediate extends Module {
  readonly #dense: Linear;

  constructor(c: Config) {
    super();
    this.#dense = this.registerModule('dense', new Linear(c.hiddenSize, c.intermediateSize));
  }

  forward(x: Tensor): Tensor {
    return this.#dense.forward(x).gelu();
  }
}

/**
 * `BertLayer`: attention, then the feed-forward part (`intermediate`, `output`), each post-norm.
 *
 * @example
 * bertEncoder({ numLayers: 1 }).getSubmodule('encoder.layer.0');
 */
export class BertLayer extends Module<[Tensor, Tensor | null], Tensor> {
  readonly #attention: Attention;
  readonly #intermediate: Intermediate;
  readonly #output: AddNorm;

  constructor(c: Config) {
    super();
    this.#attention = this.registerModule('attention', new Attention(c));
    this.#intermediate = this.registerModule('intermediate', new Intermediate(c));
    this.#output = this.registerModule('output', new AddNorm(c.intermediateSize, c));
  }

  /** x [N, L, H], mask [N, L] or null -> [N, L, H]. */
  forward(x: Tensor, mask: Tensor | null): Tensor {
    const a = this.#attention.forward(x, mask);
    return this.#output.forward(this.#intermediate.forward(a), a);
  }
}

/** `BertEmbeddings`: word + position + token type, LayerNorm, dropout. */
class Embeddings extends Module<[Tensor, Tensor | null], Tensor> {
  readonly #word: Embedding;
  readonly #position: Embedding;
  readonly #tokenType: Embedding;
  readonly #norm: LayerNorm;
  readonly #dropout: Dropout;

  constructor(private readonly c: Config) {
    super();
    this.#word = this.registerModule(
      'word_embeddings',
      new Embedding(c.vocabSize, c.hiddenSize, { paddingIdx: c.padTokenId }),
    );
    this.#position = this.registerModule('position_embeddings', new Embedding(c.maxPositions, c.hiddenSize));
    this.#tokenType = this.registerModule('token_type_embeddings', new Embedding(c.typeVocabSize, c.hiddenSize));
    this.#norm = this.registerModule('LayerNorm', new LayerNorm(c.hiddenSize, { eps: c.layerNormEps }));
    this.#dropout = this.registerModule('dropout', new Dropout(c.hiddenDropout));
  }

  /** ids [N, L] int32, token types [N, L] int32 or null -> [N, L, H]. */
  forward(ids: Tensor, tokenTypes: Tensor | null): Tensor {
    const [n, l] = ids.shape as [number, number];
    if (l > this.c.maxPositions)
      throw new ShapeError('bert', `sequence length ${l} exceeds maxPositions ${this.c.maxPositions}`);
    const positions = new Tensor(
      Int32Array.from({ length: l }, (_, i) => i),
      [1, l],
    );
    const types = tokenTypes ?? new Tensor(new Int32Array(n * l), [n, l]);
    const e = this.#word.forward(ids).add(this.#position.forward(positions)).add(this.#tokenType.forward(types));
    return this.#dropout.forward(this.#norm.forward(e));
  }
}

/** `BertPooler`: tanh(dense(first token)). */
class Pooler extends Module {
  readonly #dense: Linear;

  constructor(c: Config) {
    super();
    this.#dense = this.registerModule('dense', new Linear(c.hiddenSize, c.hiddenSize));
  }

  forward(h: Tensor): Tensor {
    return this.#dense.forward(h.slice(1, 0, 1).reshape([h.shape[0]!, h.shape[2]!])).tanh();
  }
}

/** The transformer stack, `encoder.layer.<i>`. */
class Encoder extends Module<[Tensor, Tensor | null], Tensor> {
  readonly #layer: ModuleList<BertLayer>;

  constructor(c: Config) {
    super();
    this.#layer = this.registerModule(
      'layer',
      new ModuleList(Array.from({ length: c.numLayers }, () => new BertLayer(c))),
    );
  }

  forward(x: Tensor, mask: Tensor | null): Tensor {
    let h = x;
    for (const layer of this.#layer) h = layer.forward(h, mask);
    return h;
  }
}

/**
 * Hugging Face's `BertModel` (build it with `bertEncoder`).
 *
 * @example
 * const out = bertEncoder({ numLayers: 2, hiddenSize: 128, numHeads: 2, vocabSize: 1000 }).forward(ids);
 * out.pooledOutput.shape; // [N, 128]
 */
export class BertModel extends Module<[Tensor, BertInputs?], BertOutput> {
  readonly config: Config;
  readonly #embeddings: Embeddings;
  readonly #encoder: Encoder;
  readonly #pooler: Pooler;

  constructor(opts: BertOptions = {}) {
    super();
    this.config = config(opts);
    this.#embeddings = this.registerModule('embeddings', new Embeddings(this.config));
    this.#encoder = this.registerModule('encoder', new Encoder(this.config));
    this.#pooler = this.registerModule('pooler', new Pooler(this.config));
  }

  /** ids [N, L] int32 -> last hidden state [N, L, H] and pooled output [N, H]. */
  forward(ids: Tensor, inputs: BertInputs = {}): BertOutput {
    if (ids.dtype !== 'int32' || ids.ndim !== 2)
      throw new DTypeError('bert', `token ids must be int32 [N, L], got ${ids.dtype} [${ids.shape.join(',')}]`);
    const mask = inputs.attentionMask ?? null;
    const h = this.#encoder.forward(this.#embeddings.forward(ids, inputs.tokenTypeIds ?? null), mask);
    return { lastHiddenState: h, pooledOutput: this.#pooler.forward(h) };
  }
}

/**
 * A BERT encoder with Hugging Face `BertModel` names (defaults: bert-base, 12 layers, 768 wide,
 * 12 heads, vocabulary 30522).
 *
 * @example
 * const bert = bertEncoder({ numLayers: 4, hiddenSize: 256, numHeads: 4 });
 * bert.loadStateDict(loadSafetensors('bert.safetensors'), { strict: true });
 */
export function bertEncoder(opts: BertOptions = {}): BertModel {
  return new BertModel(opts);
}

export interface BertClassifierOptions extends BertOptions {
  /** Classes of `classifier`. Default 2. */
  numClasses?: number;
}

/**
 * Hugging Face's `BertForSequenceClassification`: `bert` (a BertModel), dropout on the pooled
 * output, and `classifier`, Linear(hidden, numClasses). forward gives logits [N, numClasses].
 *
 * @example
 * const m = bertForSequenceClassification({ numClasses: 4, numLayers: 2, hiddenSize: 128, numHeads: 2 });
 * m.forward(ids, { attentionMask }).shape; // [N, 4]
 */
export class BertForSequenceClassification extends Module<[Tensor, BertInputs?], Tensor> {
  readonly bert: BertModel;
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(opts: BertClassifierOptions = {}) {
    super();
    this.bert = new BertModel(opts);
    this.dropout = new Dropout(this.bert.config.hiddenDropout);
    this.classifier = new Linear(this.bert.config.hiddenSize, positiveInt('bert', 'numClasses', opts.numClasses ?? 2));
  }

  forward(ids: Tensor, inputs: BertInputs = {}): Tensor {
    return this.classifier.forward(this.dropout.forward(this.bert.forward(ids, inputs).pooledOutput));
  }
}

/**
 * A BERT sequence classifier with `BertForSequenceClassification` names.
 *
 * @example
 * bertForSequenceClassification({ numClasses: 3, vocabSize: 5000, numLayers: 2, hiddenSize: 64, numHeads: 4 });
 */
export function bertForSequenceClassification(opts: BertClassifierOptions = {}): BertForSequenceClassification {
  return new BertForSequenceClassification(opts);
}

/**
 * Hugging Face's `BertPreTrainedModel._init_weights` over every layer of `module` (a BertModel, a
 * BertForMaskedLM, ...): Linear and Embedding weights N(0, std²) (std: `initializer_range`, 0.02),
 * biases 0, an embedding's padding row 0, LayerNorm weight 1 and bias 0. Pre-training from scratch
 * starts here: with the word table tied to the decoder, a unit-variance table (the layers' own
 * default) would give first logits of variance ≈ hiddenSize and a first MLM loss far above ln V.
 *
 * @example
 * initBertWeights(new BertForMaskedLM({ vocabSize: 1000, hiddenSize: 64, numLayers: 2, numHeads: 4 }));
 */
export function initBertWeights(module: AnyModule, std = 0.02): void {
  for (const [, m] of module.namedModules()) {
    if (m instanceof Linear) {
      init.normal(m.weight, 0, std);
      if (m.bias !== null) init.zeros(m.bias);
    } else if (m instanceof Embedding) {
      init.normal(m.weight, 0, std);
      if (m.paddingIdx !== null)
        m.weight.data.fill(0, m.paddingIdx * m.embeddingDim, (m.paddingIdx + 1) * m.embeddingDim);
    } else if (m instanceof LayerNorm) {
      if (m.weight !== null) init.ones(m.weight);
      if (m.bias !== null) init.zeros(m.bias);
    }
  }
}
