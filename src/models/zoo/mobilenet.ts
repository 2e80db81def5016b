/**
 * MobileNetV2 and MobileNetV3-Small with torchvision's layout and state-dict names
 * (`features.0.0.weight`, `features.1.conv.0.0.weight`, `features.4.block.2.fc1.weight`,
 * `classifier.1.weight`), so torchvision checkpoints load with `{ strict: true }`. Input
 * [N, C, H, W] of any size from 32×32 up; output logits [N, numClasses].
 *
 * @example
 * const m = mobilenetV3Small({ numClasses: 10 });
 * m.eval().forward(randn([2, 3, 64, 64])).shape; // [2, 10]
 */
import { ShapeError } from '../../core/errors.js';
import {
  AdaptiveAvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Hardsigmoid,
  Hardswish,
  Linear,
  Module,
  ReLU,
  ReLU6,
  Sequential,
  type BatchNormOptions,
} from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import { convNormActivation, makeDivisible, positiveInt } from './common.js';

export interface MobileNetOptions {
  /** Classes of the last classifier layer. Default 1000. */
  numClasses?: number;
  /** Channels of the input image. Default 3. */
  inChannels?: number;
  /** Width multiplier of every layer's channels (rounded to multiples of 8). Default 1. */
  widthMult?: number;
  /** Dropout before the last layer in training. Default 0.2. */
  dropout?: number;
}

/**
 * MobileNetV2's inverted residual: 1×1 expansion (unless the ratio is 1), 3×3 depthwise, 1×1
 * linear projection, in `conv`; a shortcut when stride is 1 and the channels agree.
 *
 * @example
 * new InvertedResidualV2(24, 24, 1, 6).forward(x); // x [N, 24, H, W] -> [N, 24, H, W]
 */
export class InvertedResidualV2 extends Module {
  readonly conv: Sequential;
  readonly useResConnect: boolean;

  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const relu6 = (): Module => new ReLU6();
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(convNormActivation(inp, hidden, 1, { activation: relu6 }));
    layers.push(
      convNormActivation(hidden, hidden, 3, { stride, groups: hidden, activation: relu6 }),
      new Conv2d(hidden, oup, 1, { bias: false }),
      new BatchNorm2d(oup),
    );
    this.conv = new Sequential(...layers);
  }

  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return this.useResConnect ? x.add(y) : y;
  }
}

/** features → global average pool → classifier, checking the input's channels. */
abstract class MobileNetBase extends Module {
  abstract readonly features: Sequential;
  abstract readonly classifier: Sequential;
  protected abstract readonly inChannels: number;

  /** x [N, C, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(this.constructor.name, `expects [N, ${this.inChannels}, H, W], got [${x.shape.join(',')}]`);
    }
    return this.classifier.forward(this.features.forward(x).mean([2, 3]));
  }
}

const V2_SETTING: readonly (readonly [number, number, number, number])[] = [
  // expansion t, channels c, repeats n, first stride s
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/**
 * torchvision's MobileNetV2 (build it with `mobilenetV2`).
 *
 * @example
 * mobilenetV2({ widthMult: 0.5 }).features.length; // 19
 */
export class MobileNetV2 extends MobileNetBase {
  readonly features: Sequential;
  readonly classifier: Sequential;
  protected readonly inChannels: number;

  constructor(opts: MobileNetOptions = {}) {
    super();
    const numClasses = positiveInt('mobilenetV2', 'numClasses', opts.numClasses ?? 1000);
    this.inChannels = positiveInt('mobilenetV2', 'inChannels', opts.inChannels ?? 3);
    const width = opts.widthMult ?? 1;
    let input = makeDivisible(32 * width);
    const last = makeDivisible(1280 * Math.max(1, width));
    const relu6 = (): Module => new ReLU6();
    const features: Module[] = [convNormActivation(this.inChannels, input, 3, { stride: 2, activation: relu6 })];
    for (const [t, c, n, s] of V2_SETTING) {
      const out = makeDivisible(c * width);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidualV2(input, out, i === 0 ? s : 1, t));
        input = out;
      }
    }
    features.push(convNormActivation(input, last, 1, { activation: relu6 }));
    this.features = new Sequential(...features);
    this.classifier = new Sequential(new Dropout(opts.dropout ?? 0.2), new Linear(last, numClasses));
  }
}

/**
 * MobileNetV2 (torchvision `mobilenet_v2`): 3.5M parameters at width 1 and 1000 classes.
 *
 * @example
 * const m = mobilenetV2({ numClasses: 10 });
 * m.loadStateDict(loadSafetensors('mobilenet_v2.safetensors'), { strict: true });
 */
export function mobilenetV2(opts: MobileNetOptions = {}): MobileNetV2 {
  return new MobileNetV2(opts);
}

/**
 * Squeeze-and-excitation (torchvision's `SqueezeExcitation` with a hard-sigmoid gate): x scaled per
 * channel by hardsigmoid(fc2(relu(fc1(mean over H, W)))).
 *
 * @example
 * new SqueezeExcitation(72, 24).forward(x); // x [N, 72, H, W] -> [N, 72, H, W]
 */
export class SqueezeExcitation extends Module {
  readonly avgpool = new AdaptiveAvgPool2d(1);
  readonly fc1: Conv2d;
  readonly fc2: Conv2d;
  readonly activation = new ReLU();
  readonly scaleActivation = new Hardsigmoid();

  constructor(channels: number, squeeze: number) {
    super();
    this.fc1 = new Conv2d(channels, squeeze, 1);
    this.fc2 = new Conv2d(squeeze, channels, 1);
  }

  forward(x: Tensor): Tensor {
    const s = this.fc2.forward(this.fc1.forward(x.mean([2, 3], true)).relu()).hardsigmoid();
    return x.mul(s);
  }
}

/** One row of MobileNetV3's table: input, kernel, expanded, output channels, SE, hard swish, stride. */
type V3Row = readonly [number, number, number, number, boolean, boolean, number];

const V3_SMALL: readonly V3Row[] = [
  [16, 3, 16, 16, true, false, 2],
  [16, 3, 72, 24, false, false, 2],
  [24, 3, 88, 24, false, false, 1],
  [24, 5, 96, 40, true, true, 2],
  [40, 5, 240, 40, true, true, 1],
  [40, 5, 240, 40, true, true, 1],
  [40, 5, 120, 48, true, true, 1],
  [48, 5, 144, 48, true, true, 1],
  [48, 5, 288, 96, true, true, 2],
  [96, 5, 576, 96, true, true, 1],
  [96, 5, 576, 96, true, true, 1],
];

/**
 * MobileNetV3's inverted residual (`block`): optional 1×1 expansion, depthwise k×k, optional
 * squeeze-excitation, 1×1 projection; a shortcut when stride is 1 and the channels agree.
 *
 * @example
 * new InvertedResidualV3(40, 5, 240, 40, true, true, 1, {}).forward(x);
 */
export class InvertedResidualV3 extends Module {
  readonly block: Sequential;
  readonly useResConnect: boolean;

  constructor(
    inp: number,
    kernel: number,
    expanded: number,
    out: number,
    useSe: boolean,
    useHs: boolean,
    stride: number,
    norm: BatchNormOptions,
  ) {
    super();
    this.useResConnect = stride === 1 && inp === out;
    const activation = (): Module => (useHs ? new Hardswish() : new ReLU());
    const layers: Module[] = [];
    if (expanded !== inp) layers.push(convNormActivation(inp, expanded, 1, { norm, activation }));
    layers.push(convNormActivation(expanded, expanded, kernel, { stride, groups: expanded, norm, activation }));
    if (useSe) layers.push(new SqueezeExcitation(expanded, makeDivisible(Math.floor(expanded / 4), 8)));
    layers.push(convNormActivation(expanded, out, 1, { norm, activation: null }));
    this.block = new Sequential(...layers);
  }

  forward(x: Tensor): Tensor {
    const y = this.block.forward(x);
    return this.useResConnect ? y.add(x) : y;
  }
}

/**
 * torchvision's MobileNetV3 in its small configuration (build it with `mobilenetV3Small`).
 *
 * @example
 * mobilenetV3Small().classifier.length; // 4: Linear, Hardswish, Dropout, Linear
 */
export class MobileNetV3Small extends MobileNetBase {
  readonly features: Sequential;
  readonly classifier: Sequential;
  protected readonly inChannels: number;

  constructor(opts: MobileNetOptions = {}) {
    super();
    const numClasses = positiveInt('mobilenetV3Small', 'numClasses', opts.numClasses ?? 1000);
    this.inChannels = positiveInt('mobilenetV3Small', 'inChannels', opts.inChannels ?? 3);
    const width = opts.widthMult ?? 1;
    const adjust = (c: number): number => makeDivisible(c * width, 8);
    const norm: BatchNormOptions = { eps: 0.001, momentum: 0.01 };
    const hardswish = (): Module => new Hardswish();
    const rows = V3_SMALL.map(([i, k, e, o, se, hs, s]) => [adjust(i), k, adjust(e), adjust(o), se, hs, s] as const);
    const features: Module[] = [
      convNormActivation(this.inChannels, rows[0]![0], 3, { stride: 2, norm, activation: hardswish }),
    ];
    for (const [i, k, e, o, se, hs, s] of rows) features.push(new InvertedResidualV3(i, k, e, o, se, hs, s, norm));
    const lastIn = rows[rows.length - 1]![3];
    features.push(convNormActivation(lastIn, 6 * lastIn, 1, { norm, activation: hardswish }));
    this.features = new Sequential(...features);
    const lastChannel = adjust(1024);
    this.classifier = new Sequential(
      new Linear(6 * lastIn, lastChannel),
      new Hardswish(),
      new Dropout(opts.dropout ?? 0.2),
      new Linear(lastChannel, numClasses),
    );
  }
}

/**
 * MobileNetV3-Small (torchvision `mobilenet_v3_small`): 2.5M parameters at width 1 and 1000 classes.
 *
 * @example
 * const m = mobilenetV3Small({ numClasses: 5, inChannels: 1 });
 * m.forward(randn([1, 1, 96, 96])).shape; // [1, 5]
 */
export function mobilenetV3Small(opts: MobileNetOptions = {}): MobileNetV3Small {
  return new MobileNetV3Small(opts);
}
