/**
 * One training run of the study: a fresh model (the study trunk at a width, one head per task),
 * seeded, trained with one weighting method on the given tasks for the configured budget, then
 * evaluated on the held-out data. Single-task baselines are runs with one task and equal weights.
 *
 * @example
 * const out = await trainAndEvaluate(data, config, { label: 'pcgrad', tasks, method: 'pcgrad', width: 10, seed: 0 }, onStep);
 * out.results.left.accuracy;
 */
import { ValueError } from '../../core/errors.js';
import { manualSeed } from '../../core/rng.js';
import { hasFields } from '../../study/index.js';
import type { EvaluationResult, StepEndEvent } from '../../train/index.js';
import { createWeighting, type WeightingKey } from '../weighting/index.js';
import type { AffinityHistory } from '../affinity-tracker.js';
import { evaluateTasks, summedTaskLoss } from '../evaluate.js';
import { MultiTaskModel } from '../../models/hard-sharing.js';
import { taskHeads } from '../heads.js';
import type { Mixing } from '../mixing.js';
import type { TaskSpec } from '../task.js';
import { trainMultiTask, type MultiTaskRun } from '../train-multitask.js';
import type { WeightsOverTime } from '../weight-history.js';
import type { MtlStudyConfig, UnsupervisedPretraining } from './config.js';
import { inputShape, testBatches, trainLoader, validationBatches, type StudyData } from './data.js';
import { configuredTrunk, resolveTrunkKind, type TrunkConfig } from './trunk.js';
import { loadReferenceWeights } from '../../models/zoo/reference-weights.js';
import { isZooArch } from '../../models/zoo/zoo-net.js';

/** What to train. */
export interface RunSpec {
  /** 'single:left', 'pcgrad', 'capacity:left'. */
  label: string;
  tasks: readonly TaskSpec[];
  method: WeightingKey;
  width: number;
  seed: number;
  /** How sources are mixed, when the study compares mixings (default: the data's). */
  mixing?: Mixing;
  /** Measure affinity (multi-task runs). */
  affinity?: boolean;
  /**
   * T5's multi-task pre-training then fine-tuning (pretrain-finetune.ts): the last this many of
   * the study's epochs fine-tune a copy of the mixture's model on each task alone.
   */
  finetuneEpochs?: number;
  /** With finetuneEpochs: the pre-training is masked-language modelling of the trunk, not the mixture (mlm-pretrain.ts). */
  unsupervised?: UnsupervisedPretraining;
}

/** What a run gave. */
export interface RunOutcome {
  results: EvaluationResult;
  weights: WeightsOverTime;
  affinity: AffinityHistory | null;
  seconds: number;
  params: number;
  /** Training loss by epoch (the sum over tasks); absent in older records. */
  losses?: number[];
  /** Validation loss by epoch (summed over tasks), with a validation split: what convergence is judged on. */
  valLosses?: number[];
  /** Whether early stopping ended the run before its epochs. */
  stopped?: boolean;
  /** The trunk's architecture (cnn, mlp, resnet18, ...); absent in older records. */
  arch?: string;
  /**
   * A run of several stages (pre-training on the mixture, then a fine-tuning per task): each
   * stage's curves, which the convergence check reads instead of the run's own.
   */
  stages?: { stage: string; losses: number[]; valLosses?: number[]; stopped?: boolean; steps?: number }[];
}

/**
 * Whether a stored (or received) sub-run record is a run's outcome.
 *
 * @example
 * isRunOutcome(JSON.parse(text)); // true for a record of trainAndEvaluate's result
 */
export function isRunOutcome(v: unknown): v is RunOutcome {
  return hasFields(v, {
    results: 'object',
    weights: 'object',
    affinity: 'object-or-null',
    seconds: 'number',
    params: 'number',
  });
}

/**
 * The study's model for `tasks`: the configured trunk (the study's own at `width`, or a zoo
 * architecture, from its `weights` when given), built from the current random state, one head per task.
 *
 * @example
 * studyModel(data, tasks, 10).numParameters();
 * studyModel(data, tasks, 10, { arch: 'resnet18', width: 10 }).namedParameters()[0][0]; // 'trunk.conv1.weight'
 */
export function studyModel(
  data: StudyData,
  tasks: readonly TaskSpec[],
  width: number,
  trunkConfig: TrunkConfig = { arch: 'auto', width },
): MultiTaskModel {
  const trunk = configuredTrunk(trunkConfig, inputShape(data), width, data.text);
  const model = new MultiTaskModel(trunk.module, taskHeads(trunk.features, tasks));
  if (trunkConfig.weights !== undefined)
    loadReferenceWeights(model, trunkConfig.weights, { prefix: 'trunk.', what: "trunk's" });
  return model;
}

/**
 * Builds the study's multi-task model once for the configured trunk and data (its `weights`
 * loaded), so a trunk that does not fit the inputs, another architecture's option or a weights
 * file that is missing or of another model is refused before anything trains.
 *
 * @example
 * checkStudyModel(await loadStudyData(c), c); // throws 'trunk: vit: patchSize 8 must divide the image sides 28×28'
 */
export function checkStudyModel(data: StudyData, c: MtlStudyConfig): void {
  if (c.pretrainFinetune?.unsupervised !== undefined && data.text === undefined)
    throw new ValueError(
      'pretrainFinetune.unsupervised',
      `masked-language modelling pre-trains on text, and the inputs of ${data.name} are not token ids`,
    );
  studyModel(data, data.tasks, c.trunk.width, c.trunk);
}

/**
 * The architecture of the configured trunk for the study's data (what 'auto' resolves to).
 *
 * @example
 * trunkArch(data, { arch: 'auto', width: 10 }); // 'cnn' for MultiMNIST ('text' for token ids)
 */
export function trunkArch(data: StudyData, c: TrunkConfig): string {
  if (isZooArch(c.arch)) return c.arch;
  return data.text === undefined ? resolveTrunkKind(c.arch, inputShape(data)) : 'text';
}

/** One stage of training: a model fitted on some tasks for some epochs, and what it recorded. */
export interface FitStage {
  run: MultiTaskRun;
  /** Training loss by epoch (summed over tasks). */
  losses: number[];
  /** Validation loss by epoch (summed over tasks), with a validation split. */
  valLosses?: number[];
  stopped?: boolean;
}

/**
 * Fits `model` on `tasks` for `epochs` epochs with the study's optimiser, batch size and budget per
 * epoch (`mixing` mixes their sources), early-stopped on their summed validation loss when the data
 * has a validation split: the stage every run of the study is made of.
 *
 * @example
 * const stage = await fitStage(model, data, c, { tasks, method: 'ew', seed: 0, epochs: 2 }, onStep);
 */
export async function fitStage(
  model: MultiTaskModel,
  data: StudyData,
  c: MtlStudyConfig,
  o: {
    tasks: readonly TaskSpec[];
    method: WeightingKey;
    seed: number;
    epochs: number;
    mixing?: Mixing | undefined;
    affinity?: boolean | undefined;
  },
  onStep: (e: StepEndEvent) => void,
  signal?: AbortSignal,
): Promise<FitStage> {
  const names = o.tasks.map((t) => t.name);
  const method = createWeighting(o.method, names, c.methodOptions[o.method] ?? {});
  const validate = Object.values(data.val).some((ds) => ds.tasks.some((t) => names.includes(t)));
  const run = await trainMultiTask({
    model,
    tasks: o.tasks,
    method,
    loader: trainLoader(data, names, c.batchSize, o.seed, {
      ...(o.mixing === undefined ? {} : { mixing: o.mixing }),
      ...(c.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: c.stepsPerEpoch }),
    }),
    epochs: o.epochs,
    lr: c.lr,
    weightsEvery: c.weightsEvery,
    ...(o.affinity === true && c.affinity.every > 0 && names.length > 1
      ? { affinity: { every: c.affinity.every, lr: c.affinity.lr } }
      : {}),
    callbacks: { onStepEnd: onStep },
    signal,
    ...(validate
      ? {
          earlyStopping: {
            metric: 'validation loss',
            mode: 'min' as const,
            patience: c.patience,
            score: () => summedTaskLoss(model, o.tasks, validationBatches(data, names)),
          },
        }
      : {}),
  });
  return {
    run,
    losses: run.fit.history.map((h) => h.loss),
    ...(validate
      ? {
          valLosses: run.fit.history.map((h) => h.earlyStopping?.value ?? NaN),
          stopped: run.fit.history.length < o.epochs,
        }
      : {}),
  };
}

/**
 * Trains and evaluates one run; `onStep` hears every training step, and an abort of `signal` stops
 * the training after its current step (the call then rejects with a StoppedError).
 *
 * @example
 * await trainAndEvaluate(data, config, spec, (e) => bar.update(e.progress), signal);
 */
export async function trainAndEvaluate(
  data: StudyData,
  c: MtlStudyConfig,
  spec: RunSpec,
  onStep: (e: StepEndEvent) => void,
  signal?: AbortSignal,
): Promise<RunOutcome> {
  const started = performance.now();
  manualSeed(spec.seed);
  const model = studyModel(data, spec.tasks, spec.width, c.trunk);
  const stage = await fitStage(
    model,
    data,
    c,
    {
      tasks: spec.tasks,
      method: spec.method,
      seed: spec.seed,
      epochs: c.epochs,
      mixing: spec.mixing,
      affinity: spec.affinity,
    },
    onStep,
    signal,
  );
  const results = evaluateTasks(model, spec.tasks, testBatches(data));
  const { run, ...curves } = stage;
  return {
    results,
    weights: run.weights,
    affinity: run.affinity,
    seconds: (performance.now() - started) / 1000,
    params: model.numParameters(),
    arch: trunkArch(data, c.trunk),
    ...curves,
  };
}
