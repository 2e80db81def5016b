/**
 * One training run of the study: a model fitted to a dataset with a loss on its outputs, then
 * measured on the test set. With `validation` (the study's default) the run holds out the last part
 * of its own data as a validation split (never the test set), scores the validation loss every
 * `every` steps (or every epoch, when an epoch is shorter), stops once `patience` checks in a row have not lowered it (by more than
 * `minDelta`), and ends with the best
 * check's weights (early stopping, src/train/early-stopping.ts). Without it the run trains for a
 * number of steps that grows with the data. Either way at most `maxSteps` steps. An abort of the
 * options' `signal` stops the training after its current step, and the call rejects with a
 * StoppedError.
 *
 * @example
 * const fit = await fitModel(model, trainSet, (out, y) => classNll(out, y), { batchSize: 32, lr: 1e-3, epochs: 30, minSteps: 100, maxSteps: 600, seed: 1, validation: null });
 * const err = testError(model, testSet, errorRate);
 */
import type { TensorDataset } from '../data/index.js';
import { DataLoader } from '../data/index.js';
import { crossEntropy, mse } from '../nn/functional/index.js';
import type { AnyModule, Module } from '../nn/index.js';
import { Adam } from '../optim/index.js';
import { noGrad, type Tensor } from '../tensor/index.js';
import { EarlyStopping, fitUnlessAborted, predict, Trainer } from '../train/index.js';
import type { LearnedStage } from './stage.js';

/** Early stopping on a validation split carved from the run's own training data. */
export interface ValidationOptions {
  /** Share of the data held out (at least one example, and at least one left to train on). */
  fraction: number;
  /** At most this many examples held out. */
  maxExamples: number;
  /** Steps between two validation checks (at most one epoch's). */
  every: number;
  /** Checks in a row without a lower validation loss after which training stops. */
  patience: number;
  /** A check must lower the best validation loss by more than this to count as an improvement. */
  minDelta: number;
}

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
  /** Early stopping on a validation split (then `epochs` and `minSteps` are unused), or null. */
  validation: ValidationOptions | null;
  /** Stops the training after its current step; the call then rejects with a StoppedError. */
  signal?: AbortSignal;
}

/** How a run's training went: what the study records and the convergence check reads. */
export interface FitSummary {
  /** Mean training loss of every epoch. */
  losses: number[];
  /** Validation loss at every check (null without a validation split). */
  validation: number[] | null;
  /** Whether early stopping ended the run (its validation loss had stopped improving). */
  stopped: boolean;
  /** Steps trained. */
  steps: number;
  /** The step whose weights the model ends with (the best check's; the last step without validation). */
  bestStep: number;
  /** Examples held out for validation. */
  validationExamples: number;
}

/**
 * The number of optimizer steps for `examples` training examples (without early stopping).
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
 * Examples of `n` held out for validation: `fraction` of them, at most `maxExamples`, at least one,
 * and never all (0 when there are fewer than two).
 *
 * @example
 * validationSize(1000, { fraction: 0.2, maxExamples: 150 }); // 150
 */
export function validationSize(n: number, v: Pick<ValidationOptions, 'fraction' | 'maxExamples'>): number {
  if (n < 2) return 0;
  return Math.min(n - 1, v.maxExamples, Math.max(1, Math.round(v.fraction * n)));
}

/**
 * Trains `model` on `data` with Adam, minimising `loss(model.forward(x), y)`.
 *
 * @example
 * const { validation, stopped } = await fitModel(e2e, compositeDataset(train), c.loss, runOptions);
 */
export async function fitModel(
  model: Module,
  data: TensorDataset,
  loss: (out: Tensor, y: Tensor) => Tensor,
  o: RunOptions,
): Promise<FitSummary> {
  return fitWith(model, data, (x, y) => loss(model.forward(x), y), o);
}

/**
 * Trains a learned stage on its own sub-task data: cross-entropy on the module's logits for a
 * `classes` output, squared error for anything else.
 *
 * @example
 * await trainStage(pipeline.learned()[0], digitSample(pools.train, 300, 0), runOptions);
 */
export async function trainStage(stage: LearnedStage, data: TensorDataset, o: RunOptions): Promise<FitSummary> {
  const loss =
    stage.output.kind === 'classes'
      ? (x: Tensor, y: Tensor) => crossEntropy(stage.raw(x), y)
      : (x: Tensor, y: Tensor) => mse(stage.run(x), y.toFloat());
  return fitWith(stage.module, data, loss, o);
}

const range = (from: number, to: number): Int32Array => Int32Array.from({ length: to - from }, (_, i) => from + i);

/** The mean loss over a dataset, in eval mode and without gradients (batches of 500). */
function meanLoss(model: AnyModule, data: TensorDataset, loss: (x: Tensor, y: Tensor) => Tensor): number {
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  noGrad(() => {
    for (let start = 0; start < data.length; start += 500) {
      const b = data.batch(range(start, Math.min(data.length, start + 500)));
      total += loss(b.x, b.y).item() * (b.x.shape[0] ?? 0);
    }
  });
  if (wasTraining) model.train();
  return total / data.length;
}

async function fitWith(
  model: AnyModule,
  data: TensorDataset,
  loss: (x: Tensor, y: Tensor) => Tensor,
  o: RunOptions,
): Promise<FitSummary> {
  const v = o.validation;
  const held = v === null ? 0 : validationSize(data.length, v);
  const train = held === 0 ? data : data.subset(range(0, data.length - held));
  const check = held === 0 ? null : data.subset(range(data.length - held, data.length));
  const loader = new DataLoader(train, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
  const steps = v === null || check === null ? stepsFor(train.length, o) : o.maxSteps;
  const stopper =
    v === null || check === null
      ? null
      : new EarlyStopping({ metric: 'loss', mode: 'min', patience: v.patience, minDelta: v.minDelta });
  const validation: number[] = [];
  // at least once an epoch: a small set overfits within a few epochs
  const every = v === null ? steps : Math.min(v.every, loader.batchesPerEpoch);
  let bestStep = steps;
  model.train();
  const trainer: Trainer = new Trainer({
    model,
    loader,
    optimizer: new Adam(model.parameters(), { lr: o.lr }),
    epochs: Math.ceil(steps / loader.batchesPerEpoch),
    maxSteps: steps,
    step: ({ x, y }) => ({ loss: loss(x, y) }),
    callbacks: {
      onStepEnd: (e) => {
        const done = e.step + 1;
        if (stopper === null || check === null || (done % every !== 0 && done !== steps)) return;
        const value = meanLoss(model, check, loss);
        validation.push(value);
        const judged = stopper.update(validation.length - 1, value, model);
        if (judged.improved) bestStep = done;
        if (judged.stop) trainer.requestStop();
      },
    },
  });
  const fit = await fitUnlessAborted(trainer, o.signal, 'end-to-end study run');
  // the best check's weights (the model holds the last step's otherwise)
  stopper?.restore(model);
  model.eval();
  return {
    losses: fit.history.map((h) => h.loss),
    validation: stopper === null ? null : validation,
    stopped: stopper?.stopped ?? false,
    steps: fit.stepsDone,
    bestStep: stopper === null ? fit.stepsDone : bestStep,
    validationExamples: held,
  };
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
