/**
 * Callbacks: how training reports. The trainer never prints; the CLI, a progress bar, a metrics
 * logger or a test subscribes to these events. A callback may return a promise, which the trainer
 * awaits before going on; an exception from a callback stops training.
 *
 * @example
 * const log: Callbacks = {
 *   onStepEnd: (e) => { if (e.step % 100 === 0) bar.update(e.progress.stepsDone, e.losses); },
 *   onEpochEnd: (e) => store.append(e),
 *   onCheckpoint: (e) => console.log(`saved ${e.path}`),   // in the CLI, which may print
 * };
 */
import type { CheckpointInfo } from './checkpoint-store.js';
import type { EarlyStoppingRecord, EarlyStoppingSummary } from './early-stopping.js';
import type { NonFiniteInfo } from './errors.js';
import type { EvaluationResult } from './evaluate.js';
import type { Progress } from './throughput.js';

/** The start of a fit call. */
export interface FitStartEvent {
  progress: Progress;
  /** The epoch training continues in (0 for a fresh run). */
  epoch: number;
  /** The checkpoint this trainer resumed from, if any. */
  resumedFrom: string | null;
}

/** A finished step. `step`, `epoch` and `batchIndex` are those of the step context. */
export interface StepEndEvent {
  step: number;
  epoch: number;
  batchIndex: number;
  /** The total loss of the step. */
  loss: number;
  /** Each task's loss (empty when the step reported none). */
  losses: Record<string, number>;
  /** The lr of each parameter group during the step. */
  lr: number[];
  /** The global gradient norm before clipping, when clipping is on; else null. */
  gradNorm: number | null;
  /** Samples in the batch. */
  samples: number;
  /** Set when the update was skipped for a non-finite value (onNonFinite 'skip'). */
  skipped: NonFiniteInfo | null;
  progress: Progress;
}

/** One epoch's record, kept in the trainer's history and in checkpoints. */
export interface EpochRecord {
  /** Index of the epoch. */
  epoch: number;
  /** Steps that updated the model. */
  steps: number;
  /** Steps skipped for non-finite values. */
  skipped: number;
  /** Mean total loss over the counted steps. */
  loss: number;
  /** Mean loss of each task. */
  losses: Record<string, number>;
  /** The evaluation hook's result, when it ran this epoch. */
  eval: EvaluationResult | null;
  /** Early stopping's judgement of this epoch, when it is on. */
  earlyStopping?: EarlyStoppingRecord;
}

/** The end of an epoch (after evaluation and the per-epoch scheduler step). */
export interface EpochEndEvent extends EpochRecord {
  /** The lr of each parameter group now. */
  lr: number[];
  progress: Progress;
}

/** Why a checkpoint was written. */
export type CheckpointReason = 'steps' | 'epoch' | 'stop' | 'end';

/** A checkpoint written (complete, manifest included). */
export interface CheckpointEvent extends CheckpointInfo {
  reason: CheckpointReason;
}

/** A non-finite loss or gradient, and what the trainer does about it. */
export interface NonFiniteEvent extends NonFiniteInfo {
  action: 'skip' | 'error';
}

/** How a fit call ended. */
export interface FitResult {
  /**
   * 'completed': all epochs; 'stopped': requestStop(); 'maxSteps': the step limit;
   * 'earlyStopped': the validation score stopped improving (the best weights are in the model).
   */
  reason: 'completed' | 'stopped' | 'maxSteps' | 'earlyStopped';
  stepsDone: number;
  /** Epochs completed. */
  epoch: number;
  history: EpochRecord[];
  /** The newest checkpoint, when checkpoints are on. */
  checkpoint: CheckpointInfo | null;
  /** With early stopping: the best epoch, whose weights the model holds after 'completed' or 'earlyStopped'. */
  earlyStopping?: EarlyStoppingSummary | null;
}

/** Subscribers to training events; every member is optional. */
export interface Callbacks {
  onFitStart?(event: FitStartEvent): void | Promise<void>;
  onStepEnd?(event: StepEndEvent): void | Promise<void>;
  onNonFinite?(event: NonFiniteEvent): void | Promise<void>;
  onEpochEnd?(event: EpochEndEvent): void | Promise<void>;
  onCheckpoint?(event: CheckpointEvent): void | Promise<void>;
  onFitEnd?(event: FitResult): void | Promise<void>;
}

/**
 * Calls `name` on every callback that has it, in order, awaiting each.
 *
 * @example
 * await emit(callbacks, 'onEpochEnd', event);
 */
export async function emit<K extends keyof Callbacks>(
  callbacks: readonly Callbacks[],
  name: K,
  event: Parameters<NonNullable<Callbacks[K]>>[0],
): Promise<void> {
  for (const cb of callbacks) {
    const fn = cb[name] as ((e: typeof event) => void | Promise<void>) | undefined;
    if (fn !== undefined) await fn.call(cb, event);
  }
}
