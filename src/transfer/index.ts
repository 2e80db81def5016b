/**
 * transfer: pre-train, fine-tune, and measure whether transfer helps. Checkpoints that rebuild
 * their model from `{ arch, config, tasks }`; loading by name with prefix mapping and a report;
 * fine-tuning strategies behind one interface (scratch, linear-probe, full, lp-ft, gradual,
 * discriminative) with freezing by glob, frozen batch-norm statistics, layer-wise rates and L2-SP;
 * LoRA adapters; transferability scores (LogME, LEEP, H-score, NCE) and checkpoint ranking; and
 * the transfer study.
 *
 * @example
 * import { transfer } from 'polytask';
 * const { model, description } = await transfer.pretrain({ arch: 'cnn', config: {}, tasks, epochs: 2, batchSize: 64, lr: 1e-3, seed: 0 });
 * transfer.savePretrained('runs/fashion', model, description);
 * const target = transfer.replaceHeads(transfer.loadPretrained('runs/fashion').model, [{ name: 'digit', classes: 10 }]);
 * await transfer.createStrategy('lp-ft').fit({ model: target, task: 'digit', train, options: { epochs: 20, batchSize: 64, lr: 1e-4, seed: 0 } });
 * const ranking = await transfer.rankCheckpoints(['runs/fashion', 'runs/digits'], digitsTrain);
 * const study = await transfer.runTransferStudy('default', (p) => show(p));
 */
import '../backends/index.js'; // a package entry: registers the built-in backends
export { registerArch, archNames, buildModel, buildTrunk, resolveDescription } from './arch/registry.js';
export type { ArchDescription, ArchConfig, TaskDescription, Architecture, BuiltTrunk } from './arch/types.js';
export { cnnConfigSchema, type CnnConfig } from './arch/cnn.js';
export { mlpConfigSchema, type MlpConfig } from './arch/mlp.js';
export {
  savePretrained,
  loadPretrained,
  type Pretrained,
  type PretrainedMetadata,
  type SavePretrainedOptions,
} from './checkpoint.js';
export { pretrain, type PretrainOptions, type PretrainResult, type SourceTask } from './pretrain.js';
export { replaceHeads, resetHead, resetParameters, headInputs } from './heads.js';
export {
  mapStateDict,
  loadWeights,
  type KeyMapping,
  type MappedState,
  type LoadWeightsOptions,
  type LoadWeightsReport,
} from './state-map.js';
export { nameMatcher } from './glob.js';
export { freeze, unfreeze, setTrainable, trainableNames } from './freeze.js';
export { freezeBatchNormStats } from './frozen-batchnorm.js';
export { layerGroups, type LayerGroup } from './layer-groups.js';
export { layerwiseParamGroups, type LayerwiseOptions, type NamedParamGroup } from './layer-lr.js';
export { FeatureCache, computeFeatures, weightsFingerprint, type FeatureCacheOptions } from './feature-cache.js';
export { fitAdam, type FitOptions, type EpochLoss } from './fit.js';
export { taskAccuracy, type AccuracyOptions } from './evaluate.js';
export {
  createStrategy,
  isStrategyKey,
  strategyKeys,
  unfrozenGroups,
  trainEndToEnd,
  trainProbe,
  unfreezeForTraining,
  type StrategyKey,
  type FineTuneStrategy,
  type FineTuneContext,
  type FineTuneOptions,
  type FineTuneResult,
  type FineTuneEpoch,
  type PhaseOptions,
} from './strategies/index.js';
export { L2SP, type L2SPOptions } from './regularizers/l2sp.js';
export { BSS, type BSSOptions } from './regularizers/bss.js';
export type { Regularizer, PenaltyContext } from './regularizers/types.js';
export { LoRALinear, type LoraOptions } from './lora/lora-linear.js';
export { LoRAConv2d } from './lora/lora-conv.js';
export {
  injectLora,
  mergeLora,
  loraSummary,
  loraBaseParameters,
  type InjectLoraOptions,
  type LoraSummary,
} from './lora/inject.js';
export { logme, classEvidence, type LogmeOptions } from './transferability/logme.js';
export { leep } from './transferability/leep.js';
export { nce } from './transferability/nce.js';
export { hScore, type HScoreOptions } from './transferability/hscore.js';
export { featureSpectrum, type FeatureSpectrum } from './transferability/spectrum.js';
export {
  transferabilityScores,
  scoringSubset,
  type TransferabilityScores,
  type ScoreOptions,
} from './transferability/scores.js';
export {
  rankCheckpoints,
  transferabilityMetrics,
  type TransferabilityMetric,
  type CheckpointCandidate,
  type RankedCheckpoint,
  type RankOptions,
} from './transferability/rank.js';
export { meanSd, type MeanSd } from '../study/index.js';
export {
  runTransferStudy,
  type TransferStudyOptions,
  type TransferStudyResult,
  type TransferStudyProgress,
  type StudyRun,
} from './study.js';
export { transferSubRunTrainer } from './study/sub-run.js';
export {
  transferStudyConfigSchema,
  transferStudyPresets,
  resolveStudyConfig,
  epochsForBudget,
  studyDirections,
  type TransferStudyConfig,
  type TransferStudyInput,
} from './study/config.js';
export { studyData, poolAndTest, labelledSubset, runImages, balancedSubset, type StudyData } from './study/data.js';
export {
  inputCheck,
  ratioCheck,
  gainCheck,
  verdictOf,
  imageStats,
  type StudyChecks,
  type InputCheck,
  type RatioCheck,
  type GainCheck,
  type BudgetGain,
  type ImageStats,
} from './study/checks.js';
export {
  decideTransferVerdict,
  budgetEffects,
  pairedGains,
  TRANSFER_MARGIN_POINTS,
  SOURCE_ABOVE_CHANCE,
  UNSTABLE_SD_POINTS,
  type TransferVerdictInput,
  type TransferRunRecord,
  type BudgetEffect,
} from './study/verdict.js';
