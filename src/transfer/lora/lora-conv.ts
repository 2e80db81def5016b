/**
 * LoRA on a convolution: the update is a conv with r output channels and the base layer's kernel,
 * stride, padding and dilation (A [r, in, kh, kw]), followed by a 1×1 conv back to the output
 * channels (B [out, r, 1, 1]), scaled by α/r. The two compose into one kernel, Σᵣ B[o,r]·A[r],
 * which is how the adapter merges into the base weight. Grouped convolutions are not supported.
 *
 * @example
 * const lora = new LoRAConv2d(new Conv2d(32, 64, 3, { padding: 1 }), { rank: 4 });
 * lora.forward(randn([2, 32, 14, 14])).shape; // [2, 64, 14, 14]
 */
import { ValueError } from '../../core/errors.js';
import { Conv2d, Dropout, Module, Parameter, init } from '../../nn/index.js';
import { conv2d, zeros, type Tensor } from '../../tensor/index.js';
import { loraScale, type LoraOptions } from './lora-linear.js';

/**
 * A frozen 2-D convolution with a trainable low-rank update.
 *
 * @example
 * new LoRAConv2d(conv, { rank: 2, alpha: 4 }).merged(); // a plain Conv2d
 */
export class LoRAConv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly loraA: Parameter;
  readonly loraB: Parameter;
  readonly dropout: Dropout;
  readonly rank: number;
  readonly scale: number;
  readonly #base: Conv2d;

  constructor(base: Conv2d, opts: LoraOptions) {
    super();
    if (base.groups !== 1)
      throw new ValueError('LoRAConv2d', `grouped convolutions (groups=${base.groups}) are not supported`);
    const [out, inp, kh, kw] = base.weight.shape as [number, number, number, number];
    this.scale = loraScale('LoRAConv2d', opts, Math.min(out, inp * kh * kw));
    this.rank = opts.rank;
    this.#base = base;
    this.weight = base.weight;
    this.bias = base.bias;
    this.weight.requiresGrad = false;
    if (this.bias !== null) this.bias.requiresGrad = false;
    this.loraA = new Parameter(zeros([opts.rank, inp, kh, kw]));
    init.initLinearLike(this.loraA, null);
    this.loraB = new Parameter(zeros([out, opts.rank, 1, 1]));
    this.dropout = new Dropout(opts.dropout ?? 0);
  }

  forward(x: Tensor): Tensor {
    const b = this.#base;
    const geometry = { stride: b.stride, padding: b.padding, dilation: b.dilation };
    const low = conv2d(this.dropout.forward(x), this.loraA, null, geometry);
    const update = conv2d(low, this.loraB, null);
    return conv2d(x, this.weight, this.bias, geometry).add(update.mul(this.scale));
  }

  /**
   * A plain Conv2d whose kernel is W + (α/r)·Σᵣ B[:, r]·A[r] (and the same bias).
   *
   * @example
   * const conv = lora.merged();
   */
  merged(): Conv2d {
    const b = this.#base;
    const [out, inp, kh, kw] = this.weight.shape as [number, number, number, number];
    const layer = new Conv2d(inp, out, [kh, kw], {
      stride: b.stride,
      padding: b.padding,
      dilation: b.dilation,
      bias: this.bias !== null,
    });
    const delta = this.loraB
      .detach()
      .reshape([out, this.rank])
      .matmul(this.loraA.detach().reshape([this.rank, inp * kh * kw]));
    layer.weight.data.set(delta.mul(this.scale).reshape([out, inp, kh, kw]).add(this.weight.detach()).data);
    if (this.bias !== null) layer.bias!.data.set(this.bias.data);
    return layer;
  }
}
