/**
 * study: what the three studies share. The sub-run runner (a grid of separately seeded training
 * runs with records, resume, abort and progress), the store it records into, the executor that
 * trains pending sub-runs, the progress and options shapes, and the statistics over seeds.
 *
 * @example
 * import { FileSubRunStore, runSubRuns, tInterval } from './study/index.js';
 * const store = FileSubRunStore.open('runs/a/subruns', { config });
 * const accuracies = await runSubRuns(grid, { store, isRecord, train });
 * tInterval(accuracies.map((a) => a.accuracy));
 */
export {
  FileSubRunStore,
  configHash,
  subRunDir,
  subRunLog,
  type SubRunStore,
  type FileSubRunStoreOptions,
  type SubRunMeta,
  type SubRunLogEntry,
} from './sub-runs.js';
export {
  SubRunner,
  runSubRuns,
  type SubRun,
  type SubRunEvent,
  type SubRunnerOptions,
  type RecordGuard,
  type TrainSubRun,
} from './runner.js';
export { localExecutor, type Executor, type SubRunContext } from './executor.js';
export type { StudyProgress, StudyProgressFields, StudyRunOptions } from './progress.js';
export {
  mean,
  meanDefined,
  sampleSd,
  meanSd,
  quantile,
  tCdf,
  tQuantile,
  tInterval,
  type MeanSd,
  type MeanInterval,
} from './stats.js';
export { hasFields, type FieldKind } from './records.js';
export {
  classifyInterval,
  convergenceReason,
  decideEffect,
  formatEffect,
  formatInterval,
  lossConverged,
  seedEffect,
  validationConverged,
  seedNoiseReason,
  smokeTestReason,
  verdictText,
  CONVERGED_RELATIVE_DROP,
  FITTED_FRACTION,
  SMOKE_TEST,
  UNDER_TRAINED,
  UNCONVERGED_TOLERANCE,
  VALIDATION_RELATIVE_DROP,
  VERDICT_LEVEL,
  type ConvergenceCurve,
  type E2eOutcome,
  type EffectOutcome,
  type StudyVerdict,
  type VerdictEffect,
  type VerdictReason,
} from './verdict.js';
export {
  dataDigest,
  type SubRunTrainer,
  type SubRunTrainers,
  type SubRunTrainContext,
  type SubRunActivity,
} from './sub-run-trainer.js';
export { oncePerConfig } from './once-per-config.js';
