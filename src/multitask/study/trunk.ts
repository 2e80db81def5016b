/**
 * The study's trunk: for images, the LeNet-style network of the MultiMNIST experiments of Sener &
 * Koltun (2018) — conv 5×5 (w channels), max-pool, ReLU, conv 5×5 (2w), max-pool, ReLU, a fully
 * connected layer to 5w features — with w = 10 there; for vector inputs, a two-layer MLP to 5w
 * features; for token ids (text inputs, with their vocabulary), a word embedding (8w) averaged over
 * the words and a layer to 5w features (models/text-trunk.ts), or with `encoder: transformer` the
 * zoo's BERT 8w wide (`numLayers`, default 1; `numHeads`, default 2), initialised as Hugging Face's,
 * its last hidden states averaged, then the same layer: a contextual encoder, which masked-language
 * modelling (`pretrainFinetune.unsupervised`) needs; its vocabulary has one id more than the
 * text's, `[MASK]` (textMaskId: the text's vocabSize). One width knob scales it, which is
 * what the equal-capacity check turns. Or a zoo architecture (`trunk: { arch: resnet18 }`,
 * `--arch`): the zoo model's feature part under its reference names (`conv1.weight`, …), its pooled
 * features read by the heads, optionally started from a reference checkpoint (`weights`).
 *
 * @example
 * const trunk = studyTrunk([1, 28, 28], 10);
 * trunk.module.forward(x).shape; // [N, 50]
 * configuredTrunk({ arch: 'resnet18', width: 10 }, [1, 28, 28]).features; // 512
 */
import { ValueError } from '../../core/errors.js';
import { sizeOf } from '../../core/shape.js';
import { TextTrunk } from '../../models/text-trunk.js';
import { initBertWeights } from '../../models/zoo/bert.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, type Module } from '../../nn/index.js';
import { isZooArch, zooSpecOf, zooTrunk, type ZooArch, type ZooSpec } from '../../models/zoo/zoo-net.js';

/** The text trunk's encoder: word embeddings averaged, or a transformer (BERT) averaged. */
export type TextEncoder = 'mean' | 'transformer';

/** What the text trunk is built from: the text's vocabulary and the encoder's options. */
export interface TextTrunkSpec {
  vocabSize: number;
  padId: number;
  encoder?: TextEncoder | undefined;
  /** Transformer layers and heads (transformer only; defaults 1 and 2). */
  numLayers?: number | undefined;
  numHeads?: number | undefined;
}

/**
 * The id of `[MASK]` in a transformer text trunk over a vocabulary of `vocabSize`: one past it.
 *
 * @example
 * textMaskId(8000); // 8000 (the trunk's embedding table has 8001 rows)
 */
export const textMaskId = (vocabSize: number): number => vocabSize;

/** A trunk and the width of its output. */
export interface StudyTrunk {
  module: Module;
  features: number;
}

/** Which trunk: the CNN, the MLP, or 'auto' (the CNN for images of at least 16×16, else the MLP). */
export type TrunkKind = 'auto' | 'cnn' | 'mlp';

/** Whether inputs of `shape` are images the CNN can read ([C, H, W] with H, W ≥ 16). */
const convolvable = (shape: readonly number[]): boolean => shape.length === 3 && shape[1]! >= 16 && shape[2]! >= 16;

/**
 * The trunk 'auto' picks for inputs of `shape`.
 *
 * @example
 * resolveTrunkKind('auto', [1, 28, 28]); // 'cnn'
 */
export function resolveTrunkKind(kind: TrunkKind, shape: readonly number[]): 'cnn' | 'mlp' {
  if (kind === 'cnn' && !convolvable(shape))
    throw new ValueError(
      'trunk',
      `the cnn trunk needs images [channels, height, width] of at least 16×16, the inputs are [${shape.join(',')}]; use the mlp trunk`,
    );
  return kind === 'auto' ? (convolvable(shape) ? 'cnn' : 'mlp') : kind;
}

/**
 * The trunk for inputs of `shape` (per sample) at `width`.
 *
 * @example
 * studyTrunk([20], 4).features; // 20
 * studyTrunk([1, 28, 28], 4, 'mlp'); // an MLP over the 784 pixels
 */
export function studyTrunk(
  shape: readonly number[],
  width: number,
  kind: TrunkKind = 'auto',
  text?: TextTrunkSpec,
): StudyTrunk {
  if (!Number.isInteger(width) || width < 1)
    throw new ValueError('studyTrunk', `width must be a positive integer, got ${width}`);
  const features = 5 * width;
  if (text !== undefined) {
    if (shape.length !== 1)
      throw new ValueError('studyTrunk', `token ids come one row per text, got inputs [${shape.join(',')}]`);
    // as the MLP: 8·width wide, then 5·width features
    const transformer = text.encoder === 'transformer';
    const embedDim = 8 * width;
    const heads = transformer ? (text.numHeads ?? 2) : 1;
    if (embedDim % heads !== 0)
      throw new ValueError(
        'trunk.numHeads',
        `${heads} heads must divide the transformer's width 8·width = ${embedDim}`,
      );
    const module = new TextTrunk({
      vocabSize: transformer ? textMaskId(text.vocabSize) + 1 : text.vocabSize,
      padId: text.padId,
      maxLength: shape[0]!,
      encoder: transformer ? 'transformer' : 'mean',
      embedDim,
      layers: transformer ? (text.numLayers ?? 1) : 1,
      heads,
      hidden: features,
    });
    if (module.bert !== null) initBertWeights(module.bert);
    return { module, features };
  }
  if (resolveTrunkKind(kind, shape) === 'cnn') {
    const [c, h, w] = shape as [number, number, number];
    const side = (n: number): number => Math.floor((Math.floor((n - 4) / 2) - 4) / 2);
    return {
      module: new Sequential(
        new Conv2d(c, width, 5),
        new MaxPool2d(2),
        new ReLU(),
        new Conv2d(width, 2 * width, 5),
        new MaxPool2d(2),
        new ReLU(),
        new Flatten(),
        new Linear(2 * width * side(h) * side(w), features),
        new ReLU(),
      ),
      features,
    };
  }
  const inputs = sizeOf(shape);
  return {
    module: new Sequential(
      new Flatten(),
      new Linear(inputs, 8 * width),
      new ReLU(),
      new Linear(8 * width, features),
      new ReLU(),
    ),
    features,
  };
}

/** The study config's `trunk`: the study's own network at a width, or a zoo architecture and its options. */
export type TrunkConfig = {
  arch: TrunkKind | ZooArch;
  width: number;
  weights?: string | undefined;
  /** Text inputs: the encoder (default mean). */
  encoder?: TextEncoder | undefined;
} & {
  [K in Exclude<keyof ZooSpec, 'arch'>]?: ZooSpec[K] | undefined;
};

/**
 * The trunk a study config's `trunk` names for inputs of `shape`, at `width` (the study's own
 * network; a zoo trunk has its own size); checked against the inputs first, so a zoo arch on
 * token ids, on images too small, or with another architecture's options is a one-line error.
 *
 * @example
 * configuredTrunk({ arch: 'mobilenet_v2', width: 10, widthMult: 0.25 }, [1, 28, 28]).module; // trunk.features.0.0.weight, ...
 */
export function configuredTrunk(
  c: TrunkConfig,
  shape: readonly number[],
  width = c.width,
  text?: { vocabSize: number; padId: number },
): StudyTrunk {
  const { arch } = c;
  const transformer = c.encoder === 'transformer';
  if (c.encoder !== undefined && c.encoder !== 'mean' && text === undefined)
    throw new ValueError('trunk.encoder', `${c.encoder} reads token ids, but the tasks' inputs are not text`);
  if (!isZooArch(arch)) {
    // a transformer text trunk takes its layers and heads from the zoo's names
    const own = transformer && text !== undefined ? ['numLayers', 'numHeads'] : [];
    const misplaced = (
      ['widthMult', 'patchSize', 'numLayers', 'numHeads', 'hiddenDim', 'mlpDim', 'weights'] as const
    ).filter((k) => c[k] !== undefined && !own.includes(k));
    if (misplaced.length > 0)
      throw new ValueError(
        'trunk',
        `${misplaced.join(', ')} apply to a zoo arch (resnet18, vit, ...) (numLayers, numHeads also to encoder: transformer on text), not ${arch}`,
      );
    return studyTrunk(
      shape,
      width,
      arch,
      text === undefined ? undefined : { ...text, encoder: c.encoder, numLayers: c.numLayers, numHeads: c.numHeads },
    );
  }
  if (text !== undefined)
    throw new ValueError('trunk.arch', `${arch} reads images, but the tasks' inputs are token ids; use arch: auto`);
  const { trunk, featureDim } = zooTrunk(zooSpecOf({ ...c, arch }), shape, 'trunk');
  return { module: trunk, features: featureDim };
}
