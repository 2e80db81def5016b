/**
 * One supervised training run as the CLI runs it: the Trainer over the run's data (less the
 * validation split; class weights and early stopping as `training:` asks, see conveniences.ts) with a
 * checkpoint every epoch (and every N steps when asked) in `<run>/checkpoints`, the model's
 * description stored with each checkpoint, evaluation on the test split, progress and metrics,
 * and Ctrl-C turned into a clean stop with a resumable checkpoint.
 *
 * @example
 * const { fit, evaluation } = await fitSupervised({ run, config, model, description, data, paramSets, out, bars, resume: false, extras });
 * fit.reason; // 'completed' | 'stopped' | 'maxSteps' | 'earlyStopped'
 */
import { DataLoader } from '../../data/index.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import { functional } from '../../nn/index.js';
import {
  accuracy,
  evaluate,
  macroF1,
  Trainer,
  type EvaluationResult,
  type FitResult,
  type JsonValue,
} from '../../train/index.js';
import type { ArchDescription } from '../../transfer/arch/types.js';
import type { TrainConfig } from '../config/train-schema.js';
import type { LoadedData } from '../../data/sources/index.js';
import { onInterrupt } from '../interrupt.js';
import type { Output } from '../output.js';
import type { ProgressBars } from '../progress.js';
import type { RunSession } from '../run-store.js';
import { trainingCallbacks } from '../training-callbacks.js';
import { earlyStoppingFor, type TrainingExtras } from './conveniences.js';
import { buildOptimizer, type ParamSet } from '../../train/index.js';

export interface SupervisedRun {
  run: RunSession;
  config: Pick<TrainConfig, 'task' | 'seed' | 'optimizer' | 'training'>;
  model: MultiTaskModel;
  description: ArchDescription;
  data: LoadedData;
  /** What trains, at which relative rates. */
  paramSets: readonly ParamSet[];
  out: Output;
  bars: ProgressBars;
  /** Continue from the newest checkpoint in the run's checkpoints directory. */
  resume: boolean;
  /** Stored with each checkpoint beside the description (where the data came from, the run kind). */
  source: JsonValue;
  /** The training examples (less the validation split), the validation split, the class weights. */
  extras: TrainingExtras;
}

/** Rows per forward pass when evaluating: large batches, no gradients. */
const EVAL_BATCH = 500;

/**
 * Trains (or resumes) the run and evaluates the final model on the test split.
 *
 * @example
 * const { evaluation } = await fitSupervised(setup);
 * evaluation.class.accuracy;
 */
export async function fitSupervised(s: SupervisedRun): Promise<{ fit: FitResult; evaluation: EvaluationResult }> {
  const { config, model, data } = s;
  const task = config.task;
  const t = config.training;
  const { extras } = s;
  const loader = new DataLoader(extras.train, {
    batchSize: t.batchSize,
    shuffle: true,
    seed: config.seed,
    ...(data.augment === undefined ? {} : { transform: data.augment }),
  });
  const weight = extras.classWeight;
  const earlyStopping = earlyStoppingFor(t, extras, model, task);
  const testLoader = new DataLoader(data.test, { batchSize: EVAL_BATCH });
  const metrics = { [task]: [accuracy(), macroF1()] };
  const totalSteps = Math.min(t.maxSteps ?? Infinity, t.epochs * loader.batchesPerEpoch);
  const { optimizer, scheduler } = buildOptimizer(config.optimizer, s.paramSets, totalSteps);
  const trainer = new Trainer({
    model,
    optimizer,
    loader,
    epochs: t.epochs,
    ...(scheduler === undefined ? {} : { scheduler }),
    ...(t.maxSteps === undefined ? {} : { maxSteps: t.maxSteps }),
    ...(t.clipGradNorm === undefined ? {} : { clipGradNorm: t.clipGradNorm }),
    evalEvery: t.evalEvery,
    step: ({ x, y }) => {
      const loss = functional.crossEntropy(model.forward(x)[task]!, y, weight === null ? {} : { weight });
      return { loss, losses: { [task]: loss } };
    },
    evaluate: () => evaluate(model, testLoader, metrics),
    ...(earlyStopping === undefined ? {} : { earlyStopping }),
    checkpoint: {
      dir: s.run.checkpointsDir,
      everyEpochs: 1,
      keepLast: 2,
      ...(t.checkpointEverySteps === undefined ? {} : { everySteps: t.checkpointEverySteps }),
      metadata: { ...s.description, source: s.source } as unknown as JsonValue,
    },
    callbacks: [
      trainingCallbacks({ out: s.out, bars: s.bars, log: s.run.metrics, section: s.run.info.kind }),
      // where the run stands, for the record of a failure
      { onStepEnd: (e) => void (s.run.at.step = e.progress.stepsDone) },
    ],
  });
  if (s.resume) trainer.resume();
  const release = onInterrupt(() => trainer.requestStop(), s.out);
  let fit: FitResult;
  try {
    fit = await trainer.fit();
  } finally {
    release();
    s.bars.stop();
  }
  // the last epoch's test scores are the final model's only when it ran to the end with its own weights
  const last = fit.reason === 'completed' && earlyStopping === undefined ? fit.history.at(-1)?.eval : null;
  const evaluation = last !== null && last !== undefined ? last : evaluate(model, testLoader, metrics);
  return { fit, evaluation };
}
