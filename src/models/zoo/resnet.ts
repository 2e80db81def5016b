/**
 * ResNet-18, -34 and -50 with torchvision's layout and state-dict names (`conv1.weight`,
 * `bn1.running_mean`, `layer1.0.conv1.weight`, `layer2.0.downsample.0.weight`, `fc.weight`), so a
 * torchvision checkpoint saved as safetensors loads with `{ strict: true }`. Input [N, C, H, W] of
 * any size from 32×32 up (global average pooling before `fc`); output logits [N, numClasses].
 *
 * @example
 * const m = resnet18({ numClasses: 1000 });
 * m.loadStateDict(loadSafetensors('resnet18.safetensors'), { strict: true });
 * m.eval().forward(x); // x [N, 3, 224, 224] -> [N, 1000]
 */
import { ShapeError } from '../../core/errors.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential } from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import { positiveInt } from './common.js';

export interface ResNetOptions {
  /** Classes of the final `fc` layer. Default 1000. */
  numClasses?: number;
  /** Channels of the input image. Default 3. */
  inChannels?: number;
}

const conv3x3 = (i: number, o: number, stride = 1): Conv2d => new Conv2d(i, o, 3, { stride, padding: 1, bias: false });
const conv1x1 = (i: number, o: number, stride = 1): Conv2d => new Conv2d(i, o, 1, { stride, bias: false });

/** A residual block: the layers map x [N, in, H, W] to [N, planes·expansion, H/stride, W/stride]. */
interface BlockKind {
  expansion: number;
  make(inPlanes: number, planes: number, stride: number, downsample: Sequential | null): Module;
}

/**
 * torchvision's BasicBlock: two 3×3 convolutions with a shortcut (`downsample` when the shape changes).
 *
 * @example
 * new BasicBlock(64, 64).forward(x); // x [N, 64, H, W] -> [N, 64, H, W]
 */
export class BasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu = new ReLU();
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = conv3x3(inPlanes, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
  }

  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    const identity = this.downsample === null ? x : this.downsample.forward(x);
    return out.add(identity).relu();
  }
}

/**
 * torchvision's Bottleneck (ResNet V1.5: the stride sits on the 3×3 convolution): 1×1, 3×3, 1×1
 * with 4× expansion.
 *
 * @example
 * new Bottleneck(256, 64).forward(x); // x [N, 256, H, W] -> [N, 256, H, W]
 */
export class Bottleneck extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly relu = new ReLU();
  readonly downsample: Sequential | null;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = conv1x1(inPlanes, planes);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes, stride);
    this.bn2 = new BatchNorm2d(planes);
    this.conv3 = conv1x1(planes, planes * 4);
    this.bn3 = new BatchNorm2d(planes * 4);
    this.downsample = downsample;
  }

  forward(x: Tensor): Tensor {
    let out = this.bn1.forward(this.conv1.forward(x)).relu();
    out = this.bn2.forward(this.conv2.forward(out)).relu();
    out = this.bn3.forward(this.conv3.forward(out));
    const identity = this.downsample === null ? x : this.downsample.forward(x);
    return out.add(identity).relu();
  }
}

const BASIC: BlockKind = { expansion: 1, make: (i, p, s, d) => new BasicBlock(i, p, s, d) };
const BOTTLENECK: BlockKind = { expansion: 4, make: (i, p, s, d) => new Bottleneck(i, p, s, d) };

/**
 * The ResNet trunk and head, as torchvision's `ResNet`; build one with resnet18/34/50.
 *
 * @example
 * const m = resnet34({ numClasses: 10 });
 * m.fc; // Linear(512, 10)
 */
export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu = new ReLU();
  readonly maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;
  readonly avgpool = new AdaptiveAvgPool2d(1);
  readonly fc: Linear;
  readonly inChannels: number;

  constructor(kind: BlockKind, layers: readonly [number, number, number, number], opts: ResNetOptions = {}) {
    super();
    const numClasses = positiveInt('ResNet', 'numClasses', opts.numClasses ?? 1000);
    this.inChannels = positiveInt('ResNet', 'inChannels', opts.inChannels ?? 3);
    this.conv1 = new Conv2d(this.inChannels, 64, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(64);
    let inPlanes = 64;
    const makeLayer = (planes: number, blocks: number, stride: number): Sequential => {
      const out = planes * kind.expansion;
      const down =
        stride !== 1 || inPlanes !== out ? new Sequential(conv1x1(inPlanes, out, stride), new BatchNorm2d(out)) : null;
      const seq = new Sequential(kind.make(inPlanes, planes, stride, down));
      inPlanes = out;
      for (let i = 1; i < blocks; i++) seq.append(kind.make(inPlanes, planes, 1, null));
      return seq;
    };
    this.layer1 = makeLayer(64, layers[0], 1);
    this.layer2 = makeLayer(128, layers[1], 2);
    this.layer3 = makeLayer(256, layers[2], 2);
    this.layer4 = makeLayer(512, layers[3], 2);
    this.fc = new Linear(512 * kind.expansion, numClasses);
  }

  /** The pooled features before `fc`: x [N, C, H, W] -> [N, 512·expansion]. */
  features(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError('ResNet', `expects [N, ${this.inChannels}, H, W], got [${x.shape.join(',')}]`);
    }
    let h = this.maxpool.forward(this.bn1.forward(this.conv1.forward(x)).relu());
    h = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(h))));
    return this.avgpool.forward(h).flatten(1);
  }

  /** x [N, C, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.features(x));
  }
}

/**
 * ResNet-18 (BasicBlock, [2, 2, 2, 2]; 11.7M parameters at 1000 classes).
 *
 * @example
 * resnet18({ numClasses: 10, inChannels: 1 }).forward(randn([2, 1, 32, 32])).shape; // [2, 10]
 */
export function resnet18(opts: ResNetOptions = {}): ResNet {
  return new ResNet(BASIC, [2, 2, 2, 2], opts);
}

/**
 * ResNet-34 (BasicBlock, [3, 4, 6, 3]).
 *
 * @example
 * resnet34({ numClasses: 100 });
 */
export function resnet34(opts: ResNetOptions = {}): ResNet {
  return new ResNet(BASIC, [3, 4, 6, 3], opts);
}

/**
 * ResNet-50 (Bottleneck, [3, 4, 6, 3]; 2048 features before `fc`).
 *
 * @example
 * resnet50().fc.inFeatures; // 2048
 */
export function resnet50(opts: ResNetOptions = {}): ResNet {
  return new ResNet(BOTTLENECK, [3, 4, 6, 3], opts);
}
