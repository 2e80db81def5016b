/**
 * Training a multi-task network with a weighting method on the train module's Trainer (backward
 * 'manual': the method sets the gradients), recording the task weights over time and, optionally,
 * the task affinity every K steps. Checkpoints save the method's state beside the model's.
 *
 * @example
 * const run = await trainMultiTask({
 *   model, tasks, method: createWeighting('pcgrad', ['left', 'right']),
 *   loader: new MultiTaskLoader(train, { batchSize: 64, shuffle: true }), epochs: 3, lr: 1e-3,
 *   evaluate: () => evaluateTasks(model, tasks, testLoader), affinity: { every: 25, lr: 0.1 },
 * });
 * run.fit.history.at(-1)?.eval; run.weights; run.affinity?.meanLookahead;
 */
import { ValueError } from '../core/errors.js';
import { Adam, type GroupOptions, type Optimizer, type ParamState } from '../optim/index.js';
import {
  fitUnlessAborted,
  Trainer,
  type Callbacks,
  type CheckpointOptions,
  type EarlyStoppingOptions,
  type EvaluationResult,
  type FitResult,
  type ResumableLoader,
  type SchedulerLike,
} from '../train/index.js';
import type { WeightingMethod } from './weighting/index.js';
import { AffinityTracker, type AffinityHistory, type AffinityTrackerOptions } from './affinity-tracker.js';
import type { MultiTaskBatch } from './dataset.js';
import type { MultiTaskNetwork } from '../models/network.js';
import { multiTaskStep } from './step.js';
import type { TaskSpec } from './task.js';
import { WeightHistory, type WeightsOverTime } from './weight-history.js';
import { recordFrom } from '../core/safe-keys.js';

export interface TrainMultiTaskOptions<B extends MultiTaskBatch> {
  model: MultiTaskNetwork;
  tasks: readonly TaskSpec[];
  method: WeightingMethod;
  loader: ResumableLoader<B>;
  epochs: number;
  /** Default: Adam over the model's and the method's parameters with `lr`. */
  optimizer?: Optimizer<GroupOptions, ParamState>;
  /** Learning rate of the default optimizer. Default 1e-3. */
  lr?: number;
  /** Called at the end of every epoch; its result lands in the history. */
  evaluate?: () => EvaluationResult;
  /**
   * Stop once a validation score (read on a split carved from the training data, never the test
   * split) has not improved for `patience` epochs, and end with the best epoch's weights.
   */
  earlyStopping?: EarlyStoppingOptions;
  /** Measure affinity every K steps; off when absent. */
  affinity?: AffinityTrackerOptions;
  /** Steps per window of the weight history. Default 10. */
  weightsEvery?: number;
  clipGradNorm?: number;
  /** A learning-rate schedule, stepped once per step. */
  scheduler?: SchedulerLike;
  /** Stop after this many steps in total. */
  maxSteps?: number;
  /** Evaluate every this many epochs. Default 1. */
  evalEvery?: number;
  checkpoint?: CheckpointOptions;
  callbacks?: Callbacks | readonly Callbacks[];
  /**
   * Stops the training after its current step (with a checkpoint when checkpoints are on); the
   * call then rejects with a StoppedError.
   */
  signal?: AbortSignal;
}

/** What a run gives back. */
export interface MultiTaskRun {
  fit: FitResult;
  weights: WeightsOverTime;
  affinity: AffinityHistory | null;
}

/**
 * Trains `model` on `tasks` with `method` for `epochs`.
 *
 * @example
 * const { fit, weights } = await trainMultiTask({ model, tasks, method, loader, epochs: 1 });
 */
export async function trainMultiTask<B extends MultiTaskBatch>(o: TrainMultiTaskOptions<B>): Promise<MultiTaskRun> {
  const names = o.tasks.map((t) => t.name);
  const missing = names.filter((t) => !o.model.taskNames.includes(t));
  if (missing.length > 0)
    throw new ValueError('trainMultiTask', `the model has no head for task(s) ${missing.join(', ')}`);
  if (o.method.tasks.length !== names.length || names.some((t) => !o.method.tasks.includes(t))) {
    throw new ValueError(
      'trainMultiTask',
      `the method was built for tasks ${o.method.tasks.join(', ')}, the run has ${names.join(', ')}`,
    );
  }
  const optimizer = o.optimizer ?? new Adam([...o.model.parameters(), ...o.method.parameters()], { lr: o.lr ?? 1e-3 });
  const weights = new WeightHistory(names, o.weightsEvery ?? 10);
  const tracker = o.affinity === undefined ? null : new AffinityTracker(o.model, o.tasks, o.affinity);
  const trainer = new Trainer<B>({
    model: o.model,
    optimizer,
    loader: o.loader,
    epochs: o.epochs,
    backward: 'manual',
    step: (batch, ctx) => {
      // affinity first: it reads the parameters this step is about to change, and leaves .grad alone
      tracker?.observe(ctx.step, batch);
      const r = multiTaskStep(o.model, o.tasks, o.method, batch);
      weights.add(r.weights);
      return { losses: recordFrom(r.present.map((t) => [t, r.losses[t]!])) };
    },
    ...(o.evaluate === undefined ? {} : { evaluate: o.evaluate }),
    ...(o.earlyStopping === undefined ? {} : { earlyStopping: o.earlyStopping }),
    ...(o.clipGradNorm === undefined ? {} : { clipGradNorm: o.clipGradNorm }),
    ...(o.scheduler === undefined ? {} : { scheduler: o.scheduler }),
    ...(o.maxSteps === undefined ? {} : { maxSteps: o.maxSteps }),
    ...(o.evalEvery === undefined ? {} : { evalEvery: o.evalEvery }),
    ...(o.checkpoint === undefined ? {} : { checkpoint: o.checkpoint, stateful: { weighting: o.method } }),
    callbacks: [
      epochStatistics(o.method, names),
      ...(o.callbacks === undefined ? [] : Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks as Callbacks]),
    ],
  });
  if (o.checkpoint !== undefined) trainer.resume();
  const fit = await fitUnlessAborted(trainer, o.signal, 'trainMultiTask');
  return { fit, weights: weights.summary(), affinity: tracker?.summary() ?? null };
}

/**
 * Hands each epoch's mean task losses to methods that learn from them (DWA). An epoch in which some
 * task never had data (possible under mixing) gives that method nothing to compare, so it is skipped.
 */
function epochStatistics(method: WeightingMethod, tasks: readonly string[]): Callbacks {
  return {
    onEpochEnd: (e) => {
      if (method.epochEnd === undefined || !tasks.every((t) => Number.isFinite(e.losses[t]))) return;
      method.epochEnd(recordFrom(tasks.map((t) => [t, e.losses[t]!])));
    },
  };
}
