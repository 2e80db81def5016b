/**
 * The optimizer and lr schedule of a training config, over the model's trainable parameters: one
 * group, or groups at scaled rates (fine-tuning's layer groups). `train`, `pretrain` and every
 * fine-tuning strategy (transfer/fit.ts, so `finetune` and the transfer study) build theirs here:
 * Adam, AdamW or SGD with momentum, a constant rate or cosine annealing over the run's steps.
 *
 * @example
 * const { optimizer, scheduler } = buildOptimizer(config.optimizer, [{ params: model.parameters() }], totalSteps);
 */
import {
  Adam,
  AdamW,
  CosineAnnealingLR,
  SGD,
  type Optimizer,
  type GroupOptions,
  type ParamState,
} from '../optim/index.js';
import type { Tensor } from '../tensor/index.js';
import type { SchedulerLike } from './trainer-options.js';

/** What a config says of the optimizer (`optimizer:` of a training config). */
export interface OptimizerSettings {
  name: 'adam' | 'adamw' | 'sgd';
  lr: number;
  weightDecay: number;
  /** SGD only. */
  momentum: number;
  /** 'cosine': anneal the rate to zero over the run's steps. */
  schedule: 'constant' | 'cosine';
}

/** A set of parameters and its rate relative to the config's lr. */
export interface ParamSet {
  params: readonly Tensor[];
  /** Multiplies the config's lr. Default 1. */
  lrScale?: number;
}

/**
 * The optimizer over the trainable ones among `sets` (all of them with `trainableOnly: false`:
 * gradual unfreezing opens frozen ones later), and the scheduler when the schedule is cosine
 * (annealed over `totalSteps`).
 *
 * @example
 * buildOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0, schedule: 'cosine' }, [{ params }], 1000);
 */
export function buildOptimizer(
  o: OptimizerSettings,
  sets: readonly ParamSet[],
  totalSteps: number,
  { trainableOnly = true }: { trainableOnly?: boolean } = {},
): { optimizer: Optimizer<GroupOptions, ParamState>; scheduler?: SchedulerLike } {
  const groups = sets
    .map((s) => ({
      params: trainableOnly ? s.params.filter((p) => p.requiresGrad) : [...s.params],
      lr: o.lr * (s.lrScale ?? 1),
    }))
    .filter((g) => g.params.length > 0);
  const optimizer: Optimizer<GroupOptions, ParamState> =
    o.name === 'sgd'
      ? (new SGD(groups, { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay }) as unknown as Optimizer<
          GroupOptions,
          ParamState
        >)
      : (new (o.name === 'adamw' ? AdamW : Adam)(groups, {
          lr: o.lr,
          weightDecay: o.weightDecay,
        }) as unknown as Optimizer<GroupOptions, ParamState>);
  if (o.schedule === 'cosine')
    return { optimizer, scheduler: new CosineAnnealingLR(optimizer, { tMax: Math.max(1, totalSteps) }) };
  return { optimizer };
}
