/**
 * The optimizer and lr schedule of a config, over the model's trainable parameters: one group, or
 * for fine-tuning a trunk group at a scaled rate and a head group at the full rate.
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
} from '../../optim/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { SchedulerLike } from '../../train/index.js';
import type { TrainConfig } from '../config/train-schema.js';

/** A set of parameters and its rate relative to the config's lr. */
export interface ParamSet {
  params: readonly Tensor[];
  /** Multiplies the config's lr. Default 1. */
  lrScale?: number;
}

/**
 * The optimizer over the trainable ones among `sets`, and the scheduler when the schedule is
 * cosine (annealed over `totalSteps`).
 *
 * @example
 * buildOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0, schedule: 'cosine' }, [{ params }], 1000);
 */
export function buildOptimizer(
  o: TrainConfig['optimizer'],
  sets: readonly ParamSet[],
  totalSteps: number,
): { optimizer: Optimizer<GroupOptions, ParamState>; scheduler?: SchedulerLike } {
  const groups = sets
    .map((s) => ({ params: s.params.filter((p) => p.requiresGrad), lr: o.lr * (s.lrScale ?? 1) }))
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
