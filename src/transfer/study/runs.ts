/**
 * The transfer study's sub-runs, as the study (study.ts) and a worker (sub-run.ts) both train
 * them, in two stages: the pre-training of the source model (sub-run `source`, its weights left
 * in the sub-run's directory of the store, its record holding the loss by epoch), then the grid of
 * fine-tuning runs (`finetune-<strategy>-b<budget>-seed<seed>`), each a copy of the source model's
 * trunk with a fresh head, seeded on its own, so that any process holding the source weights
 * trains it to the same record.
 *
 * @example
 * const { record, result } = await pretrainSource(c, data, { dir: store.dir(SOURCE_RUN) });
 * const runs = new FineTuneRuns(c, data, result.description, sourceWeights(result.model));
 * const run = await runs.train({ strategy: 'full', budget: 5, seed: 0 });
 */
import { performance } from 'node:perf_hooks';
import { ValueError } from '../../core/errors.js';
import { manualSeed } from '../../core/rng.js';
import { trainTestSplit, type TensorDataset } from '../../data/index.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import { hasFields, type SubRun } from '../../study/index.js';
import type { Tensor } from '../../tensor/index.js';
import { buildModel } from '../arch/registry.js';
import type { ArchDescription } from '../arch/types.js';
import { savePretrained } from '../checkpoint.js';
import { taskAccuracy } from '../evaluate.js';
import { FeatureCache } from '../feature-cache.js';
import { runFineTune } from '../finetune.js';
import { pretrain, type PretrainResult } from '../pretrain.js';
import { loadWeights } from '../state-map.js';
import type { StrategyKey } from '../strategies/types.js';
import {
  epochsForBudget,
  patienceFor,
  runSettingsOf,
  type DataSourceStudyConfig,
  type TransferStudyConfig,
} from './config.js';
import { runImages, studyDataset, type StudyData, type TargetData } from './data.js';
import { baselineDescription, baselineRunId, ownVocabulary, remapIds } from './baselines.js';
import { pretrainMlmSource } from './mlm-source.js';
import { studyArch } from './user-data.js';
import { recordFrom } from '../../core/safe-keys.js';

/** The sub-run id of pre-training the source model. */
export const SOURCE_RUN = 'source';

/** The name of the target task's head. */
const TARGET_TASK = 'target';

/** What the record of the pre-training holds (the weights are in its directory). */
export interface SourceRecord {
  checkpoint: string | null;
  /** Pre-training loss by epoch (absent in older records). */
  losses?: number[];
  /** Validation loss by epoch (with a validation split), and whether early stopping ended it. */
  valLosses?: number[];
  stopped?: boolean;
  /** An MLM source (study/mlm-source.ts): masked-token accuracy on its held-out lines. */
  maskedAccuracy?: number;
  /** An MLM source: the share of those masked tokens that are its most frequent training word. */
  frequencyBaseline?: number;
}

/** The pre-training's curves, for the convergence check. */
export type SourceCurves = Pick<SourceRecord, 'valLosses' | 'stopped'> & { losses: number[] | null };

/**
 * A source record's curves.
 *
 * @example
 * curvesOf({ checkpoint: null, losses: [1, 0.5] }); // { losses: [1, 0.5] }
 */
export const curvesOf = (r: SourceRecord): SourceCurves => ({
  losses: r.losses ?? null,
  ...(r.valLosses === undefined ? {} : { valLosses: r.valLosses }),
  ...(r.stopped === undefined ? {} : { stopped: r.stopped }),
});

/**
 * A stratified, seeded validation split of `fraction` of `set` (rounded per class), carved from
 * the training data; none when the fraction is 0 or leaves no example on either side.
 *
 * @example
 * validationSplit(train, 0.2, 0).val?.length; // 2 of 10 per class
 */
export function validationSplit(
  set: TensorDataset,
  fraction: number,
  seed: number,
): { train: TensorDataset; val: TensorDataset | null } {
  if (fraction === 0) return { train: set, val: null };
  // a stream of its own (seed + 2): the split does not move the labelled draw or the initialisation
  const split = trainTestSplit(set.length, { testFraction: fraction, seed: seed + 2, stratify: set.labels });
  if (split.test.length === 0 || split.train.length === 0) return { train: set, val: null };
  return { train: set.subset(split.train), val: set.subset(split.test) };
}

/** Whether a stored sub-run record is the pre-training's. */
export const isSourceRecord = (v: unknown): v is SourceRecord => hasFields(v, { checkpoint: 'string-or-null' });

/** One fine-tuning run (or a baseline's run: `baseline` set, strategy `scratch`). */
export interface StudyRun {
  strategy: StrategyKey;
  /** A baseline's name (study/baselines.ts): a model of its own trained on the labels alone. */
  baseline?: string;
  budget: number;
  seed: number;
  epochs: number;
  accuracy: number;
  seconds: number;
  /** Training loss by epoch (of the strategy's last phase). */
  losses?: number[];
  /** Validation loss by epoch of the last phase (with a validation split), for the convergence check. */
  valLosses?: number[];
  /** Whether early stopping ended the last phase before its epochs. */
  stopped?: boolean;
  /** A baseline with a vocabulary of its own: its entries in this run ([PAD] and [UNK] included). */
  vocabularySize?: number;
}

/**
 * Whether a stored sub-run record is a fine-tuning run.
 *
 * @example
 * isStudyRun(store.get('finetune-full-b5-seed0'));
 */
export function isStudyRun(v: unknown): v is StudyRun {
  return hasFields(v, {
    strategy: 'string',
    budget: 'number',
    seed: 'number',
    epochs: 'number',
    accuracy: 'number',
    seconds: 'number',
  });
}

/** One fine-tuning run of the grid. */
export interface FineTuneSpec {
  strategy: StrategyKey;
  budget: number;
  seed: number;
  /** A baseline's run (study/baselines.ts): its own model from scratch, no source weights. */
  baseline?: string;
}

/**
 * The fine-tuning runs of the study, in grid order (budgets, then seeds, then strategies and the
 * baselines, which share the strategies' labelled examples).
 *
 * @example
 * fineTuneGrid(c)[0]!.id; // 'finetune-scratch-b5-seed0'
 */
export function fineTuneGrid(c: TransferStudyConfig): SubRun<FineTuneSpec>[] {
  return c.target.budgets.flatMap((budget) =>
    c.fineTune.seeds.flatMap((seed) => [
      ...c.fineTune.strategies.map((strategy) => ({
        id: `finetune-${strategy}-b${budget}-seed${seed}`,
        spec: { strategy, budget, seed } satisfies FineTuneSpec,
      })),
      ...Object.keys(c.baselines).map((baseline) => ({
        id: baselineRunId(baseline, budget, seed),
        spec: { strategy: 'scratch', budget, seed, baseline } satisfies FineTuneSpec,
      })),
    ]),
  );
}

/**
 * Pre-trains the source model of `c` on `data.source`; with `dir` (the sub-run's directory in the
 * store), saves its weights there, and with `source.save`, there too. Returns the record and the
 * trained model.
 *
 * @example
 * const { record } = await pretrainSource(c, data, { signal, dir: ctx.dir(), onEpoch: (e) => log(e.loss) });
 */
export async function pretrainSource(
  c: DataSourceStudyConfig,
  data: StudyData,
  o: {
    signal?: AbortSignal | undefined;
    dir?: string | null | undefined;
    onEpoch?: ((e: { epoch: number; epochs: number; loss: number }) => void) | undefined;
  },
): Promise<{ record: SourceRecord; result: PretrainResult }> {
  const s = c.source;
  if (s.objective === 'mlm') return pretrainMlmSource(c, data, o);
  const { arch, config: archConfig } = studyArch(c.model, data.featureShape);
  const info = { data: data.sourceName, examples: data.source.n, epochs: s.epochs };
  const split = validationSplit(studyDataset(data, data.source), s.validation, s.seed);
  const result = await pretrain({
    arch,
    config: archConfig,
    epochs: s.epochs,
    batchSize: s.batchSize,
    lr: s.lr,
    seed: s.seed,
    ...(o.signal === undefined ? {} : { signal: o.signal }),
    tasks: [
      {
        name: 'source',
        classes: data.source.classNames.length,
        classNames: [...data.source.classNames],
        train: split.train,
      },
    ],
    ...(split.val === null ? {} : { validation: { data: [split.val], patience: s.patience } }),
    ...(o.onEpoch === undefined ? {} : { onEpoch: o.onEpoch }),
  });
  const saved =
    s.save === undefined
      ? null
      : savePretrained(s.save, result.model, result.description, { epoch: s.epochs, source: info }).path;
  // the weights first, the record (the runner's, once this returns) last: a record always has its model beside it
  if (o.dir !== undefined && o.dir !== null)
    savePretrained(o.dir, result.model, result.description, { epoch: s.epochs, source: info });
  const record: SourceRecord = {
    checkpoint: saved,
    losses: result.history.map((h) => h.loss),
    ...(split.val === null
      ? {}
      : { valLosses: result.history.map((h) => h.valLoss ?? NaN), stopped: result.history.length < s.epochs }),
  };
  return { record, result };
}

/**
 * A snapshot of `model`'s weights: every fine-tuning run starts from these values, whatever the
 * previous run did to its copy.
 *
 * @example
 * const weights = sourceWeights(loadPretrained(dir).model);
 */
export function sourceWeights(model: MultiTaskModel): Record<string, Tensor> {
  return recordFrom(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone().detach()]));
}

/**
 * Trains fine-tuning runs from one source model; runs in a row share the labelled examples of a
 * budget and seed and the cached trunk features (which hold the values a run would compute).
 *
 * @example
 * const runs = new FineTuneRuns(c, data, description, weights);
 * (await runs.train({ strategy: 'linear-probe', budget: 10, seed: 1 })).accuracy;
 */
export class FineTuneRuns {
  readonly #cache = new FeatureCache();
  readonly #fixedTest: TensorDataset;
  #images: { key: string; train: TensorDataset; val: TensorDataset | null; test: TensorDataset } | null = null;

  constructor(
    readonly c: TransferStudyConfig,
    readonly data: TargetData,
    readonly description: ArchDescription,
    readonly weights: Record<string, Tensor>,
  ) {
    this.#fixedTest = studyDataset(data, data.targetTest);
  }

  /** The labelled examples of the budget and seed under way (several strategies in a row share them). */
  #imagesOf(budget: number, seed: number): { train: TensorDataset; val: TensorDataset | null; test: TensorDataset } {
    const key = `${budget}/${seed}`;
    if (this.#images?.key !== key) {
      const drawn = runImages(this.data, budget, seed);
      // the run's labelled examples, less its validation split (the budget counts both)
      const { train, val } = validationSplit(studyDataset(this.data, drawn.train), this.c.fineTune.validation, seed);
      // the fixed test set keeps one dataset object, so probes over one trunk reuse its cached features
      this.#images = {
        key,
        train,
        val,
        test: drawn.test === this.data.targetTest ? this.#fixedTest : studyDataset(this.data, drawn.test),
      };
    }
    return this.#images;
  }

  /**
   * The run's examples for baseline `name` with a vocabulary of its own (undefined without one):
   * the strategies' labelled examples, validation split and test set, read with the vocabulary of
   * every pool word (data.words), then mapped to a vocabulary built from the training rows alone.
   */
  #ownVocabulary(
    name: string,
    budget: number,
    seed: number,
  ): { train: TensorDataset; val: TensorDataset | null; test: TensorDataset; vocabularySize: number } | undefined {
    const options = this.c.baselines[name]?.vocabulary;
    if (options === undefined) return undefined;
    const words = this.data.words;
    if (words === undefined)
      throw new ValueError(
        `baselines.${name}.vocabulary`,
        'the study did not read its target text with every pool word',
      );
    // the same rows as the strategies' (runImages and validationSplit depend on the labels and seeds alone)
    const view: TargetData = { ...this.data, targetPool: words.pool, targetTest: words.test };
    const drawn = runImages(view, budget, seed);
    const { train, val } = validationSplit(studyDataset(view, drawn.train), this.c.fineTune.validation, seed);
    const { map, size } = ownVocabulary(train.features, options, words);
    return {
      train: remapIds(train, map),
      val: val === null ? null : remapIds(val, map),
      test: remapIds(studyDataset(view, drawn.test), map),
      vocabularySize: size,
    };
  }

  /**
   * Fine-tunes a copy of the source model with `spec`'s strategy on its budget and seed, and
   * scores it on its test set.
   *
   * @example
   * await runs.train({ strategy: 'full', budget: 5, seed: 0 }, signal);
   */
  async train({ strategy, budget, seed, baseline }: FineTuneSpec, signal?: AbortSignal): Promise<StudyRun> {
    const { c } = this;
    const ft = c.fineTune;
    // a baseline's own settings over the study's (config.ts, runSettingsOf)
    const settings = runSettingsOf(c, baseline);
    const epochs = epochsForBudget(c, budget, baseline);
    const own = baseline === undefined ? undefined : this.#ownVocabulary(baseline, budget, seed);
    const { train, val, test } = own ?? this.#imagesOf(budget, seed);
    const t0 = performance.now();
    manualSeed(seed);
    // a copy of the pre-trained trunk with a fresh target head (initialised from the global seed);
    // a baseline: its own architecture, nothing pre-trained
    const model =
      baseline === undefined
        ? buildModel({
            ...this.description,
            tasks: [{ name: TARGET_TASK, classes: this.data.targetPool.classNames.length }],
          })
        : buildModel(baselineDescription(c, baseline, this.data, TARGET_TASK, own?.vocabularySize));
    if (baseline === undefined) loadWeights(model, this.weights, { exclude: 'heads.*', strict: false });
    const { result: fitted } = await runFineTune({
      model,
      task: TARGET_TASK,
      train,
      method: strategy,
      signal,
      options: {
        epochs,
        batchSize: settings.batchSize,
        lr: settings.lr,
        ...(settings.weightDecay === 0 ? {} : { weightDecay: settings.weightDecay }),
        probeLr: ft.probeLr,
        seed,
        featureCache: this.#cache,
        frozenBatchNorm: ft.frozenBatchNorm,
        ...(val === null ? {} : { validation: { data: val, patience: patienceFor(c, epochs, baseline) } }),
        ...(ft.layerDecay === undefined ? {} : { layerDecay: ft.layerDecay }),
        ...(ft.l2sp === undefined ? {} : { l2sp: ft.l2sp }),
        ...(ft.bss === undefined
          ? {}
          : { bss: ft.bss.k === undefined ? { eta: ft.bss.eta } : { eta: ft.bss.eta, k: ft.bss.k } }),
      },
    });
    const accuracy = taskAccuracy(model, TARGET_TASK, test, { cache: this.#cache });
    const lastPhase = fitted.history.at(-1)?.phase;
    const last = fitted.history.filter((h) => h.phase === lastPhase);
    return {
      strategy,
      ...(baseline === undefined ? {} : { baseline }),
      budget,
      seed,
      epochs,
      ...(own === undefined ? {} : { vocabularySize: own.vocabularySize }),
      accuracy,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
      losses: last.map((h) => h.loss),
      ...(val === null ? {} : { valLosses: last.map((h) => h.valLoss ?? NaN), stopped: last.length < epochs }),
    };
  }
}
