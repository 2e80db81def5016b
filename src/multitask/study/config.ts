/**
 * The configuration of the multi-task study, with defaults sized so that the default run on the
 * built-in MultiMNIST finishes in a few minutes on two cores: 3000 training images, a LeNet-sized
 * trunk, 3 epochs, and the methods ew, uw, pcgrad, mgda and famo.
 *
 * ```yaml
 * dataset: multimnist      # multimnist | multifashion | scene | scene-fashion | path/to/tasks.yaml
 * methods: [ew, uw, pcgrad, mgda, famo]
 * epochs: 3               # at most: early stopping on the validation split may end a run sooner
 * validation: 0.1          # share of the training data held out to stop on (0: none)
 * patience: 2              # epochs without a lower validation loss before a run stops
 * batchSize: 64
 * lr: 0.001
 * seeds: [0]
 * trunk: { width: 10 }     # conv channels width and 2·width, representation 5·width
 *                          # or a zoo trunk: { arch: resnet18 } / { arch: vit, patchSize: 4, weights: vit.safetensors }
 * train: 3000              # built-in datasets: training and test samples
 * test: 1000
 * missing: 0.25            # scene datasets: fraction of training labels hidden
 * affinity: { every: 20, lr: 0.01 }  # every: 0 turns the measurement off
 * capacityCheck: true      # also train single-task models of equal total capacity
 * tolerance: 0             # percent a task may fall below its baseline before it is flagged
 * methodOptions: { cagrad: { c: 0.4 } }
 * mixings:                 # tasks with their own inputs: each method once per mixing (<method>@<name>)
 *   equal: { strategy: equal }
 *   prop: { strategy: proportional, cap: 4096 }
 *   t2: { strategy: temperature, temperature: 2, cap: 4096 }
 * stepsPerEpoch: 300       # tasks with their own inputs: steps per epoch (default one pass)
 * pretrainFinetune:         # T5's Table 12: also pre-train on the mixture, then fine-tune on each task
 *   mixings: [prop]         # under these of `mixings` (default: every one), as `<method>@<mixing>+ft`
 *   finetuneEpochs: 1       # the last epochs of `epochs`, each task alone (--finetune-epochs)
 *   unsupervised: { objective: mlm, maskProbability: 0.15 }  # T5's baseline, run `mlm+ft` (text,
 *                           # trunk.encoder: transformer): the trunk pre-trained by masked-language
 *                           # modelling on the tasks' training text, then each task alone
 * ```
 *
 * @example
 * const config = parseStudyConfig({ methods: ['ew', 'nash'], epochs: 1 }, 'study.yaml');
 */
import * as z from 'zod';
import { weightingKeys, type WeightingKey } from '../weighting/index.js';
import { parseConfig } from '../../config/index.js';
import { mixingOf } from '../config/load-task-description.js';
import { mixingSchema } from '../config/task-description-schema.js';
import type { Mixing } from '../mixing.js';
import { recordFrom } from '../../core/safe-keys.js';
import { isZooArch, zooArchs, zooOptionsShape } from '../../models/zoo/zoo-net.js';
import { ValueError } from '../../core/errors.js';

/** The built-in datasets by name. */
export const builtinDatasets = ['multimnist', 'multifashion', 'scene', 'scene-fashion'] as const;
export type BuiltinDataset = (typeof builtinDatasets)[number];

/** The study's configuration (module comment above); every field has a default. */
export const studyConfigSchema = z.strictObject({
  /** A smoke test (`--quick`): the study runs, but its verdict is `inconclusive: smoke test`, never a conclusion. */
  smokeTest: z.boolean().default(false),
  dataset: z
    .union([
      z.enum(builtinDatasets),
      z
        .string()
        .regex(
          /\.(ya?ml|json)$/i,
          'a built-in dataset (multimnist, multifashion, scene, scene-fashion) or a task description file ending in .yaml, .yml or .json',
        ),
    ])
    .default('multimnist'),
  methods: z
    .array(z.enum(weightingKeys as readonly WeightingKey[] as [WeightingKey, ...WeightingKey[]]))
    .min(1)
    .refine((m) => new Set(m).size === m.length, 'each method once')
    .default(['ew', 'uw', 'pcgrad', 'mgda', 'famo']),
  /** At most this many epochs: early stopping on the validation split may end a run sooner. */
  epochs: z.int().positive().default(3),
  /**
   * Share of the training data held out as a validation split (seeded by dataSeed; the same for
   * every run): each run stops once its summed task loss there has not improved for `patience`
   * epochs, keeps its best epoch's weights, and the verdict's convergence check reads it. 0: none.
   */
  validation: z.number().min(0).lt(1).default(0.1),
  patience: z.int().positive().default(2),
  batchSize: z.int().positive().default(64),
  lr: z.number().positive().default(1e-3),
  seeds: z.array(z.int().nonnegative()).min(1).default([0]),
  trunk: z
    .strictObject({
      /**
       * The shared trunk: `auto` (the CNN for images of at least 16×16, else the MLP), `cnn`, `mlp`,
       * or a zoo architecture (`--arch`: resnet18|34|50, mobilenet_v2, mobilenet_v3_small, vit),
       * whose feature part is the trunk under its reference names, one head per task; its options
       * beside it (widthMult, patchSize, ...), `weights` a safetensors file to start it from.
       */
      arch: z.enum(['auto', 'cnn', 'mlp', ...zooArchs] as const).default('auto'),
      /** The study's own trunk: channels of the first convolution (the second has twice, the representation five times as many). */
      width: z.int().positive().default(10),
      /**
       * Text inputs: word embeddings (8·width) averaged (`mean`, the default), or the zoo's BERT
       * 8·width wide (`transformer`; `numLayers` default 1, `numHeads` default 2), averaged.
       */
      encoder: z.enum(['mean', 'transformer']).optional(),
      ...zooOptionsShape,
    })
    .prefault({}),
  /** Built-in datasets: training samples. */
  train: z.int().positive().default(3000),
  /** Built-in datasets: test samples. */
  test: z.int().positive().default(1000),
  /** Seed of the built-in datasets' construction (the seeds above vary initialisation and order). */
  dataSeed: z.int().nonnegative().default(0),
  /** Scene datasets: fraction of training labels hidden as NaN. */
  missing: z.number().min(0).lt(1).default(0.25),
  affinity: z
    .strictObject({
      every: z.int().nonnegative().default(20),
      lr: z.number().positive().default(0.01),
    })
    .prefault({}),
  capacityCheck: z.boolean().default(true),
  tolerance: z.number().nonnegative().default(0),
  /** Steps per window of the weights-over-time curves. */
  weightsEvery: z.int().positive().default(10),
  methodOptions: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  /**
   * Task descriptions whose tasks have their own inputs: named ways of mixing them (T5's equal,
   * examples-proportional with a cap K, temperature T). Each method then runs once per mixing, as
   * `<method>@<name>`. Default: the description's own `mixing`.
   */
  mixings: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'a name of letters, digits, _ and -'), mixingSchema)
    .refine((m) => Object.keys(m).length > 0, 'at least one mixing')
    .optional(),
  /** Tasks with their own inputs: training steps per epoch (default: one pass over every source's batches). */
  stepsPerEpoch: z.int().positive().optional(),
  /**
   * T5's multi-task pre-training followed by fine-tuning (Raffel et al. 2020, Table 12;
   * study/pretrain-finetune.ts): each method also runs as `<method>@<mixing>+ft` (`<method>+ft`
   * without mixings): the first `epochs − finetuneEpochs` epochs on the mixture, then a copy
   * fine-tuned on each task alone for `finetuneEpochs`, each task scored by its own copy. Every
   * final model takes `epochs` epochs of steps, as the single-task and mixture-only runs do.
   */
  pretrainFinetune: z
    .strictObject({
      /** The mixings (names of `mixings`) to pre-train on; default: every one. */
      mixings: z
        .array(z.string())
        .min(1)
        .refine((m) => new Set(m).size === m.length, 'each mixing once')
        .optional(),
      /** Epochs of each task's fine-tuning: the last of `epochs` (at least one is left to the mixture). */
      finetuneEpochs: z.int().positive().default(1),
      /**
       * T5's baseline of Table 12 as one more run, `mlm+ft` (study/mlm-pretrain.ts): the text
       * trunk (encoder: transformer) pre-trained by masked-language modelling on the training text
       * of the study's own tasks (no label, no validation or test row) for as many steps as the
       * mixture phase of the `+ft` runs, then a copy fine-tuned on each task alone, as they are.
       */
      unsupervised: z
        .strictObject({
          objective: z.literal('mlm'),
          /** BERT's recipe: tokens chosen with this chance; of them 80% [MASK], 10% random, 10% kept. */
          maskProbability: z.number().gt(0).max(1).default(0.15),
        })
        .optional(),
    })
    .optional(),
});

/** A study configuration with every default filled in. */
export type MtlStudyConfig = z.output<typeof studyConfigSchema>;
/** What a caller may give: any subset. */
export type MtlStudyConfigInput = z.input<typeof studyConfigSchema>;

/**
 * Validates `input` (from a file named `file`, or the CLI's flags) and fills in the defaults.
 *
 * @example
 * parseStudyConfig({}).methods; // ['ew', 'uw', 'pcgrad', 'mgda', 'famo']
 */
export function parseStudyConfig(input: unknown, file = 'study config'): MtlStudyConfig {
  const c = parseConfig(studyConfigSchema, input ?? {}, file);
  for (const [name, m] of Object.entries(c.mixings ?? {})) mixingOf(m, file, ['mixings', name]);
  const pf = c.pretrainFinetune;
  if (pf !== undefined) {
    if (pf.finetuneEpochs >= c.epochs)
      throw new ValueError(
        `${file}: pretrainFinetune.finetuneEpochs`,
        `${pf.finetuneEpochs} leaves no epoch of the ${c.epochs} (epochs) to pre-train on the mixture: expected at most ${c.epochs - 1}`,
      );
    if (pf.unsupervised !== undefined && (isZooArch(c.trunk.arch) || c.trunk.encoder !== 'transformer'))
      throw new ValueError(
        `${file}: pretrainFinetune.unsupervised`,
        isZooArch(c.trunk.arch)
          ? `masked-language modelling pre-trains the text trunk's transformer, not the ${c.trunk.arch} trunk: expected trunk.arch: auto with trunk.encoder: transformer`
          : "masked-language modelling needs a contextual encoder, and the averaged-embedding trunk (trunk.encoder: mean) sees no word's neighbours: expected trunk.encoder: transformer",
      );
    const known = Object.keys(c.mixings ?? {});
    for (const [k, name] of (pf.mixings ?? []).entries())
      if (!known.includes(name))
        throw new ValueError(
          `${file}: pretrainFinetune.mixings[${k}]`,
          known.length === 0
            ? `'${name}': the study compares no mixings (mixings:), so there is none to name`
            : `'${name}' is not one of mixings: ${known.join(', ')}`,
        );
  }
  return c;
}

/**
 * The study's mixings by name, checked, or null when it has none (each method runs once).
 *
 * @example
 * studyMixings(parseStudyConfig({ mixings: { t2: { strategy: 'temperature', temperature: 2 } } })); // { t2: { … } }
 */
export function studyMixings(c: MtlStudyConfig): Record<string, Mixing> | null {
  if (c.mixings === undefined) return null;
  return recordFrom(Object.entries(c.mixings).map(([n, m]) => [n, mixingOf(m, 'study config', ['mixings', n])]));
}

/**
 * The labels of the study's multi-task runs: each method, or each method under each mixing.
 *
 * @example
 * multiTaskLabels(parseStudyConfig({ methods: ['ew'], mixings: { equal: { strategy: 'equal' } } })); // ['ew@equal']
 */
export function multiTaskLabels(c: MtlStudyConfig): string[] {
  return multiTaskRuns(c).map((r) => r.label);
}

/** A multi-task run of the study: its label, method, mixing (by name) and fine-tuning epochs. */
export interface MultiTaskRunKind {
  label: string;
  method: WeightingKey;
  mixing: string | null;
  /** Pre-train on the mixture, then fine-tune each task alone for this many epochs (pretrainFinetune). */
  finetuneEpochs?: number;
  /** Pre-train by masked-language modelling instead of on the mixture (pretrainFinetune.unsupervised). */
  unsupervised?: UnsupervisedPretraining;
}

/** How `mlm+ft` pre-trains (pretrainFinetune.unsupervised). */
export type UnsupervisedPretraining = NonNullable<NonNullable<MtlStudyConfig['pretrainFinetune']>['unsupervised']>;

/** The label of the run pre-trained by masked-language modelling, then fine-tuned on each task. */
export const MLM_FINETUNE_LABEL = 'mlm+ft';

/**
 * The study's multi-task runs in order: each method (under each mixing), then, with
 * `pretrainFinetune`, each method pre-trained on each chosen mixing and fine-tuned (`+ft`), and
 * with its `unsupervised`, the run pre-trained by masked-language modelling (`mlm+ft`, equal weights).
 *
 * @example
 * multiTaskRuns(parseStudyConfig({ methods: ['ew'], epochs: 2, pretrainFinetune: {} })).map((r) => r.label); // ['ew', 'ew+ft']
 */
export function multiTaskRuns(c: MtlStudyConfig): MultiTaskRunKind[] {
  const mixings = c.mixings === undefined ? [null] : Object.keys(c.mixings);
  const at = (m: string, x: string | null): string => (x === null ? m : `${m}@${x}`);
  const runs: MultiTaskRunKind[] = c.methods.flatMap((method) =>
    mixings.map((mixing) => ({ label: at(method, mixing), method, mixing })),
  );
  const pf = c.pretrainFinetune;
  if (pf !== undefined)
    for (const method of c.methods)
      for (const mixing of pf.mixings ?? mixings)
        runs.push({ label: `${at(method, mixing)}+ft`, method, mixing, finetuneEpochs: pf.finetuneEpochs });
  if (pf?.unsupervised !== undefined)
    runs.push({
      label: MLM_FINETUNE_LABEL,
      method: 'ew',
      mixing: null,
      finetuneEpochs: pf.finetuneEpochs,
      unsupervised: pf.unsupervised,
    });
  return runs;
}
