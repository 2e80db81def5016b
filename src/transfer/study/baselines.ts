/**
 * The transfer study's baselines (`baselines:` in its config): models trained on the target's
 * labels alone, each with its own architecture — the bag-of-words baseline for the text
 * transfer is `bow: { model: { arch: text, encoder: mean } }` (a word embedding averaged over the
 * words, then a linear head: a linear model over word frequencies), beside the pre-trained
 * transformer. Each runs at every budget and seed as a sub-run `baseline-<name>-b<budget>-seed<seed>`
 * of the fine-tuning stage, on the labelled examples, validation split and test set of the
 * strategies' runs at that budget and seed (runs.ts trains it from a fresh model, as `scratch`),
 * with the strategies' training settings or its own (`fineTune: { lr, batchSize, minEpochs,
 * epochBudget, patience, weightDecay }`, config.ts runSettingsOf), and, for text, over the study's
 * vocabulary or its own (`vocabulary: { minCount, maxSize }`: built per run from the words of its
 * training rows alone, ownVocabulary; unseen words are left out). The study reports each
 * baseline's mean and sd by budget beside the strategies and the settings it ran with
 * (`baselineSettings`); the verdict's gain stays the best transfer strategy against scratch (same
 * architecture), which is what says whether pre-training helps.
 *
 * @example
 * const description = baselineDescription(c, 'bow', data); // { arch: 'text', config: { encoder: 'mean', vocabSize, ... }, tasks }
 * baselineResults(c, runs).bow?.['5']; // { mean: 0.71, sd: 0.03 }
 * baselineSettings(c, runs).bow?.fineTune.epochsByBudget; // { '5': 800, '20': 200, '80': 100 }
 */
import { ValueError } from '../../core/errors.js';
import { meanSd, type MeanSd } from '../../study/index.js';
import { nullRecord, recordFrom } from '../../core/safe-keys.js';
import { TensorDataset } from '../../data/index.js';
import { resolveDescription } from '../arch/registry.js';
import type { ArchDescription } from '../arch/types.js';
import { epochsForBudget, patienceFor, runSettingsOf, type RunSettings, type TransferStudyConfig } from './config.js';
import type { TargetData } from './data.js';
import type { StudyRun } from './runs.js';
import { studyArch } from './user-data.js';

/** Each baseline's test accuracy by budget: mean and sd over the seeds (fractions). */
export type BaselineResults = Record<string, Record<string, MeanSd>>;

/**
 * The sub-run id of baseline `name` at a budget and seed.
 *
 * @example
 * baselineRunId('bow', 5, 0); // 'baseline-bow-b5-seed0'
 */
export const baselineRunId = (name: string, budget: number, seed: number): string =>
  `baseline-${name}-b${budget}-seed${seed}`;

/**
 * The architecture of baseline `name` for the target data, with one head `task` of the target's
 * classes: a text model takes the study's vocabulary (token ids), any other the data's shape.
 *
 * @example
 * baselineDescription(c, 'bow', data, 'target').config.encoder; // 'mean'
 */
export function baselineDescription(
  c: TransferStudyConfig,
  name: string,
  data: TargetData,
  task: string,
  /** The size of the run's own vocabulary (a baseline with `vocabulary`); default: the study's. */
  vocabSize?: number,
): ArchDescription {
  const baseline = c.baselines[name];
  if (baseline === undefined) throw new ValueError(`baselines.${name}`, 'no such baseline in the study config');
  const tasks = [{ name: task, classes: data.targetPool.classNames.length }];
  const { arch, ...rest } = baseline.model;
  if (arch === 'text') {
    if (data.text === undefined)
      throw new ValueError(
        `baselines.${name}.model`,
        'a text model reads token ids: it goes with text data (an MLM source and a text target)',
      );
    return resolveDescription({
      arch,
      config: {
        ...rest,
        vocabSize: vocabSize ?? data.text.vocabSize,
        maxLength: data.featureShape[0]!,
        // a vocabulary of its own: [PAD] is its id 0
        padId: vocabSize === undefined ? data.text.padId : 0,
      },
      tasks,
    });
  }
  try {
    return resolveDescription({ ...studyArch(baseline.model, data.featureShape), tasks });
  } catch (err) {
    // studyArch names the study's own model.arch; here it is the baseline's
    if (err instanceof ValueError)
      throw new ValueError(`baselines.${name}.model`, err.message.replace(/^model\.arch: /, ''));
    throw err;
  }
}

/**
 * Checks every baseline's architecture against the data before anything trains.
 *
 * @example
 * checkBaselines(c, data); // throws a ValueError naming baselines.<name>.model
 */
export function checkBaselines(c: TransferStudyConfig, data: TargetData): void {
  for (const [name, b] of Object.entries(c.baselines)) {
    baselineDescription(c, name, data, 'target');
    if (b.vocabulary !== undefined && data.words === undefined)
      throw new ValueError(
        `baselines.${name}.vocabulary`,
        'a vocabulary of its own is built from the target text: it goes with an MLM source and a text target',
      );
  }
}

/**
 * A run's own vocabulary, built from the token ids of its labelled training rows (`ids`, ids of a
 * vocabulary of every word of the pool): [PAD] 0, then the words seen at least `minCount` times,
 * most frequent first (ties: the smaller pool id), up to `maxSize` entries in all. Returns the map
 * from pool ids to the run's ids and its size. A word outside it maps to [PAD], which the average
 * leaves out: unseen words are ignored, as scikit-learn's CountVectorizer ignores them (an [UNK]
 * id would never occur in the training rows, so its embedding would stay at its random start and
 * pull every test e-mail with unseen words towards it). Only the rows given count: a word of a
 * validation or test row alone is left out.
 *
 * @example
 * ownVocabulary(Float32Array.of(5, 5, 7, 0), { minCount: 1, maxSize: 10 }, { padId: 0 });
 * // { map: [0, 0, 0, 0, 0, 1, 0, 2], size: 3 }: 5 → 1 (twice), 7 → 2
 */
export function ownVocabulary(
  ids: ArrayLike<number>,
  o: { minCount: number; maxSize: number },
  special: { padId: number },
): { map: Int32Array; size: number } {
  const counts = new Map<number, number>();
  let largest = special.padId;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    largest = Math.max(largest, id);
    if (id !== special.padId) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const kept = [...counts]
    .filter(([, n]) => n >= o.minCount)
    .sort(([a, n], [b, m]) => m - n || a - b)
    .slice(0, Math.max(0, o.maxSize - 1));
  const map = new Int32Array(largest + 1);
  kept.forEach(([id], i) => {
    map[id] = i + 1;
  });
  return { map, size: kept.length + 1 };
}

/**
 * `set` with its token ids mapped by `map` (an id past its end, a word the vocabulary that made
 * the map never saw: 0, [PAD]).
 *
 * @example
 * const train = remapIds(run.train, ownVocabulary(run.train.features, o, special).map);
 */
export function remapIds(set: TensorDataset, map: Int32Array): TensorDataset {
  const from = set.features;
  const to = new Float32Array(from.length);
  for (let i = 0; i < from.length; i++) to[i] = map[from[i]!] ?? 0;
  return new TensorDataset(to, set.featureShape, set.labels);
}

/** What a baseline ran with (the result's `baselineSettings`). */
export interface BaselineSettings {
  /** Its architecture as the config gave it (a text model's vocabulary size and length come from the data). */
  model: Record<string, unknown>;
  /** Its training settings (its own `fineTune` over the study's), with the epochs and patience by budget. */
  fineTune: RunSettings & { epochsByBudget: Record<string, number>; patienceByBudget: Record<string, number> };
  /** 'study': the study's vocabulary; else its own, built per run (sizes by run id). */
  vocabulary: 'study' | { minCount: number; maxSize: number; sizeByRun: Record<string, number> };
}

/**
 * The settings each baseline ran with, for the result and the report; the own vocabularies' sizes
 * from the runs' records.
 *
 * @example
 * baselineSettings(c, runs).bow?.fineTune.lr; // 0.01
 */
export function baselineSettings(
  c: TransferStudyConfig,
  runs: readonly { baseline?: string | undefined; budget: number; seed: number; vocabularySize?: number | undefined }[],
): Record<string, BaselineSettings> {
  const out = nullRecord<BaselineSettings>();
  for (const [name, b] of Object.entries(c.baselines)) {
    const byBudget = (f: (budget: number) => number): Record<string, number> =>
      recordFrom(c.target.budgets.map((budget) => [String(budget), f(budget)]));
    const sizes = runs
      .filter((r) => r.baseline === name && r.vocabularySize !== undefined)
      .map((r): [string, number] => [baselineRunId(name, r.budget, r.seed), r.vocabularySize!]);
    out[name] = {
      model: { ...b.model },
      fineTune: {
        ...runSettingsOf(c, name),
        epochsByBudget: byBudget((n) => epochsForBudget(c, n, name)),
        patienceByBudget: byBudget((n) => patienceFor(c, epochsForBudget(c, n, name), name)),
      },
      vocabulary:
        b.vocabulary === undefined
          ? 'study'
          : { minCount: b.vocabulary.minCount, maxSize: b.vocabulary.maxSize, sizeByRun: recordFrom(sizes) },
    };
  }
  return out;
}

/**
 * Each baseline's accuracy by budget over the seeds' runs (records with `baseline` set), rounded
 * to 4 places; empty without baselines.
 *
 * @example
 * baselineResults(c, runs); // { bow: { '5': { mean: 0.7, sd: 0.02 }, ... } }
 */
export function baselineResults(
  c: TransferStudyConfig,
  runs: readonly { baseline?: string | undefined; budget: number; accuracy: number }[],
): BaselineResults {
  const out = nullRecord<Record<string, MeanSd>>();
  for (const name of Object.keys(c.baselines)) {
    const byBudget = nullRecord<MeanSd>();
    for (const budget of c.target.budgets) {
      const { mean, sd } = meanSd(
        runs.filter((r) => r.baseline === name && r.budget === budget).map((r) => r.accuracy),
      );
      byBudget[String(budget)] = { mean: Number(mean.toFixed(4)), sd: Number(sd.toFixed(4)) };
    }
    out[name] = byBudget;
  }
  return out;
}

/**
 * What the study's result holds of its baselines: their accuracy by budget, the settings they ran
 * with, and their runs; nothing without baselines.
 *
 * @example
 * return { budgets, results, ...baselineOutcome(c, baselineRuns) };
 */
export function baselineOutcome(
  c: TransferStudyConfig,
  runs: StudyRun[],
): { baselines?: BaselineResults; baselineSettings?: Record<string, BaselineSettings>; baselineRuns?: StudyRun[] } {
  if (runs.length === 0) return {};
  return { baselines: baselineResults(c, runs), baselineSettings: baselineSettings(c, runs), baselineRuns: runs };
}
