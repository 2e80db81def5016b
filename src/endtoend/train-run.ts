/**
 * One training run of the study: a model fitted to a dataset with a loss on its outputs, for a
 * number of steps that grows with the data (a few epochs over large sets, at least `minSteps`
 * over small ones, at most `maxSteps`), then measured on the test set. An abort of the options'
 * `signal` stops the training after its current step, and the call rejects with a StoppedError.
 *
 * @example
 * await fitModel(model, trainSet, (out, y) => classNll(out, y), { batchSize: 32, lr: 1e-3, epochs: 30, minSteps: 100, maxSteps: 600, seed: 1 });
 * const err = testError(model, testSet, errorRate);
 */
import type { TensorDataset } from '../data/index.js';
import { DataLoader } from '../data/index.js';
import { crossEntropy, mse } from '../nn/functional/index.js';
import type { AnyModule, Module } from '../nn/index.js';
import { Adam } from '../optim/index.js';
import type { Tensor } from '../tensor/index.js';
import { fitUnlessAborted, predict, Trainer } from '../train/index.js';
import type { LearnedStage } from './stage.js';

export interface RunOptions {
  batchSize: number;
  /** Adam's learning rate. */
  lr: number;
  /** Passes over the data, unless that is fewer than minSteps or more than maxSteps steps. */
  epochs: number;
  minSteps: number;
  maxSteps: number;
  /** Seed of the loader's shuffling. */
  seed: number;
  /** Stops the training after its current step; the call then rejects with a StoppedError. */
  signal?: AbortSignal;
}

/**
 * The number of optimizer steps for `examples` training examples.
 *
 * @example
 * stepsFor(100, { batchSize: 32, epochs: 30, minSteps: 100, maxSteps: 600 }); // 120
 */
export function stepsFor(
  examples: number,
  o: Pick<RunOptions, 'batchSize' | 'epochs' | 'minSteps' | 'maxSteps'>,
): number {
  const perEpoch = Math.ceil(examples / o.batchSize);
  return Math.min(o.maxSteps, Math.max(o.minSteps, o.epochs * perEpoch));
}

/**
 * Trains `model` on `data` with Adam, minimising `loss(model.forward(x), y)`; returns the mean
 * training loss of every epoch (for the verdict's convergence check).
 *
 * @example
 * await fitModel(e2e, compositeDataset(train), c.loss, runOptions);
 */
export async function fitModel(
  model: Module,
  data: TensorDataset,
  loss: (out: Tensor, y: Tensor) => Tensor,
  o: RunOptions,
): Promise<number[]> {
  return fitWith(model, data, (x, y) => loss(model.forward(x), y), o);
}

/**
 * Trains a learned stage on its own sub-task data: cross-entropy on the module's logits for a
 * `classes` output, squared error for anything else.
 *
 * @example
 * await trainStage(pipeline.learned()[0], digitSample(pools.train, 300, 0), runOptions);
 */
export async function trainStage(stage: LearnedStage, data: TensorDataset, o: RunOptions): Promise<number[]> {
  const loss =
    stage.output.kind === 'classes'
      ? (x: Tensor, y: Tensor) => crossEntropy(stage.raw(x), y)
      : (x: Tensor, y: Tensor) => mse(stage.run(x), y.toFloat());
  return fitWith(stage.module, data, loss, o);
}

async function fitWith(
  model: AnyModule,
  data: TensorDataset,
  loss: (x: Tensor, y: Tensor) => Tensor,
  o: RunOptions,
): Promise<number[]> {
  const loader = new DataLoader(data, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
  const steps = stepsFor(data.length, o);
  model.train();
  const trainer = new Trainer({
    model,
    loader,
    optimizer: new Adam(model.parameters(), { lr: o.lr }),
    epochs: Math.ceil(steps / loader.batchesPerEpoch),
    maxSteps: steps,
    step: ({ x, y }) => ({ loss: loss(x, y) }),
  });
  const fit = await fitUnlessAborted(trainer, o.signal, 'end-to-end study run');
  model.eval();
  return fit.history.map((h) => h.loss);
}

/**
 * The model's error on a test set, by the case's measure (predictions without gradients, in
 * batches, in eval mode).
 *
 * @example
 * testError(model, compositeDataset(test), errorRate); // 0.31
 */
export function testError(model: Module, data: TensorDataset, error: (pred: Tensor, y: Tensor) => number): number {
  const all = data.batch(Int32Array.from({ length: data.length }, (_, i) => i));
  return error(predict(model, all.x, { batchSize: 500 }), all.y);
}
