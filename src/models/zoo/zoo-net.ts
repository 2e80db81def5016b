/**
 * The vision zoo as the studies' networks: a shared trunk (the zoo model's feature part, its
 * pooled features read by one head per task) or a whole network (the zoo model with its own
 * classifier sized to the outputs), for images of a given shape. The parameters keep the zoo
 * model's reference names (`conv1.weight`, `layer1.0.bn1.running_mean`, `features.3.conv.0.0.weight`,
 * `encoder.layers.encoder_layer_0.self_attention.in_proj_weight`), so torchvision weights load
 * into them by name. `checkZooInput` says, before anything is built, whether images of a shape
 * fit an architecture and its options.
 *
 * @example
 * const { trunk, featureDim } = zooTrunk({ arch: 'resnet18' }, [1, 28, 28]);
 * trunk.forward(randn([2, 1, 28, 28])).shape;            // [2, 512]
 * zooNet({ arch: 'vit', patchSize: 4 }, [1, 28, 28], 19); // VisionTransformer, heads.head: 128 → 19
 */
import * as z from 'zod';
import { ValueError } from '../../core/errors.js';
import { Linear, Module, resetParameters, type AnyModule } from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import { mobilenetV2, mobilenetV3Small } from './mobilenet.js';
import { resnet18, resnet34, resnet50 } from './resnet.js';
import { visionTransformer } from './vit.js';

/** The zoo's vision architectures by their CLI names (`--arch`). */
export const zooArchs = ['resnet18', 'resnet34', 'resnet50', 'mobilenet_v2', 'mobilenet_v3_small', 'vit'] as const;
export type ZooArch = (typeof zooArchs)[number];

/** The smallest image side the zoo's networks take (ResNet-18 reduces 16×16 to 1×1 features). */
export const MIN_IMAGE_SIDE = 16;

/** A zoo architecture and its options; an option of another architecture is refused. */
export interface ZooSpec {
  arch: ZooArch;
  /** MobileNets: width multiplier of every layer's channels. Default 1. */
  widthMult?: number;
  /** ViT: side of a square patch, dividing the image's sides. Default 4. */
  patchSize?: number;
  /** ViT: transformer blocks. Default 4. */
  numLayers?: number;
  /** ViT: attention heads, dividing hiddenDim. Default 4. */
  numHeads?: number;
  /** ViT: token width. Default 128. */
  hiddenDim?: number;
  /** ViT: hidden width of each block's MLP. Default 256. */
  mlpDim?: number;
}

const VIT_KEYS = ['patchSize', 'numLayers', 'numHeads', 'hiddenDim', 'mlpDim'] as const;

/**
 * The zod fields of a config that names a zoo architecture beside `arch` (the studies' `trunk` and
 * `model`): the options of ZooSpec and `weights`, a safetensors file with the model's reference
 * names to start from. Which option fits which arch is checkZooInput's.
 */
export const zooOptionsShape = {
  widthMult: z.number().gt(0).max(4).optional(),
  patchSize: z.int().min(1).max(256).optional(),
  numLayers: z.int().min(1).max(48).optional(),
  numHeads: z.int().min(1).max(64).optional(),
  hiddenDim: z.int().min(1).max(4096).optional(),
  mlpDim: z.int().min(1).max(16384).optional(),
  weights: z.string().min(1).optional(),
};

/**
 * The ZooSpec part of a config object that names a zoo arch (its `weights` and other keys left out).
 *
 * @example
 * zooSpecOf({ arch: 'vit', width: 10, patchSize: 4, weights: 'v.safetensors' }); // { arch: 'vit', patchSize: 4 }
 */
export function zooSpecOf(c: { arch: ZooArch } & Omit<ZooSpec, 'arch'>): ZooSpec {
  const out: ZooSpec = { arch: c.arch };
  for (const k of ['widthMult', ...VIT_KEYS] as const) if (c[k] !== undefined) out[k] = c[k];
  return out;
}

const VIT_DEFAULTS = { patchSize: 4, numLayers: 4, numHeads: 4, hiddenDim: 128, mlpDim: 256 };

/**
 * Whether `name` is a zoo architecture.
 *
 * @example
 * isZooArch('resnet18'); // true
 */
export function isZooArch(name: unknown): name is ZooArch {
  return typeof name === 'string' && (zooArchs as readonly string[]).includes(name);
}

/**
 * Throws a one-line ValueError (under `where`) unless images of `shape` [C, H, W] fit `spec`:
 * an image shape, sides of at least MIN_IMAGE_SIDE, the ViT's patch dividing both sides (a
 * rectangular image has a position table of its own: a torchvision checkpoint fits square images
 * of its size only), its heads dividing its width, and only options of the spec's architecture.
 *
 * @example
 * checkZooInput({ arch: 'vit', patchSize: 8 }, [1, 28, 28], 'trunk'); // throws: patchSize 8 must divide 28
 */
export function checkZooInput(spec: ZooSpec, shape: readonly number[], where: string): void {
  if (!isZooArch(spec.arch))
    throw new ValueError(where, `unknown arch ${JSON.stringify(spec.arch)}, expected one of ${zooArchs.join(', ')}`);
  const given = (k: keyof ZooSpec): boolean => spec[k] !== undefined;
  if (spec.arch !== 'vit' && VIT_KEYS.some(given))
    throw new ValueError(where, `${VIT_KEYS.filter(given).join(', ')} apply to arch vit, not ${spec.arch}`);
  if (!spec.arch.startsWith('mobilenet') && given('widthMult'))
    throw new ValueError(where, `widthMult applies to the MobileNets, not ${spec.arch}`);
  if (shape.length !== 3)
    throw new ValueError(
      where,
      `${spec.arch} needs image inputs [channels, height, width], but the inputs are [${shape.join(',')}]`,
    );
  const [, h, w] = shape as [number, number, number];
  if (h < MIN_IMAGE_SIDE || w < MIN_IMAGE_SIDE)
    throw new ValueError(
      where,
      `${spec.arch} needs images of at least ${MIN_IMAGE_SIDE}×${MIN_IMAGE_SIDE}, the inputs are ${h}×${w}`,
    );
  if (spec.arch === 'vit') {
    const v = { ...VIT_DEFAULTS, ...spec };
    if (h % v.patchSize !== 0 || w % v.patchSize !== 0)
      throw new ValueError(where, `vit: patchSize ${v.patchSize} must divide the image sides ${h}×${w}`);
    if (v.hiddenDim % v.numHeads !== 0)
      throw new ValueError(where, `vit: numHeads ${v.numHeads} must divide hiddenDim ${v.hiddenDim}`);
  }
}

/**
 * A zoo model's feature part as a trunk: every child but the classifier, registered under its own
 * name, and the model's pooled features as the output. `resetParameters()` re-initialises the
 * whole model by its own scheme (a ViT's class token and position table included).
 *
 * @example
 * const m = resnet18({ numClasses: 1 });
 * new ZooTrunk(m, 'fc', (x) => m.features(x)).forward(x); // [N, 512]
 */
export class ZooTrunk extends Module {
  readonly #model: AnyModule;
  readonly #features: (x: Tensor) => Tensor;

  constructor(model: AnyModule, classifier: string, features: (x: Tensor) => Tensor) {
    super();
    for (const [name, child] of model.namedChildren()) if (name !== classifier) this.registerModule(name, child);
    for (const [name, p] of model.namedParameters()) if (!name.includes('.')) this.registerParameter(name, p); // a ViT's class token and position table
    this.#model = model;
    this.#features = features;
  }

  /** The model's every parameter as at construction (its unused classifier too). */
  resetParameters(): void {
    resetParameters(this.#model);
  }

  forward(x: Tensor): Tensor {
    return this.#features(x);
  }
}

/** A zoo model with `classes` outputs for images of `shape`, its classifier's name and its features. */
function build(
  spec: ZooSpec,
  shape: readonly number[],
  classes: number,
): { model: Module; classifier: string; head: string; features: (x: Tensor) => Tensor; featureDim: number } {
  const [inChannels, height, width] = shape as [number, number, number];
  switch (spec.arch) {
    case 'resnet18':
    case 'resnet34':
    case 'resnet50': {
      const make = { resnet18, resnet34, resnet50 }[spec.arch];
      const m = make({ numClasses: classes, inChannels });
      return { model: m, classifier: 'fc', head: 'fc', features: (x) => m.features(x), featureDim: m.fc.inFeatures };
    }
    case 'mobilenet_v2':
    case 'mobilenet_v3_small': {
      const o = { numClasses: classes, inChannels, widthMult: spec.widthMult ?? 1 };
      const m = spec.arch === 'mobilenet_v2' ? mobilenetV2(o) : mobilenetV3Small(o);
      // the classifier's first layer reads the pooled features: its input width is theirs
      const first = m.classifier.namedParameters().find(([n]) => n.endsWith('weight'))![1];
      const last = m.classifier
        .namedChildren()
        .filter(([, c]) => c instanceof Linear)
        .pop()![0];
      return {
        model: m,
        classifier: 'classifier',
        head: `classifier.${last}`,
        features: (x) => m.features.forward(x).mean([2, 3]),
        featureDim: first.shape[1]!,
      };
    }
    case 'vit': {
      const v = { ...VIT_DEFAULTS, ...spec };
      const m = visionTransformer({
        imageSize: height === width ? height : [height, width],
        patchSize: v.patchSize,
        numLayers: v.numLayers,
        numHeads: v.numHeads,
        hiddenDim: v.hiddenDim,
        mlpDim: v.mlpDim,
        inChannels,
        numClasses: classes,
      });
      return {
        model: m,
        classifier: 'heads',
        head: 'heads.head',
        features: (x) => m.features(x),
        featureDim: v.hiddenDim,
      };
    }
  }
}

/**
 * The feature part of `spec`'s zoo model for images of `shape` (checked), and its width.
 *
 * @example
 * zooTrunk({ arch: 'mobilenet_v2', widthMult: 0.25 }, [3, 32, 32]).featureDim; // 1280
 */
export function zooTrunk(
  spec: ZooSpec,
  shape: readonly number[],
  where = 'arch',
): { trunk: ZooTrunk; featureDim: number } {
  checkZooInput(spec, shape, where);
  const b = build(spec, shape, 1);
  return { trunk: new ZooTrunk(b.model, b.classifier, b.features), featureDim: b.featureDim };
}

/**
 * `spec`'s whole zoo model for images of `shape` (checked), its classifier giving `outputs` raw
 * outputs; with the name of its last layer (`fc`, `classifier.3`, `heads.head`), sized to the
 * outputs, whose weights a reference checkpoint cannot give.
 *
 * @example
 * zooNet({ arch: 'resnet18' }, [1, 28, 56], 19).net.forward(x).shape; // [N, 19]
 */
export function zooNet(
  spec: ZooSpec,
  shape: readonly number[],
  outputs: number,
  where = 'arch',
): { net: Module; head: string } {
  checkZooInput(spec, shape, where);
  const b = build(spec, shape, outputs);
  return { net: b.model, head: b.head };
}
