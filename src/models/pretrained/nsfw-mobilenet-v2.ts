/**
 * MobileNetV2 (Keras layout, width 1.0, 224×224) from the npm package `nsfwjs` (MIT): ImageNet
 * weights fine-tuned by its authors on about 60 GB of web images in five classes (drawings,
 * neutral photos and three kinds of adult content). polytask uses its convolutional trunk only
 * (up to `out_relu`, 1,280 channels) with global average pooling: a general image feature
 * extractor; the package's own five-class head is not used. The weights are stored quantised to
 * 8 bits in the package's JavaScript modules; they are read from there and imported through the
 * TF.js importer (src/models/importers/tfjs/), which matches TF.js's outputs on this model.
 *
 * @example
 * const b = nsfwMobilenetV2();
 * b.module.forward(rand([2, 3, 224, 224])).shape; // [2, 1280]
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { FormatError, ValueError } from '../../core/errors.js';
import { Module } from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import { importTfjsLayers, type TfjsLayersModel } from '../importers/tfjs/index.js';
import type { PretrainedBackbone, PretrainedInfo } from './types.js';

export const NSFW_MOBILENET_V2: PretrainedInfo = {
  name: 'nsfw-mobilenet-v2',
  summary: 'MobileNetV2 (Keras, width 1.0) trunk with global average pooling: 1,280 features',
  trainedOn:
    'ImageNet, then fine-tuned by the nsfwjs authors on ~60 GB of web images in 5 classes (drawing, neutral, and 3 adult-content classes)',
  licence: 'MIT (npm package nsfwjs 4.4)',
  package: 'nsfwjs',
  inputShape: [3, 224, 224],
};

/** The trunk with global average pooling, on [0, 1] pixels (Keras MobileNetV2 wants [-1, 1]). */
class MobileNetFeatures extends Module {
  constructor(readonly net: TfjsLayersModel) {
    super();
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3)
      throw new ValueError('nsfw-mobilenet-v2', `expects RGB images [N, 3, H, W], got [${x.shape.join(', ')}]`);
    return this.net.forward(x.mul(2).sub(1), { until: 'out_relu' }).mean([2, 3]);
  }
}

/**
 * The backbone, read from the installed `nsfwjs` package; a one-line error naming the package when
 * it is not installed.
 *
 * @example
 * nsfwMobilenetV2().featureDim; // 1280
 */
export function nsfwMobilenetV2(): PretrainedBackbone {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.join(path.dirname(require.resolve('nsfwjs')), '..', 'models', 'mobilenet_v2');
  } catch {
    throw new ValueError('pretrained:nsfw-mobilenet-v2', 'needs the npm package nsfwjs (npm install nsfwjs@4)');
  }
  // the package stores model.json and its one weight shard as CommonJS modules (an object and a base64 string)
  const model = require(path.join(dir, 'model.min.js')) as unknown;
  const shard = require(path.join(dir, 'group1-shard1of1.min.js')) as unknown;
  const where = `${dir}/model.min.js`;
  if (typeof model !== 'object' || model === null || typeof shard !== 'string')
    throw new FormatError(where, 'expected the model object and a base64 weight shard');
  const m = model as { modelTopology?: unknown; weightsManifest?: { weights?: unknown }[] };
  const specs = m.weightsManifest?.[0]?.weights;
  if (!Array.isArray(specs)) throw new FormatError(where, 'expected weightsManifest[0].weights');
  const net = importTfjsLayers(
    { modelTopology: m.modelTopology, weightSpecs: specs, weightData: Buffer.from(shard, 'base64') },
    where,
  );
  return { ...NSFW_MOBILENET_V2, module: new MobileNetFeatures(net), featureDim: 1280 };
}
