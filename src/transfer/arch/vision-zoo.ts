/**
 * The zoo's vision models as trunks of the registry (`model: { arch: resnet18 }` in a training
 * config, `--arch resnet18` on the command line): ResNet-18/34/50, MobileNetV2, MobileNetV3-Small
 * and a Vision Transformer, each without its classifier, so a task's head reads its pooled
 * features. The trunk's children are the torchvision model's own (`trunk.conv1.weight`,
 * `trunk.layer1.0.bn1.running_mean`, `trunk.features.3.conv.0.0.weight`), so torchvision weights
 * load into it by name (`loadTrunkWeights`). The trunks are the zoo's (models/zoo/zoo-net.ts), the
 * multi-task study's `--arch` trunks too; this file adds the registry's config checks and defaults.
 *
 * @example
 * const { trunk, featureDim } = visionArchs.resnet18.trunk(visionArchs.resnet18.resolve({ inChannels: 3, height: 32, width: 32 }));
 * trunk.forward(randn([2, 3, 32, 32])).shape; // [2, 512]
 */
import { z } from 'zod';
import { ValueError } from '../../core/errors.js';
import { parseConfig } from '../../config/index.js';
import { MIN_IMAGE_SIDE, zooTrunk, type ZooSpec } from '../../models/zoo/zoo-net.js';
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

/** A trunk of the zoo (models/zoo/zoo-net.ts builds it) for a resolved config. */
function trunkOf(spec: ZooSpec, config: ArchConfig): BuiltTrunk {
  const { trunk, featureDim } = zooTrunk(spec, imageInputShape(config), 'architecture');
  return { trunk, featureDim };
}

function resnetArch(arch: 'resnet18' | 'resnet34' | 'resnet50'): Architecture {
  return {
    resolve: (config: ArchConfig) => parseConfig(resnetSchema, config, 'resnet config'),
    trunk: (config: ArchConfig): BuiltTrunk => trunkOf({ arch }, config),
    inputShape: imageInputShape,
  };
}

function mobileArch(arch: 'mobilenet_v2' | 'mobilenet_v3_small'): Architecture {
  return {
    resolve: (config: ArchConfig) => parseConfig(cnnSchema, config, `${arch} config`),
    trunk: (config: ArchConfig): BuiltTrunk =>
      trunkOf({ arch, widthMult: (config as z.output<typeof cnnSchema>).widthMult }, config),
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
    const { patchSize, numLayers, numHeads, hiddenDim, mlpDim } = config as z.output<typeof vitSchema>;
    return trunkOf({ arch: 'vit', patchSize, numLayers, numHeads, hiddenDim, mlpDim }, config);
  },
  inputShape: imageInputShape,
};

/** The vision zoo's registry entries, by arch name. */
export const visionArchs = {
  resnet18: resnetArch('resnet18'),
  resnet34: resnetArch('resnet34'),
  resnet50: resnetArch('resnet50'),
  mobilenet_v2: mobileArch('mobilenet_v2'),
  mobilenet_v3_small: mobileArch('mobilenet_v3_small'),
  vit: vitArch,
} as const satisfies Record<string, Architecture>;

export type VisionArchName = keyof typeof visionArchs;
