/**
 * The config of `train`, `pretrain` and `finetune` (and what `eval` and `predict` read back from a
 * run): the data, a model from the zoo (mlp, cnn), the optimizer and the training loop. Every
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
});

/** How `finetune` adapts a pre-trained model. */
export const finetuneSchema = z.strictObject({
  /** The pre-trained run (id, id suffix or directory) or checkpoint directory. */
  from: z.string().min(1),
  /** 'linear-probe' trains the new head only; 'full' trains everything. */
  strategy: z.enum(['full', 'linear-probe']).default('full'),
  /** The trunk's learning rate relative to the head's ('full' only). */
  trunkLrScale: z.number().gt(0).max(1).default(1),
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
  finetune: finetuneSchema,
});

export type DataOnlyConfig = z.output<typeof dataConfigSchema>;
export type ModelConfig = z.output<typeof zooSchema>;
export type TrainConfig = z.output<typeof trainConfigSchema>;
export type FinetuneConfig = z.output<typeof finetuneConfigSchema>;
