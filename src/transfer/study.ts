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
 * accuracies as fractions, and with `baselines:` in the config (models of their own trained on the
 * target labels alone, study/baselines.ts) `baselines: { <name>: { <budget>: { mean, sd } } }`,
 * `baselineSettings` (what each ran with: model, fine-tuning settings, vocabulary) and `baselineRuns`. `verdict` is the shared verdict shape (src/study/verdict.ts): outcome
 * (helps | hurts | no-difference | inconclusive), the best strategy's gain over scratch in points
 * with its 95% t interval paired by seed, the checks that decided it (smoke test, source accuracy
 * against chance, convergence, seed noise, unstable strategies) and what to run next (see
 * study/verdict.ts).
 *
 * Resumable: given a sub-run store (src/study/sub-runs.ts), through the study runner (src/study/runner.ts), the study records the pre-trained
 * source model (sub-run `source`, its weights in the store's directory for it) and every
 * fine-tuning run (`finetune-<strategy>-b<budget>-seed<seed>`) as it finishes, and on a second call
 * takes the recorded ones instead of training them again. The two run in stages (study/runs.ts):
 * the pre-training first, then the fine-tuning runs, which an executor with several workers
 * trains side by side, each loading the source model from the pre-training's directory. Every run is seeded on its own, so the
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
import { ValueError } from '../core/errors.js';
import type { MultiTaskModel } from '../models/hard-sharing.js';
import { SubRunner, type EffectOutcome, type StudyRunOptions, type StudyVerdict } from '../study/index.js';
import type { JsonValue } from '../train/index.js';
import type { ArchDescription } from './arch/types.js';
import { loadPretrained } from './checkpoint.js';
import { taskAccuracy } from './evaluate.js';
import type { StrategyKey } from './strategies/types.js';
import { gainCheck, imageStats, inputCheck, ratioCheck, type StudyChecks } from './study/checks.js';
import {
  dataSourceStudy,
  isPretrainedStudy,
  resolveStudyConfig,
  sourceCheckpoint,
  type DataSourceStudyConfig,
  type TransferStudyInput,
} from './study/config.js';
import {
  gridSetup,
  runFineTuneGrid,
  splitBaselines,
  strategyResults,
  targetSetup,
  type StrategyResults,
  type TransferStudyProgress,
} from './study/grid.js';
import { baselineOutcome, checkBaselines, type BaselineResults, type BaselineSettings } from './study/baselines.js';
import { runPretrainedStudy } from './study/pretrained-run.js';
import { studyDataset, type StudyData } from './study/data.js';
import {
  FineTuneRuns,
  isSourceRecord,
  pretrainSource,
  sourceWeights,
  SOURCE_RUN,
  curvesOf,
  type SourceCurves,
  type SourceRecord,
  type StudyRun,
} from './study/runs.js';
import { loadStudyData } from './study/user-data.js';
import { decideTransferVerdict, MLM_ABOVE_FREQUENCY } from './study/verdict.js';

export type { StudyRun, TransferStudyProgress };

/** What the study found. */
export interface TransferStudyResult {
  budgets: number[];
  results: StrategyResults;
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
      /** A pretrained source: what it was trained on, when known. */
      trainedOn?: string | null;
      /** An MLM source: the share of its held-out masked tokens that are its most frequent word. */
      frequencyBaseline?: number;
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
  /**
   * Each baseline's (study/baselines.ts: a model of its own trained on the labels alone) target
   * accuracy by budget, mean and sd over the seeds, and its runs; absent without baselines.
   */
  baselines?: BaselineResults;
  /** The settings each baseline ran with: its model, fine-tuning settings (epochs by budget) and vocabulary. */
  baselineSettings?: Record<string, BaselineSettings>;
  baselineRuns?: StudyRun[];
}

/** What the study takes besides its config: sub-run records, abort signal, executor. */
export type TransferStudyOptions = StudyRunOptions;

/** The number `meta[name]` of a checkpoint's source metadata; null when there is none. */
function numberIn(meta: JsonValue | undefined, name: string): number | null {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return null;
  const v = meta[name];
  return typeof v === 'number' ? v : null;
}

/**
 * The source model: loaded from the configured checkpoint, or pre-trained (and saved when asked).
 * With a sub-run store, the pre-trained model is recorded there, and a recorded one is loaded
 * rather than trained again: pre-training is the costliest step the fine-tuning runs share.
 */
async function sourceModel(
  config: DataSourceStudyConfig,
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
  /** An MLM source's masked-token accuracy on its held-out lines (its record's). */
  maskedAccuracy?: number | undefined;
  /** An MLM source's frequency baseline on those lines (its record's; absent in older records). */
  frequencyBaseline?: number | undefined;
}> {
  const s = config.source;
  const checkpoint = sourceCheckpoint(config);
  if (checkpoint !== undefined) {
    const loaded = loadPretrained(checkpoint);
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
      maskedAccuracy: recorded.maskedAccuracy,
      frequencyBaseline: recorded.frequencyBaseline,
    };
  }
  const trained: { result?: Awaited<ReturnType<typeof pretrainSource>>['result'] } = {};
  const record = await runner.run({ id: SOURCE_RUN, spec: null }, async (_run, ctx) => {
    const { record, result } = await pretrainSource(config, data, {
      signal: ctx.signal,
      dir: ctx.dir(),
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
    return record;
  });
  const { result } = trained;
  if (result !== undefined)
    return {
      model: result.model,
      description: result.description,
      examples: data.source.n,
      epochs: s.epochs,
      checkpoint: record.checkpoint,
      curves: curvesOf(record),
      maskedAccuracy: record.maskedAccuracy,
      frequencyBaseline: record.frequencyBaseline,
    };
  // pre-trained by an executor elsewhere: its weights are in the sub-run's directory
  if (subRuns === undefined)
    throw new ValueError(
      'transfer study',
      'the source model was pre-trained elsewhere, but there is no sub-run store to load it from',
    );
  const { model, description } = loadPretrained(subRuns.dir(SOURCE_RUN));
  return {
    model,
    description,
    examples: data.source.n,
    epochs: s.epochs,
    checkpoint: record.checkpoint,
    curves: curvesOf(record),
    maskedAccuracy: record.maskedAccuracy,
    frequencyBaseline: record.frequencyBaseline,
  };
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
  const resolved = resolveStudyConfig(config);
  if (isPretrainedStudy(resolved)) return runPretrainedStudy(resolved, onProgress, options, started);
  const c = dataSourceStudy(resolved);
  const ft = c.fineTune;
  onProgress({ phase: 'data', message: 'loading images', done: 0, total: 1, run: 'data', runIndex: 1, runs: 1 });
  const data = await loadStudyData(c);
  checkBaselines(c, data);
  const src = await sourceModel(c, data, onProgress, options);
  const classes = data.targetPool.classNames.length;
  // a loaded checkpoint's head need not have been trained on this direction's source classes; with
  // its own data (source.data, checked against its head) it was. An MLM source's task is its masked
  // tokens (accuracy measured by its pre-training, chance 1 / vocabulary): its head is a placeholder
  const mlm = c.source.objective === 'mlm';
  const sourceAccuracy = mlm
    ? (src.maskedAccuracy ?? null)
    : sourceCheckpoint(c) === undefined || c.source.data !== undefined
      ? taskAccuracy(src.model, src.description.tasks[0]!.name, studyDataset(data, data.sourceTest))
      : null;
  const fineTune = new FineTuneRuns(c, data, src.description, sourceWeights(src.model));
  const { runs, baselineRuns } = splitBaselines(await runFineTuneGrid(c, fineTune, onProgress, options));
  const results = strategyResults(c, runs);
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
      sourceClasses: mlm ? (data.text?.vocabSize ?? 1) : data.source.classNames.length,
      // an MLM source is held to the most frequent word, a fairer "chance" than 1/vocabulary
      ...(src.frequencyBaseline === undefined
        ? {}
        : {
            sourceBaseline: {
              accuracy: src.frequencyBaseline,
              what: 'always the most frequent word',
              margin: MLM_ABOVE_FREQUENCY,
            },
          }),
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
        ...(src.frequencyBaseline === undefined ? {} : { frequencyBaseline: src.frequencyBaseline }),
      },
      target: targetSetup(c, data),
      model: src.description,
      ...gridSetup(c, started),
    },
    runs,
    ...baselineOutcome(c, baselineRuns),
  };
}
