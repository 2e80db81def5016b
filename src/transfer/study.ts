/**
 * The transfer study: does pre-training on a source task help a target task with few labels? It
 * pre-trains (or loads) a source model, then for every label budget and seed fine-tunes a copy
 * with each strategy (scratch among them) on the same labelled examples, scores every run on one
 * fixed test set (or, with `testSamples: 'rest'` on the digits, on every digit that is not one of
 * its labelled examples), and reports each strategy's mean and spread, the three conditions for
 * transfer with their numbers, and a verdict. Progress goes to a callback; nothing is printed.
 *
 * The result is what `polytask study transfer --json` prints:
 * `{ budgets, results: { <strategy>: { <budget>: { mean, sd } } }, checks, verdict, setup, runs }`,
 * accuracies as fractions. `verdict` is the shared verdict shape (src/study/verdict.ts): outcome
 * (helps | hurts | no-difference | inconclusive), the best strategy's gain over scratch in points
 * with its 95% t interval paired by seed, the checks that decided it (smoke test, source accuracy
 * against chance, convergence, seed noise, unstable strategies) and what to run next (see
 * study/verdict.ts).
 *
 * Resumable: given a sub-run store (src/study/sub-runs.ts), through the study runner (src/study/runner.ts),, the study records the pre-trained
 * source model (sub-run `source`, its weights in the store's directory for it) and every
 * fine-tuning run (`finetune-<strategy>-b<budget>-seed<seed>`) as it finishes, and on a second call
 * takes the recorded ones instead of training them again. Every run is seeded on its own, so the
 * result is the uninterrupted study's. Cached trunk features are not stored: they cost one pass of
 * the trunk over a few examples and are computed again.
 *
 * Stoppable: an abort of `signal` stops the pre-training or the fine-tuning run under way after its
 * current step, and the study rejects with a StoppedError; that run is not recorded (a resume
 * trains it again from its start), the ones finished before it are.
 *
 * @example
 * const result = await runTransferStudy({}, (e) => bar.update(e));   // the default: minutes on two cores
 * result.results.full['10'].mean;                                     // e.g. 0.71
 * result.verdict;
 * await runTransferStudy('reference');                                // the reference case
 * await runTransferStudy(config, onProgress, { subRuns: FileSubRunStore.open('runs/a/subruns', { config }), signal });
 */
import { performance } from 'node:perf_hooks';
import { getBackend } from '../backend/registry.js';
import { ValueError } from '../core/errors.js';
import { manualSeed } from '../core/rng.js';
import { trainTestSplit, type TensorDataset } from '../data/index.js';
import type { MultiTaskModel } from '../models/hard-sharing.js';
import type { Tensor } from '../tensor/index.js';
import {
  hasFields,
  meanSd,
  runSubRuns,
  SubRunner,
  type EffectOutcome,
  type MeanSd,
  type StudyProgress,
  type StudyRunOptions,
  type StudyVerdict,
} from '../study/index.js';
import type { JsonValue } from '../train/index.js';
import { buildModel } from './arch/registry.js';
import type { ArchDescription } from './arch/types.js';
import { loadPretrained, savePretrained } from './checkpoint.js';
import { taskAccuracy } from './evaluate.js';
import { FeatureCache } from './feature-cache.js';
import { pretrain } from './pretrain.js';
import { loadWeights } from './state-map.js';
import { runFineTune } from './finetune.js';
import type { StrategyKey } from './strategies/types.js';
import { gainCheck, imageStats, inputCheck, ratioCheck, type StudyChecks } from './study/checks.js';
import {
  epochsForBudget,
  patienceFor,
  resolveStudyConfig,
  type TransferStudyConfig,
  type TransferStudyInput,
} from './study/config.js';
import { runImages, studyDataset, type StudyData } from './study/data.js';
import { loadStudyData, studyArch } from './study/user-data.js';
import { decideTransferVerdict } from './study/verdict.js';

/** A progress report: the common fields, the phase, and (fine-tuning) the run just finished. */
export type TransferStudyProgress = StudyProgress<{
  phase: 'data' | 'pretrain' | 'finetune';
  /** Fine-tuning runs finished, and in all (pre-training: epochs). */
  done: number;
  total: number;
  strategy?: StrategyKey;
  budget?: number;
  seed?: number;
  /** Test accuracy of the run just finished. */
  accuracy?: number;
}>;

/** One fine-tuning run. */
export interface StudyRun {
  strategy: StrategyKey;
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
}

/** What the study found. */
export interface TransferStudyResult {
  budgets: number[];
  results: Partial<Record<StrategyKey, Record<string, MeanSd>>>;
  checks: StudyChecks;
  /** The answer: outcome, effect with its interval, the checks that decided it, what to run next (src/study/verdict.ts). */
  verdict: StudyVerdict<EffectOutcome>;
  setup: {
    direction: string;
    note: string;
    source: {
      name: string;
      examples: number | null;
      checkpoint: string | null;
      epochs: number | null;
      testAccuracy: number | null;
    };
    /** testExamples: the test images of each run, by budget (see target.testSamples). */
    target: { name: string; classes: number; poolPerClass: number; testExamples: Record<string, number> };
    model: ArchDescription;
    strategies: StrategyKey[];
    seeds: number[];
    epochsByBudget: Record<string, number>;
    backend: string;
    seconds: number;
  };
  runs: StudyRun[];
}

/** What the study takes besides its config: sub-run records, abort signal, executor. */
export type TransferStudyOptions = StudyRunOptions;

const TARGET_TASK = 'target';

/** The sub-run id of pre-training the source model. */
const SOURCE_RUN = 'source';

/** What the record of the pre-training holds (the weights are in its directory). */
interface SourceRecord {
  checkpoint: string | null;
  /** Pre-training loss by epoch (absent in older records). */
  losses?: number[];
  /** Validation loss by epoch (with a validation split), and whether early stopping ended it. */
  valLosses?: number[];
  stopped?: boolean;
}

/** The pre-training's curves, for the convergence check. */
type SourceCurves = Pick<SourceRecord, 'valLosses' | 'stopped'> & { losses: number[] | null };

const isSourceRecord = (v: unknown): v is SourceRecord => hasFields(v, { checkpoint: 'string-or-null' });

/** Whether a stored sub-run record is a fine-tuning run. */
function isStudyRun(v: unknown): v is StudyRun {
  return hasFields(v, {
    strategy: 'string',
    budget: 'number',
    seed: 'number',
    epochs: 'number',
    accuracy: 'number',
    seconds: 'number',
  });
}

/** The number `meta[name]` of a checkpoint's source metadata; null when there is none. */
function numberIn(meta: JsonValue | undefined, name: string): number | null {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return null;
  const v = meta[name];
  return typeof v === 'number' ? v : null;
}

/** One fine-tuning run of the grid. */
interface FineTuneSpec {
  strategy: StrategyKey;
  budget: number;
  seed: number;
}

/**
 * The source model: loaded from the configured checkpoint, or pre-trained (and saved when asked).
 * With a sub-run store, the pre-trained model is recorded there, and a recorded one is loaded
 * rather than trained again: pre-training is the costliest step the fine-tuning runs share.
 */
async function sourceModel(
  config: TransferStudyConfig,
  data: StudyData,
  report: (p: TransferStudyProgress) => void,
  { subRuns, signal, executor }: TransferStudyOptions,
): Promise<{
  model: MultiTaskModel;
  description: ArchDescription;
  examples: number | null;
  epochs: number | null;
  checkpoint: string | null;
  curves: SourceCurves;
}> {
  const s = config.source;
  if (s.checkpoint !== undefined) {
    const loaded = loadPretrained(s.checkpoint);
    return {
      model: loaded.model,
      description: loaded.description,
      checkpoint: loaded.path,
      // with the data it was trained on (source.data), that data's training examples
      examples: s.data === undefined ? numberIn(loaded.source, 'examples') : data.source.n,
      epochs: numberIn(loaded.source, 'epochs'),
      curves: { losses: null },
    };
  }
  const runner = new SubRunner<null, SourceRecord>({ store: subRuns, signal, executor, isRecord: isSourceRecord });
  const recorded = runner.recorded(SOURCE_RUN);
  if (recorded !== undefined && subRuns !== undefined) {
    const { model, description } = loadPretrained(subRuns.dir(SOURCE_RUN));
    return {
      model,
      description,
      examples: data.source.n,
      epochs: s.epochs,
      checkpoint: recorded.checkpoint,
      curves: curvesOf(recorded),
    };
  }
  const { arch, config: archConfig } = studyArch(config.model, data.featureShape);
  const info = { data: data.sourceName, examples: data.source.n, epochs: s.epochs };
  const trained: { result?: Awaited<ReturnType<typeof pretrain>> } = {};
  const source = studyDataset(data, data.source);
  const split = validationSplit(source, s.validation, s.seed);
  const record = await runner.run({ id: SOURCE_RUN, spec: null }, async (_run, ctx) => {
    const result = await pretrain({
      arch,
      config: archConfig,
      epochs: s.epochs,
      batchSize: s.batchSize,
      lr: s.lr,
      seed: s.seed,
      signal: ctx.signal,
      tasks: [
        {
          name: 'source',
          classes: data.source.classNames.length,
          classNames: [...data.source.classNames],
          train: split.train,
        },
      ],
      ...(split.val === null ? {} : { validation: { data: [split.val], patience: s.patience } }),
      onEpoch: (e) =>
        report({
          phase: 'pretrain',
          message: `pre-training on ${data.sourceName}: epoch ${e.epoch + 1}/${e.epochs}, loss ${e.loss.toFixed(4)}`,
          done: e.epoch + 1,
          total: e.epochs,
          run: 'pretrain',
          runIndex: Math.min(e.epoch + 2, e.epochs),
          runs: e.epochs,
        }),
    });
    trained.result = result;
    const saved =
      s.save === undefined
        ? null
        : savePretrained(s.save, result.model, result.description, { epoch: s.epochs, source: info }).path;
    // the weights first, the record (the runner's, once this returns) last: a record always has its model beside it
    const dir = ctx.dir();
    if (dir !== null) savePretrained(dir, result.model, result.description, { epoch: s.epochs, source: info });
    return {
      checkpoint: saved,
      losses: result.history.map((h) => h.loss),
      ...(split.val === null
        ? {}
        : { valLosses: result.history.map((h) => h.valLoss ?? NaN), stopped: result.history.length < s.epochs }),
    };
  });
  const { checkpoint } = record;
  const { result } = trained;
  if (result !== undefined)
    return {
      model: result.model,
      description: result.description,
      examples: data.source.n,
      epochs: s.epochs,
      checkpoint,
      curves: curvesOf(record),
    };
  // pre-trained by an executor elsewhere: its weights are in the sub-run's directory
  if (subRuns === undefined)
    throw new ValueError(
      'transfer study',
      'the source model was pre-trained elsewhere, but there is no sub-run store to load it from',
    );
  const { model, description } = loadPretrained(subRuns.dir(SOURCE_RUN));
  return { model, description, examples: data.source.n, epochs: s.epochs, checkpoint, curves: curvesOf(record) };
}

/** A source record's curves. */
const curvesOf = (r: SourceRecord): SourceCurves => ({
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
function validationSplit(
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

/** A copy of the pre-trained trunk with a fresh target head (initialised from the global seed). */
function targetModel(description: ArchDescription, weights: Record<string, Tensor>, classes: number): MultiTaskModel {
  const model = buildModel({ ...description, tasks: [{ name: TARGET_TASK, classes }] });
  loadWeights(model, weights, { exclude: 'heads.*', strict: false });
  return model;
}

/**
 * Runs the study. `config` is a preset name or a partial config (see study/config.ts); progress
 * goes to `onProgress`; `options.signal` stops it after the current training step (StoppedError).
 *
 * @example
 * const { results, verdict } = await runTransferStudy({ direction: 'digits-0-4-to-5-9', fineTune: { seeds: [0, 1, 2] } });
 */
export async function runTransferStudy(
  config: string | TransferStudyInput = {},
  onProgress: (p: TransferStudyProgress) => void = () => undefined,
  options: TransferStudyOptions = {},
): Promise<TransferStudyResult> {
  const started = performance.now();
  const c = resolveStudyConfig(config);
  const ft = c.fineTune;
  onProgress({ phase: 'data', message: 'loading images', done: 0, total: 1, run: 'data', runIndex: 1, runs: 1 });
  const data = await loadStudyData(c);
  const { subRuns, signal } = options;
  const src = await sourceModel(c, data, onProgress, options);
  const classes = data.targetPool.classNames.length;
  // a loaded checkpoint's head need not have been trained on this direction's source classes; with
  // its own data (source.data, checked against its head) it was
  const sourceAccuracy =
    c.source.checkpoint === undefined || c.source.data !== undefined
      ? taskAccuracy(src.model, src.description.tasks[0]!.name, studyDataset(data, data.sourceTest))
      : null;
  // a snapshot: every run starts from these values, whatever the previous run did to its copy
  const weights = Object.fromEntries(Object.entries(src.model.stateDict()).map(([k, t]) => [k, t.clone().detach()]));
  const fixedTest = studyDataset(data, data.targetTest);
  const cache = new FeatureCache();
  const grid = c.target.budgets.flatMap((budget) =>
    ft.seeds.flatMap((seed) =>
      ft.strategies.map((strategy) => ({
        id: `finetune-${strategy}-b${budget}-seed${seed}`,
        spec: { strategy, budget, seed } satisfies FineTuneSpec,
      })),
    ),
  );
  // the labelled examples of the budget and seed under way (several strategies in a row share them)
  type RunData = { key: string; train: TensorDataset; val: TensorDataset | null; test: TensorDataset };
  let images: RunData | null = null;
  const imagesOf = (budget: number, seed: number): RunData => {
    const key = `${budget}/${seed}`;
    if (images?.key !== key) {
      const drawn = runImages(data, budget, seed);
      // the run's labelled examples, less its validation split (the budget counts both)
      const { train, val } = validationSplit(studyDataset(data, drawn.train), ft.validation, seed);
      // the fixed test set keeps one dataset object, so probes over one trunk reuse its cached features
      images = {
        key,
        train,
        val,
        test: drawn.test === data.targetTest ? fixedTest : studyDataset(data, drawn.test),
      };
    }
    return images;
  };
  const runs = await runSubRuns(grid, {
    store: subRuns,
    signal,
    executor: options.executor,
    isRecord: isStudyRun,
    onEvent: (e) => {
      if (e.kind !== 'done') return;
      const { strategy, budget, seed, accuracy } = e.result;
      onProgress({
        phase: 'finetune',
        message: `${strategy}, ${budget} labels per class, seed ${seed}: ${(100 * accuracy).toFixed(1)}%`,
        done: e.index + 1,
        total: e.total,
        strategy,
        budget,
        seed,
        accuracy,
        run: `${strategy} ${budget}/class`,
        runIndex: Math.min(e.index + 2, e.total),
        runs: e.total,
      });
    },
    train: async ({ spec: { strategy, budget, seed } }, ctx) => {
      const epochs = epochsForBudget(c, budget);
      const { train, val, test } = imagesOf(budget, seed);
      const t0 = performance.now();
      manualSeed(seed);
      const model = targetModel(src.description, weights, classes);
      const { result: fitted } = await runFineTune({
        model,
        task: TARGET_TASK,
        train,
        method: strategy,
        signal: ctx.signal,
        options: {
          epochs,
          batchSize: ft.batchSize,
          lr: ft.lr,
          probeLr: ft.probeLr,
          seed,
          featureCache: cache,
          frozenBatchNorm: ft.frozenBatchNorm,
          ...(val === null ? {} : { validation: { data: val, patience: patienceFor(c, epochs) } }),
          ...(ft.layerDecay === undefined ? {} : { layerDecay: ft.layerDecay }),
          ...(ft.l2sp === undefined ? {} : { l2sp: ft.l2sp }),
          ...(ft.bss === undefined
            ? {}
            : { bss: ft.bss.k === undefined ? { eta: ft.bss.eta } : { eta: ft.bss.eta, k: ft.bss.k } }),
        },
      });
      const accuracy = taskAccuracy(model, TARGET_TASK, test, { cache });
      const lastPhase = fitted.history.at(-1)?.phase;
      const last = fitted.history.filter((h) => h.phase === lastPhase);
      return {
        strategy,
        budget,
        seed,
        epochs,
        accuracy,
        seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
        losses: last.map((h) => h.loss),
        ...(val === null ? {} : { valLosses: last.map((h) => h.valLoss ?? NaN), stopped: last.length < epochs }),
      } satisfies StudyRun;
    },
  });
  const results: TransferStudyResult['results'] = {};
  for (const strategy of ft.strategies) {
    const byBudget: Record<string, MeanSd> = {};
    for (const budget of c.target.budgets) {
      const acc = runs.filter((r) => r.strategy === strategy && r.budget === budget).map((r) => r.accuracy);
      const { mean, sd } = meanSd(acc);
      byBudget[String(budget)] = { mean: Number(mean.toFixed(4)), sd: Number(sd.toFixed(4)) };
    }
    results[strategy] = byBudget;
  }
  const checks: StudyChecks = {
    inputs: inputCheck(imageStats(data.source, data.featureShape), imageStats(data.targetPool, data.featureShape)),
    dataRatio: ratioCheck(src.examples, c.target.budgets, classes),
    gain: gainCheck(results, c.target.budgets, ft.seeds.length),
  };
  return {
    budgets: [...c.target.budgets],
    results,
    checks,
    verdict: decideTransferVerdict({
      runs,
      budgets: c.target.budgets,
      sourceAccuracy,
      sourceClasses: data.source.classNames.length,
      sourceCurves: src.curves,
      smokeTest: c.smokeTest,
      sourceName: data.sourceName,
      targetName: data.targetName,
    }),
    setup: {
      direction: data.direction,
      note: data.note,
      source: {
        name: data.sourceName,
        examples: src.examples,
        checkpoint: src.checkpoint,
        epochs: src.epochs,
        testAccuracy: sourceAccuracy === null ? null : Number(sourceAccuracy.toFixed(4)),
      },
      target: {
        name: data.targetName,
        classes,
        poolPerClass: data.targetPool.n / classes,
        testExamples: Object.fromEntries(
          c.target.budgets.map((b) => [
            String(b),
            data.targetTest.n + (data.testOnUnusedPool ? data.targetPool.n - classes * b : 0),
          ]),
        ),
      },
      model: src.description,
      strategies: [...ft.strategies],
      seeds: [...ft.seeds],
      epochsByBudget: Object.fromEntries(c.target.budgets.map((b) => [String(b), epochsForBudget(c, b)])),
      backend: getBackend().name,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    },
    runs,
  };
}
