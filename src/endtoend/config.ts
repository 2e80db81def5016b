/**
 * The end-to-end vs pipeline study's configuration: a zod schema with defaults, so the command
 * line, a config file and a program give the same checked values (unknown keys are errors: a
 * misspelt option must not be silently ignored).
 *
 * @example
 * const cfg = parseE2eConfig({ case: 'read-number', seeds: 2 });
 * cfg.training.batchSize; // 32
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../config/index.js';
import { CASE_EXPECTED, CASE_FILE, isCaseRef } from './cases/user-case.js';
import { zooArchs, zooOptionsShape } from '../models/zoo/zoo-net.js';

const positiveInt = z.number().int().positive();

/**
 * Early stopping on a validation split carved from each run's own training data (train-run.ts):
 * `fraction` of it, at most `maxExamples`, scored every `every` steps (at least once an epoch); `patience` checks without
 * a validation loss lower than the best by more than `minDelta` end the run. The convergence check of the verdict reads these curves.
 */
export const validationSchema = z.strictObject({
  fraction: z.number().gt(0).lt(1).default(0.2),
  maxExamples: positiveInt.default(1000),
  every: positiveInt.default(100),
  patience: positiveInt.default(5),
  /** A check must lower the best validation loss by more than this to count as an improvement. */
  minDelta: z.number().min(0).default(1e-3),
});

/**
 * How each model is trained: Adam, early stopping on a validation split (`validation`; `false`: a
 * number of steps growing with the data instead, see stepsFor), at most `maxSteps` steps.
 */
export const trainingSchema = z.strictObject({
  batchSize: positiveInt.default(32),
  /** Learning rate of the pipeline's stages and of the end-to-end model. */
  lr: z.number().positive().default(2e-3),
  /** Learning rate of the hybrid's fine-tuning (smaller: it starts from trained stages). */
  hybridLr: z.number().positive().default(3e-4),
  /** Without validation: passes over the data, within [minSteps, maxSteps] steps. */
  epochs: positiveInt.default(20),
  minSteps: positiveInt.default(100),
  maxSteps: positiveInt.default(6000),
  validation: z.union([z.literal(false), validationSchema]).prefault({}),
});

/**
 * Everything `runE2eStudy` accepts. Sizes and the sub-task amount default to the case's.
 *
 * @example
 * e2eStudyConfigSchema.parse({}).case; // 'digit-sum'
 */
export const e2eStudyConfigSchema = z.strictObject({
  /** A smoke test (`--quick`): the study runs, but its verdict is `inconclusive: smoke test`, never a conclusion. */
  smokeTest: z.boolean().default(false),
  /**
   * Which case: a built-in one by name, or the user's own: a JS module exporting an EndToEndCase
   * (cases/case.ts) or a YAML/JSON case file (cases/yaml-case.ts).
   */
  case: z
    .string()
    .refine(isCaseRef, { message: CASE_EXPECTED })
    // a case file is kept by its absolute path, so that a resume from another directory finds it
    .overwrite((v) => (CASE_FILE.test(v) ? resolve(v) : v))
    .default('digit-sum'),
  /** Numbers of end-to-end (x, y) training examples, strictly increasing. */
  sizes: z
    .array(positiveInt)
    .min(1)
    .optional()
    .refine((s) => s === undefined || s.every((v, i) => i === 0 || v > s[i - 1]!), {
      message: 'strictly increasing sizes',
    }),
  /** Repetitions of every training run (different data draws and initialisations). */
  seeds: positiveInt.max(50).default(3),
  /** Base seed: the same value gives the same study on the same machine. */
  seed: z.number().int().min(0).default(0),
  /** Labelled single digits the pipeline's classifier is trained on. */
  subtaskExamples: positiveInt.optional(),
  /** Test images, composed of held-out digits. */
  testExamples: positiveInt.default(1000),
  /** The (x, y) examples the user has, for the verdict. Default: the largest size. */
  available: positiveInt.optional(),
  /** Hidden units of every perceptron. */
  hidden: positiveInt.default(128),
  /**
   * The network of the end-to-end model and of every learned stage that reads images: absent, the
   * case's own; or a zoo architecture (`--arch`: resnet18|34|50, mobilenet_v2, mobilenet_v3_small,
   * vit) with its options (widthMult, patchSize, ...) and `weights`, a safetensors file with its
   * reference names to start from (the last layer, sized to each model's outputs, is new).
   */
  model: z.strictObject({ arch: z.enum(zooArchs), ...zooOptionsShape }).optional(),
  /** Also train the hybrid (the pipeline's stages fine-tuned end to end). */
  hybrid: z.boolean().default(true),
  training: trainingSchema.prefault({}),
  /** Bootstrap redraws for bands and intervals (0: none). */
  bootstrap: z.number().int().min(0).default(200),
  /** How far past the largest size a crossover may be extrapolated, as a multiple of it. */
  maxExtrapolation: z.number().min(1).default(1000),
});

/** The configuration as written (every key optional). */
export type E2eStudyInput = z.input<typeof e2eStudyConfigSchema>;
/** The configuration with defaults filled in. */
export type E2eStudyConfig = z.output<typeof e2eStudyConfigSchema>;

/**
 * Checks a configuration and fills in defaults; a ConfigError names each offending key.
 *
 * @example
 * parseE2eConfig({ sizes: [100, 50] }); // throws: 'e2e study config: sizes: found [100, 50], expected strictly increasing sizes'
 */
export function parseE2eConfig(input: unknown): E2eStudyConfig {
  return parseConfig(e2eStudyConfigSchema, input ?? {}, 'e2e study config');
}
