/**
 * The supervised loop every strategy and the pre-training share: mini-batches of a TensorDataset
 * through the train layer's Trainer (its non-finite guard and callbacks included), with the
 * optimizer `train` builds (src/train/optimizer.ts: Adam by default, or AdamW or SGD with
 * momentum, a constant rate or cosine annealing), gradient clipping, and early stopping on a
 * validation split by its loss, accuracy or macro-F1, all as `train` has them; stopped after the
 * current step when its AbortSignal fires.
 *
 * @example
 * const history = await fitAdam({
 *   model, params: model.parameters(), data: train, epochs: 20, batchSize: 64, lr: 1e-3, seed: 0,
 *   loss: (x, y) => crossEntropy(model.run(x).outputs.digit, y),
 * });
 * history.at(-1)!.loss;
 * // with a validation split carved from the training data: early stopping on its loss, best weights kept
 * const stopped = await fitAdam({ ...options, validation: { data: val, patience: 5 } });
 * stopped.map((e) => e.valLoss); // one validation loss per epoch run
 */
import { ValueError } from '../core/errors.js';
import { DataLoader, type TensorDataset } from '../data/index.js';
import type { AnyModule } from '../nn/index.js';
import type { AdamOptions, ParamsArg } from '../optim/index.js';
import { noGrad, Tensor } from '../tensor/index.js';
import {
  buildOptimizer,
  fitUnlessAborted,
  selectionMetric,
  Trainer,
  type EpochEndEvent,
  type OptimizerSettings,
  type ParamSet,
  type SelectionMetricName,
} from '../train/index.js';

/** Examples per forward pass when scoring a validation split. */
const VALIDATION_BATCH = 500;

/**
 * A validation split (carved from the training data, never the test split) and early stopping on
 * its loss: training stops once `patience` epochs in a row have not lowered it, and ends with the
 * weights of its best epoch.
 */
export interface FitValidation {
  data: TensorDataset;
  patience: number;
  /** The loss scored on it. Default: the training loss function (in eval mode, without a tape). */
  loss?: (x: Tensor, y: Tensor) => Tensor;
  /**
   * Select by this score of `predict`'s logits instead of the loss (`training.earlyStopping.metric`);
   * 'loss' is the (class-weighted) cross-entropy. Needs `predict`.
   */
  metric?: { name: SelectionMetricName; classWeight: Tensor | null; predict: (x: Tensor) => Tensor };
  /** 'max' or 'min'. Default: the metric's direction ('min' for the loss). */
  mode?: 'max' | 'min';
  /** An improvement must beat the best by more than this. Default 0. */
  minDelta?: number;
}

/** The optimizer besides its rate and decay (train's `optimizer:`), and clipping. Default: Adam, constant rate. */
export type FitOptimizer = Pick<OptimizerSettings, 'name' | 'momentum' | 'schedule'>;

export interface FitOptions {
  /** The module being trained (the trainer names parameters from it in error messages). */
  model: AnyModule;
  /** The scalar loss of a batch (regularisers included). */
  loss: (x: Tensor, y: Tensor) => Tensor;
  /** What the optimizer updates: parameters, or groups with their own lr. */
  params: ParamsArg<AdamOptions>;
  data: TensorDataset;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay?: number;
  /** Seed of the loader's shuffling. */
  seed: number;
  /** Called after every epoch (before the next one starts: the place to unfreeze layers). */
  onEpochEnd?: (event: EpochEndEvent) => void | Promise<void>;
  /** Stops the training after its current step; the call then rejects with a StoppedError. */
  signal?: AbortSignal;
  /** Early stopping on a validation split's loss (best weights kept); none when absent. */
  validation?: FitValidation;
  /** The optimizer (name, momentum, schedule). Default: Adam at a constant rate. */
  optimizer?: FitOptimizer;
  /** Clip the gradients' global norm to this before each step. */
  clipGradNorm?: number;
}

/** The mean training loss of one epoch, and its validation loss (or score) when a validation split was given. */
export interface EpochLoss {
  epoch: number;
  loss: number;
  valLoss?: number;
  /** The validation score early stopping selected by, when it is not the loss (accuracy, macro-F1). */
  valScore?: number;
}

/**
 * The mean loss of `loss` over `data`, in eval mode and without a tape (the caller restores modes).
 *
 * @example
 * validationLoss(model, val, (x, y) => crossEntropy(model.forward(x), y));
 */
function validationLoss(model: AnyModule, data: TensorDataset, loss: (x: Tensor, y: Tensor) => Tensor): number {
  model.eval();
  return noGrad(() => {
    let total = 0;
    for (const { x, y } of new DataLoader(data, { batchSize: VALIDATION_BATCH }))
      total += loss(x, y).item() * x.shape[0]!;
    return total / data.length;
  });
}

/** The score of `metric` over `data`, in eval mode and without a tape (the caller restores modes). */
function validationScore(model: AnyModule, data: TensorDataset, metric: NonNullable<FitValidation['metric']>): number {
  model.eval();
  const m = selectionMetric(metric.name, metric.classWeight);
  return noGrad(() => {
    for (const { x, y } of new DataLoader(data, { batchSize: VALIDATION_BATCH })) m.update(metric.predict(x), y);
    return m.compute();
  });
}

/** Adam's `params` (tensors, or groups at their own rate) as the optimizer builder's sets, rates relative to `lr`. */
function paramSets(params: ParamsArg<AdamOptions>, lr: number): ParamSet[] {
  const list = [...params];
  const isGroup = (p: (typeof list)[number]): p is Exclude<(typeof list)[number], Tensor> => !(p instanceof Tensor);
  const groups = list.filter(isGroup);
  const tensors = list.filter((p): p is Tensor => !isGroup(p));
  return [
    ...(tensors.length === 0 ? [] : [{ params: tensors }]),
    ...groups.map((g) => ({ params: [...g.params], lrScale: (g.lr ?? lr) / lr })),
  ];
}

/**
 * Trains for `epochs` epochs (none when 0) and returns the mean loss of each. An abort of
 * `signal` (before or during the training) rejects with a StoppedError after the current step.
 *
 * @example
 * await fitAdam({ model: head, params: head.parameters(), data: features, epochs: 100, batchSize: 64, lr: 1e-2, seed: 1, loss });
 */
export async function fitAdam(o: FitOptions): Promise<EpochLoss[]> {
  if (o.epochs === 0) return [];
  const v = o.validation;
  if (v !== undefined && v.data.length === 0) throw new ValueError('fitAdam', 'the validation split is empty');
  const loader = new DataLoader(o.data, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
  const { optimizer, scheduler } = buildOptimizer(
    { name: 'adam', momentum: 0, schedule: 'constant', ...o.optimizer, lr: o.lr, weightDecay: o.weightDecay ?? 0 },
    paramSets(o.params, o.lr),
    o.epochs * loader.batchesPerEpoch,
    // a frozen parameter may be unfrozen later (gradual unfreezing): the optimizer holds them all
    { trainableOnly: false },
  );
  const byScore = v?.metric !== undefined && v.metric.name !== 'loss';
  const trainer = new Trainer({
    model: o.model,
    optimizer,
    loader,
    epochs: o.epochs,
    ...(scheduler === undefined ? {} : { scheduler }),
    ...(o.clipGradNorm === undefined ? {} : { clipGradNorm: o.clipGradNorm }),
    step: ({ x, y }) => ({ loss: o.loss(x, y) }),
    ...(o.onEpochEnd === undefined ? {} : { callbacks: { onEpochEnd: o.onEpochEnd } }),
    ...(v === undefined
      ? {}
      : {
          earlyStopping: {
            metric: v.metric === undefined ? 'validation loss' : `validation ${v.metric.name}`,
            mode: v.mode ?? (byScore ? 'max' : 'min'),
            patience: v.patience,
            minDelta: v.minDelta ?? 0,
            score: () =>
              v.metric === undefined
                ? validationLoss(o.model, v.data, v.loss ?? o.loss)
                : validationScore(o.model, v.data, v.metric),
          },
        }),
  });
  const result = await fitUnlessAborted(trainer, o.signal, 'fitAdam');
  return result.history.map((r) =>
    r.earlyStopping === undefined
      ? { epoch: r.epoch, loss: r.loss }
      : byScore
        ? { epoch: r.epoch, loss: r.loss, valScore: r.earlyStopping.value }
        : { epoch: r.epoch, loss: r.loss, valLoss: r.earlyStopping.value },
  );
}
