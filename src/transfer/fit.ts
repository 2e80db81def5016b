/**
 * The supervised loop every strategy and the pre-training share: Adam over mini-batches of a
 * TensorDataset, run by the train layer's Trainer (its non-finite guard and callbacks included),
 * stopped after the current step when its AbortSignal fires.
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
import { Adam, type AdamOptions, type ParamsArg } from '../optim/index.js';
import { noGrad, type Tensor } from '../tensor/index.js';
import { fitUnlessAborted, Trainer, type EpochEndEvent } from '../train/index.js';

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
}

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
}

/** The mean training loss of one epoch, and its validation loss when a validation split was given. */
export interface EpochLoss {
  epoch: number;
  loss: number;
  valLoss?: number;
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

/**
 * Trains with Adam for `epochs` epochs (none when 0) and returns the mean loss of each. An abort of
 * `signal` (before or during the training) rejects with a StoppedError after the current step.
 *
 * @example
 * await fitAdam({ model: head, params: head.parameters(), data: features, epochs: 100, batchSize: 64, lr: 1e-2, seed: 1, loss });
 */
export async function fitAdam(o: FitOptions): Promise<EpochLoss[]> {
  if (o.epochs === 0) return [];
  const v = o.validation;
  if (v !== undefined && v.data.length === 0) throw new ValueError('fitAdam', 'the validation split is empty');
  const optimizer = new Adam(o.params, { lr: o.lr, weightDecay: o.weightDecay ?? 0 });
  const loader = new DataLoader(o.data, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
  const trainer = new Trainer({
    model: o.model,
    optimizer,
    loader,
    epochs: o.epochs,
    step: ({ x, y }) => ({ loss: o.loss(x, y) }),
    ...(o.onEpochEnd === undefined ? {} : { callbacks: { onEpochEnd: o.onEpochEnd } }),
    ...(v === undefined
      ? {}
      : {
          earlyStopping: {
            metric: 'validation loss',
            mode: 'min' as const,
            patience: v.patience,
            score: () => validationLoss(o.model, v.data, v.loss ?? o.loss),
          },
        }),
  });
  const result = await fitUnlessAborted(trainer, o.signal, 'fitAdam');
  return result.history.map((r) =>
    r.earlyStopping === undefined
      ? { epoch: r.epoch, loss: r.loss }
      : { epoch: r.epoch, loss: r.loss, valLoss: r.earlyStopping.value },
  );
}
