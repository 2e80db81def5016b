/**
 * LoRA on a linear layer (Hu et al. 2021): the pre-trained weight W stays frozen and a low-rank
 * update is learnt beside it,  y = x Wᵀ + b + (α/r) · (drop(x) Aᵀ) Bᵀ,  A [r, in], B [out, r].
 * B starts at zero, so the adapted layer starts as the pre-trained one; A starts as a linear
 * weight would. Only A and B train: r·(in + out) parameters instead of in·out.
 *
 * @example
 * const lora = new LoRALinear(new Linear(3136, 128), { rank: 8, alpha: 16 });
 * lora.numParameters({ trainableOnly: true }); // 8 · (3136 + 128)
 * const plain = lora.merged();                 // a Linear with W + (α/r)·BA
 */
import { ValueError } from '../../core/errors.js';
import { Dropout, Linear, Module, Parameter, init } from '../../nn/index.js';
import { linear, zeros, type Tensor } from '../../tensor/index.js';

/** Shape of a LoRA adapter. */
export interface LoraOptions {
  /** Rank r of the update. */
  rank: number;
  /** Scaling numerator: the update is multiplied by alpha / rank. Default: rank (scale 1). */
  alpha?: number;
  /** Dropout on the adapter's input while training. Default 0. */
  dropout?: number;
}

/**
 * Checks the options of an adapter on a layer whose rank is at most `maxRank`, and returns the
 * scale α/r.
 *
 * @example
 * loraScale('LoRALinear', { rank: 4, alpha: 8 }, 64); // 2
 */
export function loraScale(where: string, o: LoraOptions, maxRank: number): number {
  if (!Number.isInteger(o.rank) || o.rank < 1)
    throw new ValueError(where, `rank must be a positive integer, got ${o.rank}`);
  if (o.rank > maxRank)
    throw new ValueError(where, `rank ${o.rank} is above the layer's ${maxRank}: the update would not be low-rank`);
  const alpha = o.alpha ?? o.rank;
  if (!(Number.isFinite(alpha) && alpha > 0))
    throw new ValueError(where, `alpha must be a positive number, got ${alpha}`);
  return alpha / o.rank;
}

/**
 * A frozen linear layer with a trainable low-rank update. Its state-dict keys keep the base
 * layer's names (`weight`, `bias`) beside `loraA` and `loraB`, so pre-trained weights load as before.
 *
 * @example
 * new LoRALinear(head, { rank: 4, alpha: 8, dropout: 0.1 }).forward(x);
 */
export class LoRALinear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly loraA: Parameter;
  readonly loraB: Parameter;
  readonly dropout: Dropout;
  readonly rank: number;
  readonly scale: number;

  constructor(base: Linear, opts: LoraOptions) {
    super();
    this.scale = loraScale('LoRALinear', opts, Math.min(base.inFeatures, base.outFeatures));
    this.rank = opts.rank;
    this.weight = base.weight;
    this.bias = base.bias;
    this.weight.requiresGrad = false;
    if (this.bias !== null) this.bias.requiresGrad = false;
    this.loraA = new Parameter(zeros([opts.rank, base.inFeatures]));
    init.initLinearLike(this.loraA, null);
    this.loraB = new Parameter(zeros([base.outFeatures, opts.rank]));
    this.dropout = new Dropout(opts.dropout ?? 0);
  }

  forward(x: Tensor): Tensor {
    const update = linear(linear(this.dropout.forward(x), this.loraA, null), this.loraB, null);
    return linear(x, this.weight, this.bias).add(update.mul(this.scale));
  }

  /**
   * A plain Linear whose weight is W + (α/r)·BA (and the same bias): the same outputs in eval mode,
   * with no adapter cost at inference.
   *
   * @example
   * const fc = lora.merged();
   */
  merged(): Linear {
    const [out, inp] = this.weight.shape as [number, number];
    const layer = new Linear(inp, out, { bias: this.bias !== null });
    layer.weight.data.set(
      this.loraB.detach().matmul(this.loraA.detach()).mul(this.scale).add(this.weight.detach()).data,
    );
    if (this.bias !== null) layer.bias!.data.set(this.bias.data);
    return layer;
  }
}
