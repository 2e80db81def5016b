/**
 * The contract every weighting method keeps. A trainer builds an `MtlStepContext` from one forward
 * pass (a scalar loss per task, the shared parameters, each task's own parameters and, for methods
 * that work on it, the shared representation), calls `backward`, then steps its optimizer:
 *
 * @example
 * const method = createWeighting('pcgrad', ['left', 'right']);
 * opt.zeroGrad();
 * const z = trunk.forward(x);
 * const taskLosses = { left: F.crossEntropy(headL.forward(z), yL), right: F.crossEntropy(headR.forward(z), yR) };
 * const { weights } = method.backward({
 *   taskLosses, sharedParams: trunk.parameters(),
 *   taskParams: { left: headL.parameters(), right: headR.parameters() }, representation: z,
 * });
 * opt.step();
 */
import type { Tensor } from '../../tensor/index.js';
import type { Parameter } from '../../nn/index.js';

/** The short keys the study command's JSON uses. */
export const weightingKeys = [
  'ew',
  'sw',
  'uw',
  'dwa',
  'gradnorm',
  'rlw',
  'famo',
  'pcgrad',
  'mgda',
  'cagrad',
  'imtl',
  'aligned',
  'nash',
  'upgrad',
] as const;

export type WeightingKey = (typeof weightingKeys)[number];

/**
 * What a method differentiates:
 * - 'losses': one backward of a weighted sum of the losses (the cost of equal weights);
 * - 'sharedGrads': one gradient per task over the shared parameters (one trunk backward per task);
 * - 'representationGrads': one gradient per task w.r.t. the shared representation (heads only),
 *   then one backward of their combination through the trunk.
 */
export type WeightingNeeds = 'losses' | 'sharedGrads' | 'representationGrads';

/**
 * One training step as a weighting method sees it. `sharedParams` and `taskParams` together list the
 * parameters the losses train: gradient methods give `.grad` to these and to nothing else (loss
 * weighting runs a plain backward, which reaches every leaf).
 */
export interface MtlStepContext {
  /** A scalar loss per task, keyed by every task name the method was built with (and no other). */
  readonly taskLosses: Readonly<Record<string, Tensor>>;
  /** Parameters every task uses (the trunk). Frozen ones (requiresGrad false) are skipped. */
  readonly sharedParams: readonly Parameter[];
  /** Each task's own parameters (its head); a task without any may be left out. */
  readonly taskParams: Readonly<Record<string, readonly Parameter[]>>;
  /**
   * The shared representation: the trunk's output that every head reads, and the only path from
   * the shared parameters to the losses. Required by methods whose `needs` is 'representationGrads'.
   */
  readonly representation?: Tensor;
}

/** What one step used. */
export interface WeightingStep {
  /**
   * The coefficient of each task's loss (or gradient) in the update of the shared parameters, for
   * logging loss weights over time: the update is Σ weights[t]·∇(loss of t).
   */
  weights: Record<string, number>;
}

/** A method's learnable and running state, as tensors (so it saves beside a model's state dict). */
export type WeightingState = Record<string, Tensor>;

/**
 * A multi-task weighting method. `backward` accumulates into `.grad` as `Tensor.backward` does (call
 * the optimizer's `zeroGrad` first): the shared parameters receive the method's combined gradient.
 * Task parameters receive their own task's gradient, scaled by that task's weight for loss-weighting
 * methods (whose update is the gradient of the weighted sum) and unscaled for gradient methods.
 */
export interface WeightingMethod {
  readonly key: WeightingKey;
  /** Task names in the order the method uses internally. */
  readonly tasks: readonly string[];
  readonly needs: WeightingNeeds;
  /** Sets the gradients of one step; returns the task weights it used. */
  backward(ctx: MtlStepContext): WeightingStep;
  /** Learnable parts the trainer's optimizer must update (uw's log-variances, gradnorm's weights). */
  parameters(): Parameter[];
  stateDict(): WeightingState;
  /** Restores `stateDict()` of a method built with the same key and tasks. */
  loadStateDict(state: Readonly<WeightingState>): void;
  /** Present on methods that use epoch statistics (DWA): the epoch's mean training loss per task. */
  epochEnd?(epochLosses: Readonly<Record<string, number>>): void;
  /**
   * Present on methods that learn from the effect of a step (FAMO): each task's loss on the same
   * batch after the optimizer step. Optional for the trainer: without it, the next batch's losses
   * stand in, which saves a forward pass.
   */
  afterStep?(newLosses: Readonly<Record<string, number>>): void;
}
