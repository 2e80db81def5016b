/**
 * The fine-tuning strategy interface: every strategy is one object with a key, a one-line summary
 * and `fit`, which trains a model (pre-trained trunk, new head) on the target's labelled examples in
 * place. Each lives in its own file; `createStrategy(key)` finds it.
 *
 * @example
 * const strategy = createStrategy('lp-ft');
 * const result = await strategy.fit({ model, task: 'digit', train, options: { epochs: 20, batchSize: 64, lr: 1e-3, seed: 0 } });
 */
import type { TensorDataset } from '../../data/index.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import type { FeatureCache } from '../feature-cache.js';
import type { FitOptimizer } from '../fit.js';
import type { Tensor } from '../../tensor/index.js';
import type { SelectionMetricName } from '../../train/index.js';

/**
 * The strategies, in the order studies report them.
 *
 * @example
 * strategyKeys.includes('lp-ft'); // true
 */
export const strategyKeys = ['scratch', 'linear-probe', 'full', 'lp-ft', 'gradual', 'discriminative'] as const;

export type StrategyKey = (typeof strategyKeys)[number];

/**
 * What a fine-tuning run is labelled with in its epoch events and result: a strategy, or 'lora'
 * for LoRA adapters trained with the head (src/transfer/finetune.ts), which is not one of the
 * strategies a study compares by default.
 *
 * @example
 * const method: MethodKey = 'lora';
 */
export type MethodKey = StrategyKey | 'lora';

/** Hyperparameters of a fine-tuning run. */
export interface FineTuneOptions {
  /** Training epochs (LP-FT: of the fine-tuning phase). */
  epochs: number;
  batchSize: number;
  /** Adam's learning rate (discriminative: the head's; LP-FT: the fine-tuning phase's). */
  lr: number;
  /** Seed of the data order. */
  seed: number;
  weightDecay?: number;
  /** Learning rate of a linear probe (and of LP-FT's probe phase). Default: lr. */
  probeLr?: number;
  /** Epochs of LP-FT's probe phase. Default: epochs. */
  probeEpochs?: number;
  /** Discriminative rates: ratio of a layer group's rate to the one above it. Default 1/2.6. */
  layerDecay?: number;
  /** Keep batch-norm layers on their pre-trained statistics while training (not for scratch). */
  frozenBatchNorm?: boolean;
  /** L2-SP towards the pre-trained weights, α on the trunk, β on the head (not for scratch). */
  l2sp?: { alpha: number; beta: number };
  /** Batch spectral shrinkage of the trunk's output, η on the k smallest squared singular values (not for scratch). */
  bss?: { eta: number; k?: number };
  /** A cache shared between runs, so that probes over the same trunk and data reuse features. */
  featureCache?: FeatureCache;
  /**
   * A validation split carved from the labelled examples (never the test set): every phase stops
   * once its cross-entropy there has not improved for `patience` epochs, and keeps its best epoch's
   * weights. Each epoch's validation loss lands in the history.
   */
  validation?: {
    data: TensorDataset;
    patience: number;
    /** Select by this score instead of the cross-entropy (train's `earlyStopping.metric`). Default 'loss'. */
    metric?: SelectionMetricName;
    /** Default: the metric's direction. */
    mode?: 'max' | 'min';
    minDelta?: number;
  };
  /** The optimizer (train's `optimizer:` besides lr and weight decay). Default: Adam at a constant rate. */
  optimizer?: FitOptimizer;
  /** Clip the gradients' global norm to this before each step. */
  clipGradNorm?: number;
  /** Cross-entropy class weights ([classes]), as train's `classWeights`. */
  classWeight?: Tensor;
}

/** One finished epoch, as reported while training. */
export interface FineTuneEpoch {
  strategy: MethodKey;
  /** 'train', or 'probe' / 'fine-tune' for LP-FT. */
  phase: string;
  epoch: number;
  epochs: number;
  loss: number;
}

/** What a strategy trains on. */
export interface FineTuneContext {
  /** Pre-trained trunk with a new head for `task`; trained in place. */
  model: MultiTaskModel;
  task: string;
  train: TensorDataset;
  options: FineTuneOptions;
  onEpoch?: (event: FineTuneEpoch) => void;
  /** Stops the training after its current step; fit then rejects with a StoppedError. */
  signal?: AbortSignal;
}

/** What a strategy did. */
export interface FineTuneResult {
  strategy: MethodKey;
  /** The mean loss of every epoch (and its validation loss, with a validation split), by phase. */
  history: { phase: string; epoch: number; loss: number; valLoss?: number; valScore?: number }[];
  /** Examples that went through the trunk to fill the feature cache (probes only). */
  cachedExamples: number;
}

/**
 * A way of fine-tuning a pre-trained model on a target task.
 *
 * @example
 * const full: FineTuneStrategy = { key: 'full', summary: 'every parameter trains', fit: async (ctx) => { ... } };
 */
export interface FineTuneStrategy {
  readonly key: StrategyKey;
  /** What it trains, in one line (for reports). */
  readonly summary: string;
  fit(ctx: FineTuneContext): Promise<FineTuneResult>;
}
