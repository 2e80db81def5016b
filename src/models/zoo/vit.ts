/**
 * Vision Transformer with torchvision's `vit_b_16` layout and state-dict names (`conv_proj.weight`,
 * `class_token`, `encoder.pos_embedding`, `encoder.layers.encoder_layer_0.self_attention.in_proj_weight`,
 * `encoder.layers.encoder_layer_0.mlp.3.bias`, `encoder.ln.weight`, `heads.head.weight`), so a
 * torchvision checkpoint loads with `{ strict: true }`. Input [N, C, S, S] with S the configured
 * `imageSize` (the position table fixes it; `[height, width]` for rectangular images, which
 * torchvision's does not take); output logits [N, numClasses]. Initialised as
 * torchvision initialises it, at construction and by `resetParameters()` alike: patch projection
 * truncated normal (std √(1/fan-in)) with bias 0, class token 0, position table N(0, 0.02²),
 * attention in-projection xavier-uniform with biases 0, MLP weights xavier-uniform with biases
 * N(0, 1e-6²), layer norms 1 and 0, the classifier 0.
 *
 * @example
 * const m = vitB16({ numClasses: 10 });
 * m.eval().forward(randn([1, 3, 224, 224])).shape; // [1, 10]
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import {
  Dropout,
  GELU,
  LayerNorm,
  Linear,
  Module,
  ModuleDict,
  MultiheadAttention,
  Parameter,
  Sequential,
  Conv2d,
  init,
  resetChildren,
} from '../../nn/index.js';
import { concat, zeros, type Tensor } from '../../tensor/index.js';
import { positiveInt } from './common.js';

export interface VitOptions {
  /**
   * Side of the square input image, or [height, width] of a rectangular one (torchvision's ViT is
   * square only; the names are the same, the position table has (height/patch)·(width/patch) + 1
   * rows). Default 224.
   */
  imageSize?: number | readonly [number, number];
  /** Side of a square patch; must divide the image's sides. Default 16. */
  patchSize?: number;
  /** Transformer blocks. Default 12. */
  numLayers?: number;
  /** Attention heads; must divide hiddenDim. Default 12. */
  numHeads?: number;
  /** Token width. Default 768. */
  hiddenDim?: number;
  /** Hidden width of each block's MLP. Default 3072. */
  mlpDim?: number;
  /** Classes of `heads.head`. Default 1000. */
  numClasses?: number;
  /** Channels of the input image. Default 3. */
  inChannels?: number;
  /** Dropout after attention, in the MLP and on the embeddings, in training. Default 0. */
  dropout?: number;
  /** Dropout on the attention weights in training. Default 0. */
  attentionDropout?: number;
}

const LN_EPS = 1e-6;

/**
 * Pre-norm transformer block (torchvision's `EncoderBlock`): x + attn(ln_1(x)), then + mlp(ln_2(·)).
 *
 * @example
 * new EncoderBlock(4, 64, 128, 0, 0).forward(x); // x [N, L, 64] -> [N, L, 64]
 */
export class EncoderBlock extends Module {
  readonly #ln1: LayerNorm;
  readonly #selfAttention: MultiheadAttention;
  readonly #dropout: Dropout;
  readonly #ln2: LayerNorm;
  readonly #mlp: Sequential;

  constructor(numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number) {
    super();
    this.#ln1 = this.registerModule('ln_1', new LayerNorm(hiddenDim, { eps: LN_EPS }));
    this.#selfAttention = this.registerModule(
      'self_attention',
      new MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout }),
    );
    this.#dropout = this.registerModule('dropout', new Dropout(dropout));
    this.#ln2 = this.registerModule('ln_2', new LayerNorm(hiddenDim, { eps: LN_EPS }));
    this.#mlp = this.registerModule(
      'mlp',
      new Sequential(
        new Linear(hiddenDim, mlpDim),
        new GELU(),
        new Dropout(dropout),
        new Linear(mlpDim, hiddenDim),
        new Dropout(dropout),
      ),
    );
    this.#initMlp();
  }

  /** torchvision's `MLPBlock`: weights xavier-uniform, biases N(0, 1e-6²). */
  #initMlp(): void {
    for (const m of this.#mlp.children()) {
      if (!(m instanceof Linear)) continue;
      init.xavierUniform(m.weight);
      if (m.bias !== null) init.normal(m.bias, 0, 1e-6);
    }
  }

  /** Layer norms, attention and MLP as at construction. */
  resetParameters(): void {
    resetChildren(this);
    this.#initMlp();
  }

  forward(input: Tensor): Tensor {
    const h = this.#ln1.forward(input);
    const x = this.#dropout.forward(this.#selfAttention.forward(h, h, h)).add(input);
    return x.add(this.#mlp.forward(this.#ln2.forward(x)));
  }
}

/**
 * torchvision's `Encoder`: learned position table, dropout, the blocks, a final layer norm.
 *
 * @example
 * new VitEncoder(65, 2, 4, 64, 128, 0, 0).forward(tokens); // tokens [N, 65, 64]
 */
export class VitEncoder extends Module {
  readonly #posEmbedding: Parameter;
  readonly #dropout: Dropout;
  readonly #layers: ModuleDict<EncoderBlock>;
  readonly #ln: LayerNorm;

  constructor(
    seqLength: number,
    numLayers: number,
    numHeads: number,
    hiddenDim: number,
    mlpDim: number,
    dropout: number,
    attentionDropout: number,
  ) {
    super();
    this.#posEmbedding = this.registerParameter(
      'pos_embedding',
      new Parameter(init.normal(zeros([1, seqLength, hiddenDim]), 0, 0.02)),
    );
    this.#dropout = this.registerModule('dropout', new Dropout(dropout));
    const blocks: [string, EncoderBlock][] = [];
    for (let i = 0; i < numLayers; i++)
      blocks.push([`encoder_layer_${i}`, new EncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout)]);
    this.#layers = this.registerModule('layers', new ModuleDict(blocks));
    this.#ln = this.registerModule('ln', new LayerNorm(hiddenDim, { eps: LN_EPS }));
  }

  /** The blocks and layer norm as at construction, the position table N(0, 0.02²). */
  resetParameters(): void {
    init.normal(this.#posEmbedding, 0, 0.02);
    resetChildren(this);
  }

  forward(x: Tensor): Tensor {
    let h = this.#dropout.forward(x.add(this.#posEmbedding));
    for (const [, block] of this.#layers) h = block.forward(h);
    return this.#ln.forward(h);
  }
}

/**
 * torchvision's `VisionTransformer` (build one with `vitB16`, `vitSmall16` or `visionTransformer`).
 *
 * @example
 * visionTransformer({ imageSize: 32, patchSize: 4, numLayers: 2, numHeads: 2, hiddenDim: 32, mlpDim: 64 });
 */
export class VisionTransformer extends Module {
  readonly #convProj: Conv2d;
  readonly #classToken: Parameter;
  readonly #encoder: VitEncoder;
  readonly #heads: Sequential;
  readonly imageHeight: number;
  readonly imageWidth: number;
  readonly patchSize: number;
  readonly hiddenDim: number;
  readonly inChannels: number;

  constructor(opts: VitOptions = {}) {
    super();
    const m = 'VisionTransformer';
    const [h, w] = typeof opts.imageSize === 'object' ? opts.imageSize : [opts.imageSize ?? 224, opts.imageSize ?? 224];
    this.imageHeight = positiveInt(m, 'imageSize', h);
    this.imageWidth = positiveInt(m, 'imageSize', w);
    this.patchSize = positiveInt(m, 'patchSize', opts.patchSize ?? 16);
    const numLayers = positiveInt(m, 'numLayers', opts.numLayers ?? 12);
    const numHeads = positiveInt(m, 'numHeads', opts.numHeads ?? 12);
    this.hiddenDim = positiveInt(m, 'hiddenDim', opts.hiddenDim ?? 768);
    const mlpDim = positiveInt(m, 'mlpDim', opts.mlpDim ?? 3072);
    const numClasses = positiveInt(m, 'numClasses', opts.numClasses ?? 1000);
    this.inChannels = positiveInt(m, 'inChannels', opts.inChannels ?? 3);
    if (this.imageHeight % this.patchSize !== 0 || this.imageWidth % this.patchSize !== 0)
      throw new ValueError(
        m,
        `imageSize ${this.imageHeight}×${this.imageWidth} must be a multiple of patchSize ${this.patchSize}`,
      );
    const p = this.patchSize;
    this.#convProj = this.registerModule('conv_proj', new Conv2d(this.inChannels, this.hiddenDim, p, { stride: p }));
    this.#classToken = this.registerParameter('class_token', new Parameter(zeros([1, 1, this.hiddenDim])));
    const seqLength = (this.imageHeight / p) * (this.imageWidth / p) + 1;
    const dropout = opts.dropout ?? 0;
    this.#encoder = this.registerModule(
      'encoder',
      new VitEncoder(seqLength, numLayers, numHeads, this.hiddenDim, mlpDim, dropout, opts.attentionDropout ?? 0),
    );
    const heads = new Sequential();
    heads.registerModule('head', new Linear(this.hiddenDim, numClasses));
    this.#heads = this.registerModule('heads', heads);
    this.#initOwn();
  }

  /** torchvision's `VisionTransformer.__init__`: patch projection, class token and classifier. */
  #initOwn(): void {
    const w = this.#convProj.weight;
    init.truncNormal(w, 0, Math.sqrt(1 / init.fans(w).fanIn));
    if (this.#convProj.bias !== null) init.zeros(this.#convProj.bias);
    init.zeros(this.#classToken);
    for (const p of this.#heads.parameters()) init.zeros(p);
  }

  /** Every parameter as at construction (new draws): what training from scratch starts from. */
  resetParameters(): void {
    resetChildren(this);
    this.#initOwn();
  }

  /** `heads`: a Sequential holding `head`, Linear(hiddenDim, numClasses). */
  get heads(): Sequential {
    return this.#heads;
  }

  /** `encoder`: position table, blocks and final layer norm. */
  get encoder(): VitEncoder {
    return this.#encoder;
  }

  /** The class token's final representation: x [N, C, H, W] -> [N, hiddenDim]. */
  features(x: Tensor): Tensor {
    const [height, width] = [this.imageHeight, this.imageWidth];
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels || x.shape[2] !== height || x.shape[3] !== width) {
      throw new ShapeError(
        'VisionTransformer',
        `expects [N, ${this.inChannels}, ${height}, ${width}], got [${x.shape.join(',')}]`,
      );
    }
    const n = x.shape[0]!;
    const patches = this.#convProj.forward(x).reshape([n, this.hiddenDim, -1]).permute([0, 2, 1]); // [N, P, D]
    const cls = this.#classToken.expand([n, 1, this.hiddenDim]);
    const h = this.#encoder.forward(concat([cls, patches], 1)); // [N, P+1, D]
    return h.slice(1, 0, 1).reshape([n, this.hiddenDim]);
  }

  /** x [N, C, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.#heads.forward(this.features(x));
  }
}

/**
 * A Vision Transformer of any size (the defaults are ViT-B/16).
 *
 * @example
 * visionTransformer({ imageSize: 32, patchSize: 8, numLayers: 4, numHeads: 4, hiddenDim: 128, mlpDim: 256, numClasses: 10 });
 */
export function visionTransformer(opts: VitOptions = {}): VisionTransformer {
  return new VisionTransformer(opts);
}

/**
 * ViT-B/16 (torchvision `vit_b_16`: 12 layers, 12 heads, width 768, MLP 3072; 86M parameters).
 *
 * @example
 * const m = vitB16();
 * m.loadStateDict(loadSafetensors('vit_b_16.safetensors'), { strict: true });
 */
export function vitB16(
  opts: Omit<VitOptions, 'numLayers' | 'numHeads' | 'hiddenDim' | 'mlpDim' | 'patchSize'> = {},
): VisionTransformer {
  return new VisionTransformer({ ...opts, patchSize: 16, numLayers: 12, numHeads: 12, hiddenDim: 768, mlpDim: 3072 });
}

/**
 * A small ViT (ViT-S/16 of DeiT: 12 layers, 6 heads, width 384, MLP 1536; 22M parameters), with
 * the same names as `vitB16`. Pass `imageSize` (a multiple of 16) for small images.
 *
 * @example
 * vitSmall16({ imageSize: 64, numClasses: 10 }).forward(randn([2, 3, 64, 64])).shape; // [2, 10]
 */
export function vitSmall16(
  opts: Omit<VitOptions, 'numLayers' | 'numHeads' | 'hiddenDim' | 'mlpDim' | 'patchSize'> = {},
): VisionTransformer {
  return new VisionTransformer({ ...opts, patchSize: 16, numLayers: 12, numHeads: 6, hiddenDim: 384, mlpDim: 1536 });
}
