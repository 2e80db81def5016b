/**
 * The config of `train`, `pretrain` and `finetune` (and what `eval` and `predict` read back from a
 * run): the data, a model from the zoo (mlp, cnn, text, audio), the optimizer and the training loop. Every
 * mapping is strict, so a misspelt key is an error rather than a silently ignored setting, and
 * every field but the data source has a default.
 *
 * @example
 * // examples/train-mnist-mlp.yaml
 * // data: { source: mnist, limit: 4000 }
 * // model: { arch: mlp, hidden: [128] }
 * // training: { epochs: 3, batchSize: 64, earlyStopping: { metric: accuracy, patience: 3 }, classWeights: balanced }
 * const config = validateConfig(trainConfigSchema, readConfigFile(file), { file });
 */
import { z } from 'zod';
import { dataSchema, type DataConfig } from '../../data/sources/index.js';
import { strategyKeys } from '../../transfer/strategies/types.js';
import { PRECISIONS } from '../../tensor/index.js';

export { dataSchema, type DataConfig };

const positiveInt = z.number().int().min(1);
/** The model zoo: a trunk from transfer's architecture registry and one linear head. */
const zooSchema = z.discriminatedUnion('arch', [
  z.strictObject({ arch: z.literal('mlp'), hidden: z.array(positiveInt).default([128]) }),
  z.strictObject({
    arch: z.literal('cnn'),
    channels: z.array(positiveInt).min(1).default([16, 32]),
    hidden: z.number().int().min(0).default(64),
    batchNorm: z.boolean().default(false),
  }),
  /** Token ids (a text source): averaged embeddings, or a small BERT encoder, then the head. */
  z.strictObject({
    arch: z.literal('text'),
    encoder: z.enum(['mean', 'transformer']).default('mean'),
    embedDim: positiveInt.max(4096).default(64),
    layers: positiveInt.max(48).default(2),
    heads: positiveInt.default(4),
    hidden: z.number().int().min(0).default(0),
  }),
  /** Waveforms (an audio source): the raw-waveform 1-D CNN M5. */
  z.strictObject({
    arch: z.literal('audio'),
    channels: positiveInt.max(1024).default(32),
    stride: positiveInt.max(1024).default(16),
  }),
  /** The vision zoo (torchvision names); `weights`: a torchvision-named safetensors file to start the trunk from. */
  z.strictObject({
    arch: z.literal(['resnet18', 'resnet34', 'resnet50']),
    weights: z.string().min(1).optional(),
  }),
  z.strictObject({
    arch: z.literal(['mobilenet_v2', 'mobilenet_v3_small']),
    widthMult: z.number().gt(0).max(4).default(1),
    weights: z.string().min(1).optional(),
  }),
  z.strictObject({
    arch: z.literal('vit'),
    patchSize: positiveInt.max(256).default(8),
    numLayers: positiveInt.max(48).default(4),
    numHeads: positiveInt.max(64).default(4),
    hiddenDim: positiveInt.max(4096).default(128),
    mlpDim: positiveInt.max(16384).default(256),
    weights: z.string().min(1).optional(),
  }),
  /** A trained backbone from an npm package (`polytask/models`' pretrainedBackbones()): RGB images. */
  z.strictObject({ arch: z.literal('pretrained'), name: z.string().min(1).default('nsfw-mobilenet-v2') }),
]);

/** The model config; a mapping without an arch means the MLP (`model: { hidden: [256] }`). */
export const modelSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && !('arch' in v) ? { arch: 'mlp', ...v } : v),
  zooSchema,
);

export const optimizerSchema = z.strictObject({
  name: z.enum(['adam', 'adamw', 'sgd']).default('adam'),
  lr: z.number().gt(0).default(1e-3),
  weightDecay: z.number().min(0).default(0),
  /** SGD only. */
  momentum: z.number().min(0).lt(1).default(0.9),
  /** 'cosine': anneal the rate to zero over the run. */
  schedule: z.enum(['constant', 'cosine']).default('constant'),
});

export const trainingSchema = z.strictObject({
  epochs: positiveInt.default(3),
  batchSize: positiveInt.default(64),
  clipGradNorm: z.number().gt(0).optional(),
  /** Evaluate on the test split every this many epochs. */
  evalEvery: positiveInt.default(1),
  /** Also checkpoint every this many steps (there is always one per epoch and one on stop). */
  checkpointEverySteps: positiveInt.optional(),
  /** Stop after this many steps in total. */
  maxSteps: positiveInt.optional(),
  /**
   * Share of the training examples held out (stratified, seeded) as a validation split, scored
   * every epoch; early stopping selects on it (default 0.1 when early stopping is on). Never the
   * test split: choosing the epoch by test scores would make the test score optimistic.
   */
  valFraction: z.number().gt(0).lt(1).optional(),
  /** Stop when the validation score has not improved for `patience` epochs; keep the best epoch's weights. */
  earlyStopping: z
    .strictObject({
      metric: z.enum(['accuracy', 'macroF1', 'loss']).default('accuracy'),
      /** Default: 'max' for accuracy and macroF1, 'min' for loss. */
      mode: z.enum(['max', 'min']).optional(),
      patience: positiveInt.default(3),
      minDelta: z.number().min(0).default(0),
    })
    .optional(),
  /** Cross-entropy class weights: 'balanced' (n / (classes · n_c)) or one weight per class. */
  classWeights: z.union([z.literal('balanced'), z.array(z.number().min(0)).min(2)]).optional(),
  /** 'bf16': matmuls and convolutions in bf16 mixed precision (autocast); default fp32. */
  precision: z.enum(PRECISIONS).optional(),
});

/** How `finetune` adapts a pre-trained model: every strategy of polytask/transfer, or LoRA. */
export const finetuneSchema = z.strictObject({
  /**
   * The pre-trained run (id, id suffix or directory) or checkpoint directory; or none, when a zoo
   * model starts from a weights file (`model.weights`, `--arch ARCH --weights FILE`).
   */
  from: z.string().min(1).optional(),
  /**
   * scratch, linear-probe, full, lp-ft, gradual, discriminative (src/transfer/strategies/), or
   * lora: low-rank adapters on `lora.targets`, trained with the new head, merged at the end.
   */
  strategy: z.enum([...strategyKeys, 'lora']).default('full'),
  /** Learning rate of a linear probe (and of LP-FT's probe phase). Default: optimizer.lr. */
  probeLr: z.number().gt(0).optional(),
  /** Epochs of LP-FT's probe phase. Default: training.epochs. */
  probeEpochs: positiveInt.optional(),
  /** discriminative: each layer group's rate over the rate of the group above it (default 1/2.6). */
  layerDecay: z.number().gt(0).max(1).optional(),
  /** Keep batch-norm layers on their pre-trained statistics while training. */
  frozenBatchNorm: z.boolean().default(false),
  /** L2-SP: pull the trunk (α) and the head (β) towards the pre-trained weights. */
  l2sp: z.strictObject({ alpha: z.number().min(0), beta: z.number().min(0).default(0) }).optional(),
  /** BSS: shrink the k smallest squared singular values of the trunk's features by η. */
  bss: z.strictObject({ eta: z.number().gt(0), k: positiveInt.optional() }).optional(),
  /** LoRA's adapters (strategy lora). */
  lora: z
    .strictObject({
      rank: positiveInt.default(8),
      /** The update is scaled by alpha / rank. Default: rank. */
      alpha: z.number().gt(0).optional(),
      dropout: z.number().min(0).lt(1).default(0),
      /** Globs on module names: 'trunk.*' adapts every linear and conv layer of the trunk. */
      targets: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default('trunk.*'),
    })
    .prefault({}),
});

const base = {
  /** The task's name: the name of its head in the model and of its metrics. */
  task: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and -')
    .default('class'),
  seed: z.number().int().min(0).default(0),
  data: dataSchema.default({ source: 'mnist', testFraction: 0.2 }),
  model: modelSchema.default({ arch: 'mlp', hidden: [128] }),
  optimizer: optimizerSchema.default(optimizerSchema.parse({})),
  training: trainingSchema.default(trainingSchema.parse({})),
};

/** What `transferability` and `data prepare` read: the data and the seed of its split. */
export const dataConfigSchema = z.strictObject({ seed: base.seed, data: base.data });

/** `train` and `pretrain`. */
export const trainConfigSchema = z.strictObject(base);

/** `finetune`: a training whose model starts from a pre-trained one (its arch comes from there). */
export const finetuneConfigSchema = z.strictObject({
  ...base,
  model: modelSchema.optional(),
  finetune: finetuneSchema.prefault({}),
});

export type DataOnlyConfig = z.output<typeof dataConfigSchema>;
export type ModelConfig = z.output<typeof zooSchema>;
export type TrainConfig = z.output<typeof trainConfigSchema>;
export type FinetuneConfig = z.output<typeof finetuneConfigSchema>;
