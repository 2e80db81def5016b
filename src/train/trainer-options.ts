/**
 * What a Trainer is built from: the model, optimizer, loader and step function, and the options
 * for scheduling, clipping, the non-finite guard, evaluation, checkpoints and callbacks.
 *
 * @example
 * const opts: TrainerOptions<Batch> = {
 *   model, optimizer, loader, epochs: 10,
 *   step: ({ x, y }) => ({ loss: nn.functional.crossEntropy(model.forward(x), y) }),
 *   clipGradNorm: 1, checkpoint: { dir: 'runs/a', everySteps: 500 },
 * };
 */
import type { Batch } from '../data/index.js';
import type { AnyModule } from '../nn/index.js';
import type { GroupOptions, Optimizer, ParamState } from '../optim/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Callbacks } from './callbacks.js';
import type { EarlyStoppingSettings } from './early-stopping.js';
import type { EvaluationResult } from './evaluate.js';
import type { JsonValue } from './state-codec.js';

/** A loader the trainer can iterate epoch by epoch and checkpoint: the data module's DataLoader. */
export interface ResumableLoader<B> extends Iterable<B> {
  /** Epochs completed: iterating runs the current epoch to its end, then this grows by one. */
  readonly epoch: number;
  /** Batches per epoch, when known: for progress and ETA. */
  readonly batchesPerEpoch?: number;
  /** Plain-JSON state from which `loadState` resumes at the next batch. */
  state(): unknown;
  loadState(state: unknown): void;
}

/** Anything with a state to save in checkpoints: a scheduler, a loss-weighting method. */
export interface Stateful {
  /** Plain data and tensors (see packState). */
  stateDict(): unknown;
  loadStateDict(state: unknown): void;
}

/** An lr scheduler (the optim module's, or anything that steps and saves its state). */
export interface SchedulerLike extends Stateful {
  step(): void;
}

/** What the step function learns about the step it runs. All counts are 0-based. */
export interface StepContext {
  /** Index of this step since training began (= steps completed before it). */
  step: number;
  /** Index of the current epoch (= epochs completed before it). */
  epoch: number;
  /** Index of this batch within the epoch. */
  batchIndex: number;
}

/** What a step returns. */
export interface StepOutput {
  /**
   * The loss to differentiate (backward 'auto': a scalar Tensor that requires grad). With backward
   * 'manual' it is reported only and may be a number or absent (then the task losses' sum).
   */
  loss?: Tensor | number;
  /** Each task's loss, for the callbacks and the non-finite guard. Tensors are read with item(). */
  losses?: Record<string, Tensor | number>;
}

/** One training step on a batch: forward, losses, and with backward 'manual' the gradients too. */
export type StepFn<B> = (batch: B, ctx: StepContext) => StepOutput | Promise<StepOutput>;

export interface CheckpointOptions {
  /** Directory of the run's checkpoints. */
  dir: string;
  /** Save every this many steps. Default: never by step count. */
  everySteps?: number;
  /** Save at the end of every this many epochs. Default 1. */
  everyEpochs?: number;
  /** Newest complete checkpoints kept. Default 3. */
  keepLast?: number;
  /** Description of the run stored with every checkpoint (architecture, tasks). */
  metadata?: JsonValue;
}

/** Early stopping: how to judge an epoch, and the score of the model as it is now. */
export interface EarlyStoppingOptions extends EarlyStoppingSettings {
  score: (ctx: EvalContext) => number | Promise<number>;
}

/** The context of the evaluation hook. */
export interface EvalContext {
  /** Index of the epoch that just ended. */
  epoch: number;
  /** Steps completed. */
  stepsDone: number;
}

export interface TrainerOptions<B = Batch> {
  model: AnyModule;
  optimizer: Optimizer<GroupOptions, ParamState>;
  loader: ResumableLoader<B>;
  step: StepFn<B>;
  /** Epochs to train (the total, counting those of a resumed run). */
  epochs: number;
  /**
   * Stop right after this many steps in total, with a checkpoint. Default: no limit. When that
   * step was an epoch's last, the epoch's end (evaluation, per-epoch scheduler) is left to the next
   * fit, as after requestStop().
   */
  maxSteps?: number;
  scheduler?: SchedulerLike;
  /** Step the scheduler after every optimizer step or at the end of every epoch. Default 'step'. */
  schedulerInterval?: 'step' | 'epoch';
  /**
   * 'auto' (default): the trainer zeroes the gradients, calls the step, then `loss.backward()`.
   * 'manual': the trainer zeroes the gradients and the step sets `.grad` itself (per-task `grad`
   * calls combined by a multi-task method); the trainer then checks, clips and steps.
   */
  backward?: 'auto' | 'manual';
  /** Clip the gradients to this global L2 norm before each update. Default: no clipping. */
  clipGradNorm?: number;
  /**
   * On a NaN or infinite loss (any task) or gradient: 'error' (default) stops with a
   * NonFiniteError; 'skip' drops the step's update, reports it, and goes on. A skipped step still
   * counts as a step (its batch is consumed and a per-step scheduler advances).
   */
  onNonFinite?: 'error' | 'skip';
  /** Called at the end of every `evalEvery` epochs (model modes restored afterwards); its result is kept in the history. */
  evaluate?: (ctx: EvalContext) => EvaluationResult | Promise<EvaluationResult>;
  /** Default 1. */
  evalEvery?: number;
  checkpoint?: CheckpointOptions;
  /**
   * Stop when a validation score has not improved for `patience` epochs, and end with the best
   * epoch's weights in the model (see early-stopping.ts). `score` is called at the end of every
   * epoch (model modes restored afterwards); give it a validation split, never the test split.
   */
  earlyStopping?: EarlyStoppingOptions;
  /** More state to save and restore with checkpoints (a loss-weighting method's), by name. */
  stateful?: Record<string, Stateful>;
  callbacks?: Callbacks | readonly Callbacks[];
  /** Samples in a batch, for throughput. Default: the first dimension of the batch, its `x`, or its first tensor. */
  samplesIn?: (batch: B) => number;
}
