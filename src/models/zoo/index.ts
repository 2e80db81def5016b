/**
 * The model zoo: standard architectures whose state-dict names are those of the reference
 * implementation (torchvision for ResNet, MobileNet and ViT; Hugging Face `transformers` for BERT),
 * so a reference checkpoint saved as safetensors loads with `{ strict: true }`. Imported from the
 * subpath `polytask/models`, not from the package root.
 *
 * @example
 * import { resnet18 } from 'polytask/models';
 * import { loadSafetensors } from 'polytask';
 * const m = resnet18({ numClasses: 1000 });
 * m.loadStateDict(loadSafetensors('resnet18.safetensors'), { strict: true });
 * m.eval().forward(x); // x [N, 3, 224, 224] -> [N, 1000]
 */
export { convNormActivation, makeDivisible, type ConvNormActivationOptions } from './common.js';
export { resnet18, resnet34, resnet50, ResNet, BasicBlock, Bottleneck, type ResNetOptions } from './resnet.js';
export {
  mobilenetV2,
  mobilenetV3Small,
  MobileNetV2,
  MobileNetV3Small,
  InvertedResidualV2,
  InvertedResidualV3,
  SqueezeExcitation,
  type MobileNetOptions,
} from './mobilenet.js';
export {
  vitB16,
  vitSmall16,
  visionTransformer,
  VisionTransformer,
  VitEncoder,
  EncoderBlock,
  type VitOptions,
} from './vit.js';
export {
  bertEncoder,
  bertForSequenceClassification,
  initBertWeights,
  BertModel,
  BertForSequenceClassification,
  BertLayer,
  type BertOptions,
  type BertClassifierOptions,
  type BertInputs,
  type BertOutput,
} from './bert.js';
export { BertForMaskedLM } from './bert-mlm.js';
export {
  rawAudioCnn,
  spectrogramCnn,
  RawAudioCnn,
  SpectrogramCnn,
  type RawAudioCnnOptions,
  type SpectrogramCnnOptions,
} from './audio.js';
export {
  importTfjsLayers,
  loadTfjsLayersModel,
  TfjsLayersModel,
  type TfjsArtifacts,
  type TfjsForwardOptions,
} from '../importers/tfjs/index.js';
export {
  loadPretrained,
  pretrainedBackbones,
  type PretrainedBackbone,
  type PretrainedInfo,
} from '../pretrained/index.js';
export { melFrontEnd, MelFrontEnd } from './mel-frontend.js';
export {
  zooArchs,
  isZooArch,
  checkZooInput,
  zooTrunk,
  zooNet,
  zooSpecOf,
  zooOptionsShape,
  ZooTrunk,
  MIN_IMAGE_SIDE,
  type ZooArch,
  type ZooSpec,
} from './zoo-net.js';
export { loadReferenceWeights, type ReferenceWeightsOptions } from './reference-weights.js';
