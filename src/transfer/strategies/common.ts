/**
 * What the strategies share: a phase that trains the whole network end to end (with frozen BN
 * statistics, L2-SP and BSS when asked for), and a phase that trains the head alone on cached
 * features (L2-SP's head term applies there; BSS would have nothing to shrink in frozen features).
 *
 * @example
 * const history = await trainEndToEnd(ctx, 'full', 'train', ctx.model.parameters());
 * const probe = await trainProbe(ctx, 'linear-probe', 'train', ctx.options.epochs);
 */
import type { TensorDataset } from '../../data/index.js';
import { functional, type AnyModule } from '../../nn/index.js';
import type { AdamOptions, ParamsArg } from '../../optim/index.js';
import type { Tensor } from '../../tensor/index.js';
import { FeatureCache } from '../feature-cache.js';
import { fitAdam, type FitOptions, type FitValidation } from '../fit.js';
import { freeze } from '../freeze.js';
import { freezeBatchNormStats } from '../frozen-batchnorm.js';
import { loraBaseParameters } from '../lora/inject.js';
import { BSS } from '../regularizers/bss.js';
import { L2SP } from '../regularizers/l2sp.js';
import type { Regularizer } from '../regularizers/types.js';
import type { FineTuneContext, FineTuneResult, MethodKey } from './types.js';

type History = FineTuneResult['history'];

/** The loop options every phase takes from the strategy's options: optimizer, clipping. */
function loopOptions(options: FineTuneContext['options']): Pick<FitOptions, 'optimizer' | 'clipGradNorm'> {
  return {
    ...(options.optimizer === undefined ? {} : { optimizer: options.optimizer }),
    ...(options.clipGradNorm === undefined ? {} : { clipGradNorm: options.clipGradNorm }),
  };
}

/** The cross-entropy of `logits`, weighted by the options' class weights when given. */
function taskLoss(options: FineTuneContext['options'], logits: Tensor, y: Tensor): Tensor {
  return functional.crossEntropy(logits, y, options.classWeight === undefined ? {} : { weight: options.classWeight });
}

/**
 * Early stopping on the options' validation split, its data given as `data` (the probe's: cached
 * features), scoring `predict`'s logits: the plain task loss (no penalty), or the options' metric.
 */
function validationOf(
  options: FineTuneContext['options'],
  data: TensorDataset,
  predict: (x: Tensor) => Tensor,
): FitValidation | undefined {
  const v = options.validation;
  if (v === undefined) return undefined;
  return {
    data,
    patience: v.patience,
    loss: (x: Tensor, y: Tensor) => taskLoss(options, predict(x), y),
    ...(v.metric === undefined || v.metric === 'loss'
      ? {}
      : { metric: { name: v.metric, classWeight: options.classWeight ?? null, predict } }),
    ...(v.mode === undefined ? {} : { mode: v.mode }),
    ...(v.minDelta === undefined ? {} : { minDelta: v.minDelta }),
  };
}

/**
 * Makes every parameter trainable except the frozen base weights of LoRA adapters, so that a
 * strategy that trains "everything" trains the adapters (and the rest) of an adapted model.
 *
 * @example
 * unfreezeForTraining(ctx.model);
 */
export function unfreezeForTraining(model: AnyModule): void {
  const base = loraBaseParameters(model);
  for (const p of model.parameters()) p.requiresGrad = !base.has(p);
}

/** Options of one end-to-end phase. */
export interface PhaseOptions {
  /** Apply the context's frozen-BN, L2-SP and BSS options. Default true (scratch passes false). */
  pretrainedExtras?: boolean;
  /** Called after each epoch with its index (gradual unfreezing hooks in here). */
  afterEpoch?: (epoch: number) => void;
}

/**
 * Trains the model end to end on the context's data: cross-entropy of the task head plus, unless
 * `pretrainedExtras` is false, the L2-SP penalty (snapshot taken now) and the BSS penalty, with BN
 * statistics frozen, each when the options ask for it.
 *
 * @example
 * await trainEndToEnd(ctx, 'discriminative', 'train', layerwiseParamGroups(ctx.model, { lr }));
 */
export async function trainEndToEnd(
  ctx: FineTuneContext,
  strategy: MethodKey,
  phase: string,
  params: ParamsArg<AdamOptions>,
  opts: PhaseOptions = {},
): Promise<History> {
  const { model, task, options } = ctx;
  const extras = opts.pretrainedExtras ?? true;
  const regs: Regularizer[] = [];
  if (extras && options.l2sp !== undefined) regs.push(new L2SP(model, options.l2sp));
  if (extras && options.bss !== undefined) regs.push(new BSS(options.bss));
  const release = extras && options.frozenBatchNorm === true ? freezeBatchNormStats(model) : null;
  const head = model.heads.get(task);
  const epochs = options.epochs;
  const validation =
    options.validation === undefined
      ? undefined
      : validationOf(options, options.validation.data, (x) => head.forward(model.trunk.forward(x)));
  model.train();
  try {
    const losses = await fitAdam({
      model,
      params,
      data: ctx.train,
      epochs,
      batchSize: options.batchSize,
      lr: options.lr,
      weightDecay: options.weightDecay ?? 0,
      seed: options.seed,
      signal: ctx.signal,
      loss: (x: Tensor, y: Tensor) => {
        const features = model.trunk.forward(x);
        const ce = taskLoss(options, head.forward(features), y);
        return regs.reduce((total, r) => total.add(r.penalty({ features })), ce);
      },
      ...loopOptions(options),
      // early stopping on the plain task loss (or metric) of the validation split (no penalty)
      ...(validation === undefined ? {} : { validation }),
      onEpochEnd: (e) => {
        ctx.onEpoch?.({ strategy, phase, epoch: e.epoch, epochs, loss: e.loss });
        opts.afterEpoch?.(e.epoch);
      },
    });
    return losses.map((l) => ({ phase, ...l }));
  } finally {
    release?.();
  }
}

/**
 * A linear probe: freezes the trunk, computes its features of the training set once (through the
 * context's cache when it has one), and trains the task head on them.
 *
 * @example
 * const { history, cachedExamples } = await trainProbe(ctx, 'lp-ft', 'probe', 50);
 */
export async function trainProbe(
  ctx: FineTuneContext,
  strategy: MethodKey,
  phase: string,
  epochs: number,
): Promise<{ history: History; cachedExamples: number }> {
  const { model, task, options } = ctx;
  freeze(model, 'trunk.*');
  const cache = options.featureCache ?? new FeatureCache();
  const before = cache.examplesComputed;
  const features: TensorDataset = cache.features(model.trunk, ctx.train);
  const head = model.heads.get(task);
  const reg = options.l2sp !== undefined ? new L2SP(model, options.l2sp) : null;
  const validation =
    options.validation === undefined
      ? undefined
      : validationOf(options, cache.features(model.trunk, options.validation.data), (f) => head.forward(f));
  head.train();
  const losses = await fitAdam({
    model: head,
    params: head.parameters(),
    data: features,
    epochs,
    batchSize: options.batchSize,
    lr: options.probeLr ?? options.lr,
    weightDecay: options.weightDecay ?? 0,
    seed: options.seed,
    signal: ctx.signal,
    loss: (f: Tensor, y: Tensor) => {
      const ce = taskLoss(options, head.forward(f), y);
      return reg === null ? ce : ce.add(reg.penalty());
    },
    ...loopOptions(options),
    // the validation split's features come through the same cache (the trunk is frozen)
    ...(validation === undefined ? {} : { validation }),
    onEpochEnd: (e) => ctx.onEpoch?.({ strategy, phase, epoch: e.epoch, epochs, loss: e.loss }),
  });
  return { history: losses.map((l) => ({ phase, ...l })), cachedExamples: cache.examplesComputed - before };
}
