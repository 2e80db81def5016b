/**
 * endtoend: pipelines of typed stages (rules and learned models), end-to-end models, the hybrid
 * of the two, and the study that compares them on learning curves and answers "is there enough
 * (x, y) data for end to end?".
 *
 * @example
 * import { runE2eStudy } from './endtoend/index.js';
 * const result = await runE2eStudy({ case: 'digit-sum' }, (p) => progress(p.done, p.total));
 * result.verdict.outcome; // 'pipeline' | 'end-to-end' | 'hybrid' | 'inconclusive'; result.advice: 'With 12,800 (x, y) examples: ...'
 */
import '../backends/index.js'; // a package entry: registers the built-in backends
export { describeType, sameType, sampleShape, type ValueType } from './value-type.js';
export {
  ruleStage,
  learnedStage,
  mapStage,
  LearnedStage,
  type Stage,
  type RuleStageSpec,
  type LearnedStageSpec,
} from './stage.js';
export { Pipeline, StageTypeError } from './pipeline.js';
export { PipelineModel, hybridFrom } from './pipeline-model.js';
export { splitColumns, splitStage } from './split.js';
export {
  columnInk,
  inkRuns,
  locateSegments,
  centerColumns,
  centerDigit,
  locateDigits,
  locateStage,
  type ColumnRange,
} from './locate.js';
export { sumDistribution, expectedNumber, sumStage, numberStage } from './digit-arithmetic.js';
export { convNet, mlp, digitClassifier, DIGIT_TRUNK, EndToEndModel } from './models.js';
export { classNll, scaledMse, errorRate, meanAbsoluteError } from './objectives.js';
export { digitPools, digitSample, type DigitPools, type DigitPoolOptions } from './digit-pools.js';
export { compositeDataset, compositePrefix, datasetPrefix, type CompositeSet } from './composite.js';
export { digitPairs } from './digit-pairs.js';
export { writtenNumbers, type WrittenNumberOptions } from './written-numbers.js';
export {
  studyCase,
  digitSumCase,
  readNumberCase,
  STUDY_CASES,
  digitsData,
  builtinDigits,
  checkCase,
  checkCaseData,
  checkValueType,
  caseNet,
  caseModelSchema,
  loadStudyCase,
  loadYamlCase,
  yamlCaseSchema,
  isCaseRef,
  type EndToEndCase,
  type CasePart,
  type CaseModel,
  type StudyCase,
  type StudyCaseName,
} from './cases/index.js';
export { TensorDataset, loadMnist, type ImageSet } from '../data/index.js';
export { tensor, Tensor } from '../tensor/index.js';
export {
  fitModel,
  trainStage,
  testError,
  stepsFor,
  validationSize,
  type FitSummary,
  type RunOptions,
  type ValidationOptions,
} from './train-run.js';
export { mean, sampleSd, quantile } from '../study/index.js';
export { summarize, pointSigmas, type CurvePoint, type CurveEntry } from './curve.js';
export { fitPowerLaw, powerLaw, MIN_FIT_POINTS, type PowerLaw, type PowerLawFit } from './power-law.js';
export {
  bootstrapPowerLaw,
  redrawCurve,
  redrawConstant,
  powerLawBand,
  type BootstrapOptions,
  type CurveBootstrap,
  type BandPoint,
} from './bootstrap.js';
export { checkExtrapolation, type ExtrapolationCheck } from './extrapolation-check.js';
export { findCrossover, type Crossover, type CrossoverOptions, type FittedCurve } from './crossover.js';
export { analyseCurve, analyseConstant, type FitReport } from './analysis.js';
export { dataVerdict, type VerdictInput } from './verdict.js';
export {
  e2eStudyConfigSchema,
  trainingSchema,
  parseE2eConfig,
  type E2eStudyConfig,
  type E2eStudyInput,
} from './config.js';
export {
  runStudyTrainings,
  seedFor,
  type Approach,
  type E2eProgress,
  type StudySetup,
  type StudyErrors,
} from './study-runs.js';
export { runE2eStudy, type E2eStudyResult, type E2eStudyOptions } from './study.js';
export { e2eCase, e2eSetup, loadE2eStudy, type LoadedE2eStudy } from './study-load.js';
export { e2eSubRunTrainer } from './study-sub-run.js';
export {
  decideE2eVerdict,
  crossoverReason,
  fitCheckReason,
  errorsAtLargest,
  E2E_MARGIN,
  E2E_CLAIM_FACTOR,
  type E2eVerdictInput,
} from './study-verdict.js';
