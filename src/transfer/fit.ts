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
 */
import { DataLoader, type TensorDataset } from '../data/index.js';
import type { AnyModule } from '../nn/index.js';
import { Adam, type AdamOptions, type ParamsArg } from '../optim/index.js';
import type { Tensor } from '../tensor/index.js';
import { fitUnlessAborted, Trainer, type EpochEndEvent } from '../train/index.js';

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
}

/** The mean training loss of one epoch. */
export interface EpochLoss {
  epoch: number;
  loss: number;
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
  const optimizer = new Adam(o.params, { lr: o.lr, weightDecay: o.weightDecay ?? 0 });
  const loader = new DataLoader(o.data, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
  const trainer = new Trainer({
    model: o.model,
    optimizer,
    loader,
    epochs: o.epochs,
    step: ({ x, y }) => ({ loss: o.loss(x, y) }),
    ...(o.onEpochEnd === undefined ? {} : { callbacks: { onEpochEnd: o.onEpochEnd } }),
  });
  const result = await fitUnlessAborted(trainer, o.signal, 'fitAdam');
  return result.history.map((r) => ({ epoch: r.epoch, loss: r.loss }));
}
