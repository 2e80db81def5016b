/**
 * The zoo's vision models as trunks of the registry (`model: { arch: resnet18 }` in a training
 * config, `--arch resnet18` on the command line): ResNet-18/34/50, MobileNetV2, MobileNetV3-Small
 * and a Vision Transformer, each without its classifier, so a task's head reads its pooled
 * features. The trunk's children are the torchvision model's own (`trunk.conv1.weight`,
 * `trunk.layer1.0.bn1.running_mean`, `trunk.features.3.conv.0.0.weight`), so torchvision weights
 * load into it by name (`loadTrunkWeights`).
 *
 * @example
 * const { trunk, featureDim } = visionArchs.resnet18.trunk(visionArchs.resnet18.resolve({ inChannels: 3, height: 32, width: 32 }));
 * trunk.forward(randn([2, 3, 32, 32])).shape; // [2, 512]
 */
import { z } from 'zod';
import { ValueError } from '../../core/errors.js';
import { parseConfig } from '../../config/index.js';
import { mobilenetV2, mobilenetV3Small } from '../../models/zoo/mobilenet.js';
import { resnet18, resnet34, resnet50, type ResNet } from '../../models/zoo/resnet.js';
import { visionTransformer } from '../../models/zoo/vit.js';
import { MIN_IMAGE_SIDE, ZooTrunk } from '../../models/zoo/zoo-net.js';
import type { Architecture, ArchConfig, BuiltTrunk } from './types.js';

const positive = z.number().int().min(1);
const imageShape = {
  inChannels: positive.max(64).default(3),
  height: positive.min(MIN_IMAGE_SIDE).max(4096),
  width: positive.min(MIN_IMAGE_SIDE).max(4096),
};
/**
 * The input shape of an image trunk's resolved config: [inChannels, height, width].
 *
 * @example
 * imageInputShape({ inChannels: 3, height: 32, width: 32 }); // [3, 32, 32]
 */
export const imageInputShape = (config: ArchConfig): number[] => {
  const c = config as z.output<typeof resnetSchema>;
  return [c.inChannels, c.height, c.width];
};

const cnnSchema = z.strictObject({ ...imageShape, widthMult: z.number().gt(0).max(4).default(1) });
const resnetSchema = z.strictObject(imageShape);
const vitSchema = z.strictObject({
  ...imageShape,
  patchSize: positive.max(256).default(16),
  numLayers: positive.max(48).default(6),
  numHeads: positive.max(64).default(6),
  hiddenDim: positive.max(4096).default(384),
  mlpDim: positive.max(16384).default(1536),
});

function resnetArch(make: (o: { numClasses: number; inChannels: number }) => ResNet, dim: number): Architecture {
  return {
    resolve: (config: ArchConfig) => parseConfig(resnetSchema, config, 'resnet config'),
    trunk: (config: ArchConfig): BuiltTrunk => {
      const c = config as z.output<typeof resnetSchema>;
      const m = make({ numClasses: 1, inChannels: c.inChannels });
      return { trunk: new ZooTrunk(m, 'fc', (x) => m.features(x)), featureDim: dim };
    },
    inputShape: imageInputShape,
  };
}

function mobileArch(v3: boolean): Architecture {
  return {
    resolve: (config: ArchConfig) => parseConfig(cnnSchema, config, `mobilenet_${v3 ? 'v3_small' : 'v2'} config`),
    trunk: (config: ArchConfig): BuiltTrunk => {
      const c = config as z.output<typeof cnnSchema>;
      const o = { numClasses: 1, inChannels: c.inChannels, widthMult: c.widthMult };
      const m = v3 ? mobilenetV3Small(o) : mobilenetV2(o);
      // the classifier's first layer reads the pooled features: its input width is theirs
      const first = m.classifier.namedParameters().find(([n]) => n.endsWith('weight'))![1];
      const featureDim = first.shape[1]!;
      return { trunk: new ZooTrunk(m, 'classifier', (x) => m.features.forward(x).mean([2, 3])), featureDim };
    },
    inputShape: imageInputShape,
  };
}

const vitArch: Architecture = {
  resolve: (config: ArchConfig) => {
    const c = parseConfig(vitSchema, config, 'vit config');
    if (c.height !== c.width)
      throw new ValueError(
        'vit config',
        `images must be square, got ${c.height}×${c.width} (set data.size to one number)`,
      );
    if (c.height % c.patchSize !== 0)
      throw new ValueError('vit config', `patchSize ${c.patchSize} must divide the image side ${c.height}`);
    if (c.hiddenDim % c.numHeads !== 0)
      throw new ValueError('vit config', `numHeads ${c.numHeads} must divide hiddenDim ${c.hiddenDim}`);
    return c;
  },
  trunk: (config: ArchConfig): BuiltTrunk => {
    const c = config as z.output<typeof vitSchema>;
    const { height, width: _w, ...rest } = c;
    const m = visionTransformer({ ...rest, imageSize: height, numClasses: 1 });
    return { trunk: new ZooTrunk(m, 'heads', (x) => m.features(x)), featureDim: c.hiddenDim };
  },
  inputShape: imageInputShape,
};

/** The vision zoo's registry entries, by arch name. */
export const visionArchs = {
  resnet18: resnetArch(resnet18, 512),
  resnet34: resnetArch(resnet34, 512),
  resnet50: resnetArch(resnet50, 2048),
  mobilenet_v2: mobileArch(false),
  mobilenet_v3_small: mobileArch(true),
  vit: vitArch,
} as const satisfies Record<string, Architecture>;

export type VisionArchName = keyof typeof visionArchs;
