/**
 * What `training:` asks of a supervised run besides the loop itself: a validation split carved
 * from the training examples (stratified, seeded; `valFraction`, 0.1 by default under early
 * stopping), the early-stopping score read on it, and the cross-entropy's class weights
 * (`classWeights`). Everything here is checked before the run directory exists.
 *
 * The validation split, never the test split, is what early stopping selects on: an epoch chosen
 * by its test score would make the reported test score an optimistic estimate.
 *
 * @example
 * const extras = trainingExtras(config.training, data, config.seed);
 * extras.train.length + (extras.val?.length ?? 0) === data.train.length; // true
 */
import { trainTestSplit, DataLoader, type TensorDataset } from '../../data/index.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import { Tensor } from '../../tensor/index.js';
import { classWeights, evaluate, selectionMetric, type EarlyStoppingOptions } from '../../train/index.js';
import type { LoadedData } from '../../data/sources/index.js';
import type { TrainConfig } from '../config/train-schema.js';
import { CliError } from '../errors.js';

/** The share held out for validation when early stopping is on and valFraction is not given. */
export const DEFAULT_VAL_FRACTION = 0.1;

/** Examples per forward pass when scoring the validation split. */
const VAL_BATCH = 500;

/** The training examples, the validation split (or none), and the loss's class weights (or none). */
export interface TrainingExtras {
  train: TensorDataset;
  val: TensorDataset | null;
  classWeight: Tensor | null;
}

/**
 * The training set split into training and validation examples, and the class weights, as
 * `training:` asks; a CliError naming the setting when they cannot be had.
 *
 * @example
 * trainingExtras({ ...config.training, valFraction: 0.2 }, data, 0).val?.length;
 */
export function trainingExtras(t: TrainConfig['training'], data: LoadedData, seed: number): TrainingExtras {
  const fraction = t.valFraction ?? (t.earlyStopping === undefined ? undefined : DEFAULT_VAL_FRACTION);
  let train = data.train;
  let val: TensorDataset | null = null;
  if (fraction !== undefined) {
    const labels = data.train.labels;
    // a seed of its own: the validation split does not move the test split or the label budget
    const split = trainTestSplit(data.train.length, { testFraction: fraction, seed: seed + 2, stratify: labels });
    if (split.test.length === 0 || split.train.length === 0)
      throw new CliError(
        `training.valFraction: ${fraction} of ${data.train.length} training examples leaves ${split.test.length === 0 ? 'no validation' : 'no training'} example; give more data or another fraction`,
      );
    train = data.train.subset(split.train);
    val = data.train.subset(split.test);
  }
  const classWeight =
    t.classWeights === undefined
      ? null
      : new Tensor(classWeights(t.classWeights, train.labels, data.classes, 'training.classWeights'), [data.classes]);
  return { train, val, classWeight };
}

/**
 * The Trainer's early stopping for `t.earlyStopping`, scoring `model`'s `task` on the validation
 * split; undefined when early stopping is off.
 *
 * @example
 * const earlyStopping = earlyStoppingFor(config.training, extras, model, 'class');
 */
export function earlyStoppingFor(
  t: TrainConfig['training'],
  extras: TrainingExtras,
  model: MultiTaskModel,
  task: string,
): EarlyStoppingOptions | undefined {
  const e = t.earlyStopping;
  if (e === undefined || extras.val === null) return undefined;
  const loader = new DataLoader(extras.val, { batchSize: VAL_BATCH });
  const metric = selectionMetric(e.metric, extras.classWeight);
  return {
    metric: e.metric,
    mode: e.mode ?? (metric.higherIsBetter ? 'max' : 'min'),
    patience: e.patience,
    minDelta: e.minDelta,
    score: () => evaluate(model, loader, { [task]: metric })[task]![e.metric]!,
  };
}
