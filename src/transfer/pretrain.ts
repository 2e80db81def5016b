/**
 * Pre-training a source model on one task or several at once (hard sharing: one trunk, one head per
 * task). Several tasks are mixed example by example: their datasets are pooled, every batch holds
 * examples of any task, and the loss is the mean over the batch of each example's cross-entropy
 * under its own task's head, so each task weighs in proportion to its data.
 *
 * @example
 * const { model, description } = await pretrain({
 *   arch: 'cnn', config: { hidden: 128 },
 *   tasks: [{ name: 'fashion', classes: 10, train: imageDataset(fashionTrain) }],
 *   epochs: 2, batchSize: 64, lr: 1e-3, seed: 0,
 * });
 * savePretrained('runs/fashion', model, description);
 */
import { ValueError } from '../core/errors.js';
import { manualSeed } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import { TensorDataset } from '../data/index.js';
import { functional } from '../nn/index.js';
import type { MultiTaskModel } from '../models/hard-sharing.js';
import { tensor, type Tensor } from '../tensor/index.js';
import { buildModel } from './arch/registry.js';
import type { ArchConfig, ArchDescription } from './arch/types.js';
import { fitAdam, type EpochLoss } from './fit.js';

/** One source task: a classification dataset (int32 labels in [0, classes)). */
export interface SourceTask {
  name: string;
  classes: number;
  classNames?: string[];
  train: TensorDataset;
}

export interface PretrainOptions {
  arch: string;
  config: ArchConfig;
  tasks: readonly SourceTask[];
  epochs: number;
  batchSize: number;
  lr: number;
  /** Seeds the initialisation and the data order. */
  seed: number;
  onEpoch?: (event: { epoch: number; epochs: number; loss: number }) => void;
  /** Stops the pre-training after its current step; the call then rejects with a StoppedError. */
  signal?: AbortSignal;
  /**
   * Validation examples of each task (in the order of `tasks`), carved from its training data:
   * pre-training stops once their loss has not improved for `patience` epochs, and keeps the best
   * epoch's weights; each epoch's validation loss lands in the history.
   */
  validation?: { data: readonly TensorDataset[]; patience: number };
}

/** A pre-trained model, its description, and the loss of each epoch. */
export interface PretrainResult {
  model: MultiTaskModel;
  description: ArchDescription;
  history: EpochLoss[];
}

/** The tasks' examples pooled into one dataset whose labels are [task index, class] pairs. */
function pool(tasks: readonly SourceTask[]): TensorDataset {
  const shape = tasks[0]!.train.featureShape;
  for (const t of tasks) {
    if (t.train.featureShape.join(',') !== shape.join(',')) {
      throw new ValueError(
        'pretrain',
        `task '${t.name}' has inputs [${t.train.featureShape.join(',')}], task '${tasks[0]!.name}' [${shape.join(',')}]; a shared trunk needs one input shape`,
      );
    }
    if (t.train.labelShape.length !== 0 || !(t.train.labels instanceof Int32Array)) {
      throw new ValueError('pretrain', `task '${t.name}' must have int32 class labels of shape [N]`);
    }
    const bad = t.train.labels.findIndex((c) => c < 0 || c >= t.classes);
    if (bad >= 0)
      throw new ValueError(
        'pretrain',
        `task '${t.name}': label ${t.train.labels[bad]} at ${bad} is outside [0, ${t.classes})`,
      );
  }
  const n = tasks.reduce((s, t) => s + t.train.length, 0);
  const rowSize = sizeOf(shape);
  // one task's inputs are used as they are: no copy of what may be the larger part of memory
  const features = tasks.length === 1 ? tasks[0]!.train.features : new Float32Array(n * rowSize);
  const labels = new Int32Array(n * 2);
  let row = 0;
  tasks.forEach((t, ti) => {
    if (tasks.length > 1) features.set(t.train.features, row * rowSize);
    for (let i = 0; i < t.train.length; i++) {
      labels[2 * (row + i)] = ti;
      labels[2 * (row + i) + 1] = t.train.labels[i]!;
    }
    row += t.train.length;
  });
  return new TensorDataset(features, shape, labels, [2]);
}

/**
 * Builds a model of `arch` with one head per task and trains it on all tasks together.
 *
 * @example
 * const { model } = await pretrain({ arch: 'mlp', config: { hidden: [64] }, tasks, epochs: 1, batchSize: 64, lr: 1e-3, seed: 0 });
 */
export async function pretrain(o: PretrainOptions): Promise<PretrainResult> {
  if (o.tasks.length === 0) throw new ValueError('pretrain', 'give at least one source task');
  const description: ArchDescription = {
    arch: o.arch,
    config: o.config,
    tasks: o.tasks.map((t) =>
      t.classNames === undefined
        ? { name: t.name, classes: t.classes }
        : { name: t.name, classes: t.classes, classNames: t.classNames },
    ),
  };
  manualSeed(o.seed);
  const model = buildModel(description);
  const heads = o.tasks.map((t) => model.heads.get(t.name));
  const v = o.validation;
  if (v !== undefined && v.data.length !== o.tasks.length)
    throw new ValueError('pretrain', `validation has ${v.data.length} datasets for ${o.tasks.length} tasks`);
  model.train();
  const history = await fitAdam({
    model,
    params: model.parameters(),
    data: pool(o.tasks),
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    seed: o.seed,
    signal: o.signal,
    loss: (x: Tensor, y: Tensor) => {
      const h = model.trunk.forward(x);
      const pairs = y.data as Int32Array;
      const n = x.shape[0]!;
      const parts: Tensor[] = [];
      for (const [ti, head] of heads.entries()) {
        const rows: number[] = [];
        const classes: number[] = [];
        for (let i = 0; i < n; i++)
          if (pairs[2 * i] === ti) {
            rows.push(i);
            classes.push(pairs[2 * i + 1]!);
          }
        if (rows.length === 0) continue;
        const logits = head.forward(rows.length === n ? h : h.indexSelect(0, tensor(Int32Array.from(rows))));
        parts.push(functional.crossEntropy(logits, tensor(Int32Array.from(classes)), { reduction: 'sum' }));
      }
      return parts.reduce((a, b) => a.add(b)).div(n);
    },
    onEpochEnd: (e) => o.onEpoch?.({ epoch: e.epoch, epochs: o.epochs, loss: e.loss }),
    ...(v === undefined
      ? {}
      : { validation: { data: pool(o.tasks.map((t, i) => ({ ...t, train: v.data[i]! }))), patience: v.patience } }),
  });
  return { model, description, history };
}
