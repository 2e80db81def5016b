/**
 * A trunk for text: token ids [N, maxLength] (float32, as a TensorDataset holds them) become one
 * vector per text: a word embedding averaged over the tokens that are not padding ('mean'), or a
 * small BERT encoder (zoo/bert.ts, Hugging Face's names under `bert.`) whose last hidden states
 * are averaged over the same tokens ('transformer'); an optional hidden linear layer with ReLU
 * follows. Transfer's 'text' architecture and the multi-task study's text trunk both build it.
 *
 * @example
 * const trunk = new TextTrunk({ vocabSize: 5000, maxLength: 32, padId: 0, encoder: 'mean', embedDim: 64, layers: 2, heads: 4, hidden: 0 });
 * trunk.forward(ids).shape; // [N, 64]
 */
import { ValueError } from '../core/errors.js';
import { Embedding, Linear, Module, ReLU } from '../nn/index.js';
import { Tensor } from '../tensor/index.js';
import { BertModel } from './zoo/bert.js';

/** The sizes of a text trunk (transfer's textConfigSchema gives its defaults). */
export interface TextTrunkConfig {
  vocabSize: number;
  maxLength: number;
  /** The padding id: those positions are left out of the average (and masked in attention). */
  padId: number;
  encoder: 'mean' | 'transformer';
  /** Width of the embedding (and of the transformer). */
  embedDim: number;
  /** Transformer layers ('transformer' only). */
  layers: number;
  /** Attention heads; must divide embedDim ('transformer' only). */
  heads: number;
  /** Width of a hidden linear layer with ReLU after the average; 0 for none. */
  hidden: number;
}

/** ids [N, L] float32 -> the average over non-padding positions of the token vectors [N, D]. */
export class TextTrunk extends Module {
  readonly embedding: Embedding | null;
  readonly bert: BertModel | null;
  readonly hidden: Linear | null;
  readonly #relu = new ReLU();

  constructor(readonly config: TextTrunkConfig) {
    super();
    const c = config;
    this.embedding = c.encoder === 'mean' ? new Embedding(c.vocabSize, c.embedDim, { paddingIdx: c.padId }) : null;
    this.bert =
      c.encoder === 'transformer'
        ? new BertModel({
            vocabSize: c.vocabSize,
            hiddenSize: c.embedDim,
            numLayers: c.layers,
            numHeads: c.heads,
            maxPositions: c.maxLength,
            padTokenId: c.padId,
          })
        : null;
    this.hidden = c.hidden > 0 ? new Linear(c.embedDim, c.hidden) : null;
  }

  forward(x: Tensor): Tensor {
    const [n, l] = x.shape as [number, number];
    if (x.ndim !== 2 || l !== this.config.maxLength)
      throw new ValueError('text trunk', `expects token ids [N, ${this.config.maxLength}], got [${x.shape.join(',')}]`);
    const ids = x.toInt();
    const mask = x.ne(this.config.padId).toFloat(); // [N, L]: 1 for a token
    let tokens: Tensor;
    if (this.bert !== null) {
      // an empty text would leave attention nothing to attend to: its first position always counts
      const attend = mask.maximum(firstPosition(n, l));
      tokens = this.bert.forward(ids, { attentionMask: attend }).lastHiddenState;
    } else {
      tokens = this.embedding!.forward(ids);
    }
    const weights = mask.reshape([n, l, 1]);
    const count = mask.sum([1], true).maximum(1); // [N, 1]: an empty text averages to zero
    const pooled = tokens.mul(weights).sum([1]).div(count);
    return this.hidden === null ? pooled : this.#relu.forward(this.hidden.forward(pooled));
  }
}

/** [N, L] with 1 at position 0 of every row. */
function firstPosition(n: number, l: number): Tensor {
  const t = new Float32Array(n * l);
  for (let i = 0; i < n; i++) t[i * l] = 1;
  return new Tensor(t, [n, l]);
}
