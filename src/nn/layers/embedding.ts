/**
 * Embedding: a lookup table [numEmbeddings, embeddingDim] indexed by int32 ids of any shape.
 * Initialised N(0, 1) as in PyTorch. With `paddingIdx` that row starts at zero and gets no
 * gradient, so padding tokens stay neutral.
 *
 * @example
 * const emb = new Embedding(1000, 32, { paddingIdx: 0 });
 * emb.forward(tensor([[1, 5, 0]], undefined, { dtype: 'int32' })).shape; // [1, 3, 32]
 */
import { DTypeError, ValueError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/index.js';
import { where, zeros } from '../../tensor/index.js';
import { normal } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface EmbeddingOptions {
  /** Row whose output carries no gradient (and is initialised to zero). */
  paddingIdx?: number;
}

/** Lookup table of learned vectors. @example new Embedding(vocab, 64).forward(ids); */
export class Embedding extends Module {
  readonly weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: EmbeddingOptions = {},
  ) {
    super();
    const pad = opts.paddingIdx;
    if (pad !== undefined && (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings)) {
      throw new ValueError('Embedding', `paddingIdx ${pad} out of range for ${numEmbeddings} embeddings`);
    }
    this.paddingIdx = pad === undefined ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim]));
    this.resetParameters();
  }

  /** N(0, 1), the padding row 0 (PyTorch's `reset_parameters`). */
  resetParameters(): void {
    normal(this.weight);
    if (this.paddingIdx !== null)
      this.weight.data.fill(0, this.paddingIdx * this.embeddingDim, (this.paddingIdx + 1) * this.embeddingDim);
  }

  forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'int32') throw new DTypeError('Embedding', `ids must be int32, got ${ids.dtype}`);
    const flat = ids.reshape([ids.size]);
    let rows = this.weight.indexSelect(0, flat);
    if (this.paddingIdx !== null) {
      // padding positions read the weight without recording it, so their gradient never reaches it
      const isPad = flat.eq(this.paddingIdx).reshape([ids.size, 1]);
      rows = where(isPad, this.weight.detach().indexSelect(0, flat), rows);
    }
    return rows.reshape([...ids.shape, this.embeddingDim]);
  }
}
