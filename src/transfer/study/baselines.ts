/**
 * The transfer study's baselines (`baselines:` in its config): models trained on the target's
 * labels alone, each with its own architecture — the issue's bag-of-words baseline for the text
 * transfer is `bow: { model: { arch: text, encoder: mean } }` (a word embedding averaged over the
 * words, then a linear head), beside the pre-trained transformer. Each runs at every budget and
 * seed as a sub-run `baseline-<name>-b<budget>-seed<seed>` of the fine-tuning stage, on the
 * labelled examples, validation split, epochs and optimiser of the strategies' runs at that budget
 * and seed (runs.ts trains it from a fresh model, as `scratch`), and is scored on the same test
 * set. The study reports each baseline's mean and sd by budget beside the strategies; the
 * verdict's gain stays the best transfer strategy against scratch (same architecture), which is
 * what says whether pre-training helps.
 *
 * @example
 * const description = baselineDescription(c, 'bow', data); // { arch: 'text', config: { encoder: 'mean', vocabSize, ... }, tasks }
 * baselineResults(c, runs).bow?.['5']; // { mean: 0.71, sd: 0.03 }
 */
import { ValueError } from '../../core/errors.js';
import { meanSd, type MeanSd } from '../../study/index.js';
import { nullRecord } from '../../core/safe-keys.js';
import { resolveDescription } from '../arch/registry.js';
import type { ArchDescription } from '../arch/types.js';
import type { TransferStudyConfig } from './config.js';
import type { TargetData } from './data.js';
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
      config: { ...rest, vocabSize: data.text.vocabSize, maxLength: data.featureShape[0]!, padId: data.text.padId },
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
  for (const name of Object.keys(c.baselines)) baselineDescription(c, name, data, 'target');
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
