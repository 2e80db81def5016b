/**
 * Multi-task learning: task specs (kind, loss, metrics, directions), networks with a shared trunk and
 * task heads or soft sharing (MMoE, cross-stitch), data with missing labels and task mixing, readers
 * of task descriptions, the built-in MultiMNIST / MultiFashion / scene benchmarks, training with any
 * weighting method (weighting/), Δm against single-task baselines, negative transfer, task affinity
 * over time, the "does it make sense" checks, and the study that ties them together.
 *
 * @example
 * import { multitask } from 'polytask';
 * const { train, test, tasks } = multitask.loadMultiMnist({ train: 3000 });
 * const model = new multitask.MultiTaskModel(trunk, multitask.taskHeads(50, tasks));
 * await multitask.trainMultiTask({ model, tasks, method: multitask.createWeighting('pcgrad', ['left', 'right']),
 *   loader: new multitask.MultiTaskLoader(train, { batchSize: 64, shuffle: true }), epochs: 3 });
 * multitask.evaluateTasks(model, tasks, new multitask.MultiTaskLoader(test, { batchSize: 256 }));
 */
import '../backends/index.js'; // a package entry: registers the built-in backends
export * from './weighting/index.js';
export {
  defineTask,
  summarizeTask,
  taskNamesOf,
  isTaskName,
  taskKinds,
  metricFactories,
  metricNames,
  metricsForKind,
  type TaskKind,
  type TaskLoss,
  type TaskSpec,
  type TaskOptions,
  type TaskSummary,
  type MetricName,
} from './task.js';
export { defaultTaskLoss, alignPrediction, classTargets, sampleMask, IGNORE_INDEX } from './task-loss.js';
export { MultiTaskNetwork, type MultiTaskOutput } from '../models/network.js';
export { MultiTaskModel } from '../models/hard-sharing.js';
export { taskHead, taskHeads, type HeadOptions } from './heads.js';
export { MMoE, type MMoEOptions } from './mmoe.js';
export { CrossStitch, CrossStitchUnit, type CrossStitchOptions } from './cross-stitch.js';
export { MultiTaskDataset, type MultiTaskBatch, type TaskLabels } from './dataset.js';
export { MultiTaskLoader } from './loader.js';
export { mixingRates, type Mixing } from './mixing.js';
export { TaskSampler } from './task-sampler.js';
export {
  MixedTaskLoader,
  type MixedTaskLoaderOptions,
  type MixedBatch,
  type MixedTaskLoaderState,
} from './mixed-loader.js';
export { multiTaskStep, taskLosses, type MultiTaskStepResult } from './step.js';
export { trainMultiTask, type TrainMultiTaskOptions, type MultiTaskRun } from './train-multitask.js';
export { WeightHistory, type WeightsOverTime } from './weight-history.js';
export { evaluateTasks, predictTasks } from './evaluate.js';
export { deltaM, taskDeltas, type TaskScores, type TaskDirections } from './delta-m.js';
export { negativeTransfer, type NegativeTransferOptions } from './negative-transfer.js';
export { measureAffinity, type AffinityProbe, type AffinityOptions, type AffinityMeasurement } from './affinity.js';
export { AffinityTracker, meanMatrix, type AffinityTrackerOptions, type AffinityHistory } from './affinity-tracker.js';
export {
  sharedInputCheck,
  dataBalanceCheck,
  CHECK_THRESHOLDS,
  type SharedInputCheck,
  type DataBalanceCheck,
  type InputStats,
} from './checks.js';
export { equalCapacityWidth, type CapacityCheck } from './capacity.js';
export { resizeBilinear, pasteMax } from './datasets/resize.js';
export {
  overlayPair,
  multiItemImage,
  makeMultiItems,
  multiItemTasks,
  loadMultiMnist,
  loadMultiFashion,
  MULTI_CANVAS,
  LEFT_OFFSET,
  RIGHT_OFFSET,
  type MultiItemOptions,
  type MultiDigitsOptions,
  type MultiTaskBenchmark,
} from './datasets/multi-digits.js';
export {
  makeScenes,
  sceneTasks,
  loadScenes,
  objectTaskName,
  type SceneOptions,
  type LoadScenesOptions,
} from './datasets/scene.js';
export { ConfigError, parseConfig, formatPath, describeValue, type ConfigProblem } from '../config/index.js';
export { readConfigFile, parseConfigText } from '../config/index.js';
export {
  taskDescriptionSchema,
  fileRefSchema,
  type FileRef,
  type TaskEntry,
  type TaskDescriptionFile,
} from './config/task-description-schema.js';
export { readArray, type ArrayData, type ReadContext } from './config/read-array.js';
export {
  loadTaskDescription,
  loadTaskDescriptionSync,
  buildTaskDescription,
  buildTaskDescriptionSync,
  type TaskDescription,
} from './config/load-task-description.js';
export {
  studyConfigSchema,
  parseStudyConfig,
  builtinDatasets,
  type MtlStudyConfig,
  type MtlStudyConfigInput,
  type BuiltinDataset,
} from './study/config.js';
export { studyTrunk, type StudyTrunk } from './study/trunk.js';
export {
  runMtlStudy,
  type MtlStudyOptions,
  type MtlStudyResult,
  type MtlStudyProgress,
  type MtlChecks,
} from './study.js';
export {
  decideMtlVerdict,
  deltaMBySeed,
  MTL_MARGIN_PERCENT,
  UNSTABLE_DM_SD,
  type MtlVerdictInput,
} from './study/verdict.js';
export { mtlSubRunTrainer } from './study/sub-run.js';
export { mtlGrid, type CapacityWidth } from './study/grid.js';
