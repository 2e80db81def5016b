/**
 * train: the training layer every study stands on — the Trainer (loop, clipping, scheduling,
 * non-finite guard, evaluation hook, callbacks, cooperative stop, a fit under an AbortSignal),
 * atomic checkpoints with bit-exact resumption, sub-run records that make a study of many runs
 * resumable, streaming metrics with directions, and evaluate/predict.
 *
 * @example
 * import { train } from 'polytask';
 * const trainer = new train.Trainer({ model, optimizer, loader, epochs: 3,
 *   step: ({ x, y }) => ({ loss: nn.functional.crossEntropy(model.forward(x), y) }),
 *   evaluate: () => train.evaluate(model, testLoader, { digit: [train.accuracy(), train.macroF1()] }),
 *   checkpoint: { dir: 'runs/a', everySteps: 100 } });
 * trainer.resume();
 * await trainer.fit();
 */
export { Trainer } from './trainer.js';
export type {
  TrainerOptions,
  StepFn,
  StepContext,
  StepOutput,
  ResumableLoader,
  Stateful,
  SchedulerLike,
  CheckpointOptions,
  EvalContext,
  EarlyStoppingOptions,
} from './trainer-options.js';
export {
  EarlyStopping,
  type EarlyStoppingSettings,
  type EarlyStoppingRecord,
  type EarlyStoppingSummary,
} from './early-stopping.js';
export {
  emit,
  type Callbacks,
  type FitStartEvent,
  type StepEndEvent,
  type EpochEndEvent,
  type EpochRecord,
  type CheckpointEvent,
  type CheckpointReason,
  type NonFiniteEvent,
  type FitResult,
} from './callbacks.js';
export { balancedClassWeights, classWeights } from './class-weights.js';
export { runStep, type StepSetup, type StepOutcome } from './train-step.js';
export { NonFiniteError, CheckpointError, StoppedError, describeNonFinite, type NonFiniteInfo } from './errors.js';
export { fitUnlessAborted } from './abortable-fit.js';
export { firstNonFiniteLoss, firstNonFiniteGradient } from './finite.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  readCheckpointFile,
  type CheckpointContents,
  type SaveCheckpointOptions,
} from './checkpoint.js';
export { checkpointDirOf, loadWeightsStrict } from './checkpoint-load.js';
export {
  listCheckpoints,
  latestCheckpoint,
  pruneCheckpoints,
  removeDirectory,
  type CheckpointInfo,
} from './checkpoint-store.js';
export {
  checkpointName,
  parseCheckpointName,
  readManifest,
  manifestEntry,
  type Manifest,
  type ManifestEntry,
} from './manifest.js';
export { snapshotTraining, restoreTraining, type TrainingParts, type TrainerCounters } from './trainer-state.js';
export { packState, unpackState, type JsonValue, type PackedState } from './state-codec.js';
export { LossTally, type LossSummary, type LossTallyState } from './loss-tally.js';
export { Throughput, type Progress } from './throughput.js';
export { withModesRestored } from './modes.js';
export {
  evaluate,
  predict,
  directionsOf,
  type TaskMetrics,
  type EvaluationResult,
  type TaskView,
  type EvaluateOptions,
  type PredictOptions,
} from './evaluate.js';
export * from './metrics/index.js';
export { maskTokens, MLM_IGNORE, type MaskingOptions, type MaskedTokens } from './mlm-masking.js';
export { maskedBatch, type MlmVocabulary } from './mlm-batch.js';
export { selectionMetric, type SelectionMetricName } from './selection-metric.js';
export { buildOptimizer, type OptimizerSettings, type ParamSet } from './optimizer.js';
