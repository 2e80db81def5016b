/**
 * Attention layers: MultiheadAttention with PyTorch's parameter names (`in_proj_weight`,
 * `in_proj_bias`, `out_proj.weight`, `out_proj.bias`, so torchvision's ViT weights load), and
 * position embeddings, learned (a trained table) or sinusoidal (fixed).
 *
 * Inputs are batch first: [N, L, E]. Masks follow one convention throughout polytask: nonzero means
 * "take part" (`keyPadding` is 1 for a real token and 0 for padding, as Hugging Face's
 * `attention_mask`; note PyTorch's `key_padding_mask` is the opposite, true for padding).
 *
 * @example
 * const mha = new MultiheadAttention(64, 4);
 * mha.forward(x, x, x, { keyPadding: mask }).shape; // x [N, L, 64] -> [N, L, 64]
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import { scaledDotProductAttention, sinusoidalPositionEncoding, zeros, type Tensor } from '../../tensor/index.js';
import { normal, xavierUniform } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { Linear } from './linear.js';

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training. Default 0. */
  dropout?: number;
  /** Learn input and output projection biases. Default true. */
  bias?: boolean;
}

export interface AttentionMasks {
  /** [N, Lk]: 1 for a real key, 0 for padding that no query attends to. */
  keyPadding?: Tensor | null;
  /** Broadcastable to [N, heads, Lq, Lk]: nonzero where the query attends to the key. */
  mask?: Tensor | null;
  /** Query i attends to keys 0..i only. */
  causal?: boolean;
}

/**
 * Multi-head scaled dot-product attention, as PyTorch's `nn.MultiheadAttention(batch_first=True)`
 * with equal query, key and value sizes.
 *
 * @example
 * const mha = new MultiheadAttention(32, 4);
 * const y = mha.forward(x, x, x, { causal: true }); // x [2, 10, 32] -> [2, 10, 32]
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, AttentionMasks?], Tensor> {
  // private slots, so that only the registered PyTorch names appear in the state dict
  readonly #inProjWeight: Parameter;
  readonly #inProjBias: Parameter | null;
  readonly #outProj: Linear;
  readonly headDim: number;
  readonly dropout: number;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    opts: MultiheadAttentionOptions = {},
  ) {
    super();
    if (
      !Number.isInteger(embedDim) ||
      !Number.isInteger(numHeads) ||
      numHeads < 1 ||
      embedDim < 1 ||
      embedDim % numHeads !== 0
    ) {
      throw new ValueError(
        'MultiheadAttention',
        `embedDim ${embedDim} must be a positive multiple of numHeads ${numHeads}`,
      );
    }
    this.headDim = embedDim / numHeads;
    this.dropout = opts.dropout ?? 0;
    const bias = opts.bias ?? true;
    this.#inProjWeight = this.registerParameter('in_proj_weight', new Parameter(zeros([3 * embedDim, embedDim])));
    this.#inProjBias = this.registerParameter('in_proj_bias', bias ? new Parameter(zeros([3 * embedDim])) : null);
    this.#outProj = this.registerModule('out_proj', new Linear(embedDim, embedDim, { bias }));
    this.#initOwn();
  }

  /** PyTorch's `_reset_parameters`: in_proj xavier-uniform, in_proj and out_proj biases 0 (out_proj's weight a Linear's). */
  #initOwn(): void {
    xavierUniform(this.#inProjWeight);
    this.#inProjBias?.data.fill(0);
    this.#outProj.bias?.data.fill(0);
  }

  /** As at construction: out_proj re-drawn as a Linear, then the projections as PyTorch's. */
  resetParameters(): void {
    this.#outProj.resetParameters();
    this.#initOwn();
  }

  /** `in_proj_weight` [3E, E]: the query, key and value projections stacked. */
  get inProjWeight(): Parameter {
    return this.#inProjWeight;
  }

  /** `in_proj_bias` [3E], or null without bias. */
  get inProjBias(): Parameter | null {
    return this.#inProjBias;
  }

  /** `out_proj`, Linear(E, E). */
  get outProj(): Linear {
    return this.#outProj;
  }

  /** query [N, Lq, E], key and value [N, Lk, E] -> [N, Lq, E]. */
  forward(query: Tensor, key: Tensor, value: Tensor, masks: AttentionMasks = {}): Tensor {
    const e = this.embedDim;
    for (const t of [query, key, value]) {
      if (t.ndim !== 3 || t.shape[2] !== e)
        throw new ShapeError('MultiheadAttention', `expects [N, L, ${e}], got [${t.shape.join(',')}]`);
    }
    const project = (x: Tensor, i: number): Tensor => {
      const w = this.inProjWeight.slice(0, i * e, (i + 1) * e);
      const b = this.inProjBias === null ? null : this.inProjBias.slice(0, i * e, (i + 1) * e);
      const y = b === null ? x.matmul(w.transpose()) : x.matmul(w.transpose()).add(b);
      return y.reshape([x.shape[0]!, x.shape[1]!, this.numHeads, this.headDim]).permute([0, 2, 1, 3]); // [N, H, L, hd]
    };
    const out = scaledDotProductAttention(project(query, 0), project(key, 1), project(value, 2), {
      ...masks,
      dropout: this.dropout,
      training: this.training,
    }); // [N, H, Lq, hd]
    const [n, lq] = [query.shape[0]!, query.shape[1]!];
    return this.outProj.forward(out.permute([0, 2, 1, 3]).reshape([n, lq, e]));
  }
}

/**
 * A learned position table `weight` [maxLength, dim] (initialised N(0, 0.02²)) added to the first L
 * rows: x [N, L, dim] -> x + weight[:L].
 *
 * @example
 * new LearnedPositionEmbedding(512, 64).forward(tokens).shape; // tokens [N, L, 64] -> [N, L, 64]
 */
export class LearnedPositionEmbedding extends Module {
  readonly weight: Parameter;

  constructor(
    readonly maxLength: number,
    readonly dim: number,
  ) {
    super();
    if (!Number.isInteger(maxLength) || maxLength < 1 || !Number.isInteger(dim) || dim < 1) {
      throw new ValueError(
        'LearnedPositionEmbedding',
        `maxLength and dim must be positive integers, got ${maxLength} and ${dim}`,
      );
    }
    this.weight = new Parameter(normal(zeros([maxLength, dim]), 0, 0.02));
  }

  /** N(0, 0.02²). */
  resetParameters(): void {
    normal(this.weight, 0, 0.02);
  }

  forward(x: Tensor): Tensor {
    const l = x.shape[x.ndim - 2]!;
    if (x.ndim < 2 || x.shape[x.ndim - 1] !== this.dim || l > this.maxLength) {
      throw new ShapeError(
        'LearnedPositionEmbedding',
        `expects [..., L <= ${this.maxLength}, ${this.dim}], got [${x.shape.join(',')}]`,
      );
    }
    return x.add(this.weight.slice(0, 0, l));
  }
}

/**
 * The fixed sinusoidal position encoding added to x [N, L, dim]; kept as a buffer that is not saved
 * in the state dict (`pe`, [maxLength, dim]).
 *
 * @example
 * new SinusoidalPositionEmbedding(512, 64).forward(tokens); // tokens [N, L, 64]
 */
export class SinusoidalPositionEmbedding extends Module {
  /** The buffer `pe`, [maxLength, dim]. */
  readonly table: Tensor;

  constructor(
    readonly maxLength: number,
    readonly dim: number,
  ) {
    super();
    this.table = this.registerBuffer('pe', sinusoidalPositionEncoding(maxLength, dim), { persistent: false });
  }

  forward(x: Tensor): Tensor {
    const l = x.shape[x.ndim - 2]!;
    if (x.ndim < 2 || x.shape[x.ndim - 1] !== this.dim || l > this.maxLength) {
      throw new ShapeError(
        'SinusoidalPositionEmbedding',
        `expects [..., L <= ${this.maxLength}, ${this.dim}], got [${x.shape.join(',')}]`,
      );
    }
    return x.add(this.table.slice(0, 0, l));
  }
}
