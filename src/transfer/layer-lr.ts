/**
 * Layer-wise learning rates (discriminative fine-tuning, Howard & Ruder 2018; "layer decay"): the
 * heads train at `lr`, each layer group below at `decay` times the rate of the group above it, so
 * general low-level features move least. ULMFiT's factor is 1/2.6.
 *
 * @example
 * const opt = new optim.Adam(layerwiseParamGroups(model, { lr: 1e-3, decay: 1 / 2.6 }));
 * opt.paramGroups.map((g) => g.lr); // ≈ [5.7e-5, 1.5e-4, 3.8e-4, 1e-3] for trunk.0, trunk.3, trunk.7, heads
 */
import { ValueError } from '../core/errors.js';
import type { AdamOptions, ParamGroupSpec } from '../optim/index.js';
import type { MultiTaskModel } from '../models/hard-sharing.js';
import { layerGroups } from './layer-groups.js';

export interface LayerwiseOptions {
  /** Rate of the heads (the top group). */
  lr: number;
  /** Ratio of a group's rate to the rate of the group above it, in (0, 1]. Default 1/2.6. */
  decay?: number;
  /** Weight decay of every group. Default: the optimizer's. */
  weightDecay?: number;
}

/** A parameter group spec with the name of its layer group. */
export type NamedParamGroup = ParamGroupSpec<AdamOptions> & { name: string; lr: number };

/**
 * One optimizer parameter group per layer group, bottom to top, with geometrically decaying rates.
 *
 * @example
 * layerwiseParamGroups(model, { lr: 1e-3, decay: 0.5 }).map((g) => [g.name, g.lr]);
 * // [['trunk.0', 1.25e-4], ['trunk.3', 2.5e-4], ['trunk.7', 5e-4], ['heads', 1e-3]]
 */
export function layerwiseParamGroups(model: MultiTaskModel, opts: LayerwiseOptions): NamedParamGroup[] {
  const decay = opts.decay ?? 1 / 2.6;
  if (!(opts.lr > 0)) throw new ValueError('layerwiseParamGroups', `lr must be positive, got ${opts.lr}`);
  if (!(decay > 0 && decay <= 1)) throw new ValueError('layerwiseParamGroups', `decay must be in (0, 1], got ${decay}`);
  const groups = layerGroups(model);
  return groups.map((g, i) => ({
    name: g.name,
    params: g.params.map(([, p]) => p),
    lr: opts.lr * decay ** (groups.length - 1 - i),
    ...(opts.weightDecay === undefined ? {} : { weightDecay: opts.weightDecay }),
  }));
}
