/**
 * The three conditions under which transfer can be expected to help, stated with numbers, and the
 * verdict that follows from them:
 *
 * 1. inputs: source and target images have the same shape and value range (a trunk learnt on one
 *    reads the other as it was trained to);
 * 2. data ratio: the source has many more examples than the target has labels (else there is
 *    little to transfer that the target could not learn itself);
 * 3. gain against noise: the best transfer strategy beats scratch by more than the seeds' noise
 *    (twice the standard error of the difference of the two means).
 *
 * @example
 * const checks = { inputs: inputCheck(source, target), dataRatio: ratioCheck(6000, budgets, 10), gain: gainCheck(results, budgets, seeds) };
 * verdictOf(checks, 'MNIST');
 */
import type { ImageSet } from '../../data/index.js';
import type { StrategyKey } from '../strategies/types.js';
import type { MeanSd } from '../../study/index.js';
import { nullRecord } from '../../core/safe-keys.js';

/** Shape and pixel statistics of one image set. */
export interface ImageStats {
  shape: number[];
  min: number;
  max: number;
  mean: number;
  sd: number;
}

export interface InputCheck {
  source: ImageStats;
  target: ImageStats;
  holds: boolean;
  detail: string;
}

export interface RatioCheck {
  /** Examples the source model was pre-trained on (null when a loaded checkpoint does not say). */
  sourceExamples: number | null;
  /** Source examples per labelled target example, by budget. */
  byBudget: Record<string, number | null>;
  /** The ratio a budget needs for the condition to hold. */
  threshold: number;
  holds: boolean;
  detail: string;
}

export interface BudgetGain {
  best: StrategyKey;
  /** Accuracy of the best transfer strategy minus that of scratch (fractions). */
  gain: number;
  /** Standard error of that difference over the seeds (null with one seed: no estimate). */
  noise: number | null;
  /** gain / noise (null without a noise estimate or when the runs agree exactly). */
  ratio: number | null;
  significant: boolean;
}

export interface GainCheck {
  byBudget: Record<string, BudgetGain | null>;
  holds: boolean;
  detail: string;
}

export interface StudyChecks {
  inputs: InputCheck;
  dataRatio: RatioCheck;
  gain: GainCheck;
}

/**
 * Shape and pixel statistics of an image set.
 *
 * @example
 * imageStats(loadMnist()); // { shape: [1, 28, 28], min: 0, max: 1, mean: 0.13, sd: 0.31 }
 */
export function imageStats(set: ImageSet, shape: readonly number[] = [1, set.height, set.width]): ImageStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sq = 0;
  for (const v of set.images) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sq += v * v;
  }
  const n = set.images.length;
  const mean = sum / n;
  return { shape: [...shape], min, max, mean, sd: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const pts = (v: number): string => `${(100 * v).toFixed(1)} points`;
const round = (v: number, d = 3): number => Number(v.toFixed(d));

/**
 * Condition 1: same shape, and value ranges that agree to within 0.05 at both ends.
 *
 * @example
 * inputCheck(imageStats(fashion), imageStats(mnist)).holds; // true
 */
export function inputCheck(source: ImageStats, target: ImageStats): InputCheck {
  const sameShape = source.shape.join(',') === target.shape.join(',');
  const sameRange = Math.abs(source.min - target.min) <= 0.05 && Math.abs(source.max - target.max) <= 0.05;
  const r = (s: ImageStats): string =>
    `[${s.shape.join('×')}] in [${round(s.min, 2)}, ${round(s.max, 2)}] (mean ${round(s.mean, 2)}, sd ${round(s.sd, 2)})`;
  const detail = `source ${r(source)}, target ${r(target)}: ${sameShape && sameRange ? 'same shape and range' : !sameShape ? 'the shapes differ' : 'the value ranges differ'}`;
  const tidy = (s: ImageStats): ImageStats => ({
    shape: s.shape,
    min: round(s.min),
    max: round(s.max),
    mean: round(s.mean),
    sd: round(s.sd),
  });
  return { source: tidy(source), target: tidy(target), holds: sameShape && sameRange, detail };
}

/**
 * Condition 1 for a pretrained source, which has no source images to compare: the target's
 * examples have the trunk's input shape (they were brought to it), and, when the trunk's value
 * range is known (a backbone reads RGB in [0, 1]), they lie in it to within 0.05.
 *
 * @example
 * pretrainedInputCheck([3, 96, 96], [0, 1], imageStats(pool, [3, 96, 96])).holds; // true
 */
export function pretrainedInputCheck(
  inputShape: readonly number[],
  range: readonly [number, number] | null,
  target: ImageStats,
): InputCheck {
  const [lo, hi] = range ?? [target.min, target.max];
  // the trunk's side has no images: its mean and sd are unknown (NaN, null in JSON)
  const source: ImageStats = { shape: [...inputShape], min: lo, max: hi, mean: NaN, sd: NaN };
  const check = inputCheck(source, target);
  const known = range === null ? ' (the trunk does not say what range it reads: not checked)' : '';
  return {
    ...check,
    detail: `the trunk takes [${inputShape.join('×')}]${range === null ? '' : ` in [${lo}, ${hi}]`}, ${check.detail.slice(check.detail.indexOf('target '))}${known}`,
  };
}

/**
 * Condition 2: at the smallest budget the source has at least `threshold` (default 10) examples
 * per labelled target example.
 *
 * @example
 * ratioCheck(6000, [10, 30, 100], 10).byBudget; // { 10: 60, 30: 20, 100: 6 }
 */
export function ratioCheck(
  sourceExamples: number | null,
  budgets: readonly number[],
  classes: number,
  threshold = 10,
): RatioCheck {
  const byBudget = nullRecord<number | null>();
  for (const b of budgets)
    byBudget[String(b)] = sourceExamples === null ? null : round(sourceExamples / (b * classes), 1);
  const smallest = byBudget[String(Math.min(...budgets))] ?? null;
  const holds = smallest !== null && smallest >= threshold;
  const detail =
    sourceExamples === null
      ? 'the checkpoint does not say how many examples it was pre-trained on'
      : `${sourceExamples} source examples: ${budgets.map((b) => `${byBudget[String(b)]}× the ${b * classes} labels of ${b} per class`).join(', ')}`;
  return { sourceExamples, byBudget, threshold, holds, detail };
}

/**
 * Condition 3, per budget: the best non-scratch strategy against scratch, with the standard error
 * of the difference of means over `seeds` runs each; significant when the gain exceeds twice it.
 *
 * @example
 * gainCheck({ scratch: { 10: { mean: 0.76, sd: 0.023 } }, full: { 10: { mean: 0.807, sd: 0.029 } } }, [10], 3).byBudget['10'];
 * // { best: 'full', gain: 0.047, noise: 0.0214, ratio: 2.2, significant: true }
 */
export function gainCheck(
  results: Partial<Record<StrategyKey, Record<string, MeanSd>>>,
  budgets: readonly number[],
  seeds: number,
): GainCheck {
  const byBudget = nullRecord<BudgetGain | null>();
  const scratch = results.scratch;
  for (const b of budgets) {
    const key = String(b);
    const base = scratch?.[key];
    const rivals = (Object.keys(results) as StrategyKey[]).filter(
      (s) => s !== 'scratch' && results[s]?.[key] !== undefined,
    );
    if (base === undefined || rivals.length === 0) {
      byBudget[key] = null;
      continue;
    }
    const best = rivals.reduce((a, s) => (results[s]![key]!.mean > results[a]![key]!.mean ? s : a));
    const top = results[best]![key]!;
    const gain = top.mean - base.mean;
    const noise = seeds > 1 ? Math.sqrt((top.sd ** 2 + base.sd ** 2) / seeds) : null;
    const ratio = noise === null || noise === 0 ? null : round(gain / noise, 2);
    byBudget[key] = {
      best,
      gain: round(gain, 4),
      noise: noise === null ? null : round(noise, 4),
      ratio,
      significant: noise !== null && gain > 2 * noise,
    };
  }
  const measured = Object.entries(byBudget).filter((e): e is [string, BudgetGain] => e[1] !== null);
  const helped = measured.filter(([, g]) => g.significant);
  const detail =
    measured.length === 0
      ? 'needs scratch and at least one transfer strategy to compare'
      : measured
          .map(
            ([b, g]) =>
              `${b}/class: ${g.best} ${g.gain >= 0 ? '+' : ''}${pts(g.gain)} vs noise ${g.noise === null ? 'unknown (one seed)' : pts(g.noise)}`,
          )
          .join('; ');
  return { byBudget, holds: helped.length > 0, detail };
}

/**
 * One paragraph: what was measured and whether transfer helps here, from the means alone. The
 * study's answer is its `verdict` object (study/verdict.ts: paired intervals and adequacy gates);
 * this paragraph is kept for callers of the checks.
 *
 * @example
 * verdictOf(checks, results, 'Fashion-MNIST', 'MNIST');
 */
export function verdictOf(
  checks: StudyChecks,
  results: Partial<Record<StrategyKey, Record<string, MeanSd>>>,
  sourceName: string,
  targetName: string,
): string {
  const parts: string[] = [];
  const entries = Object.entries(checks.gain.byBudget).filter((e): e is [string, BudgetGain] => e[1] !== null);
  if (entries.length === 0) return `No verdict: ${checks.gain.detail}.`;
  for (const [b, g] of entries) {
    const scratchAcc = results.scratch![b]!.mean;
    const bestAcc = results[g.best]![b]!.mean;
    const delta = `${g.best} ${pct(bestAcc)} vs scratch ${pct(scratchAcc)}, ${g.gain >= 0 ? '+' : ''}${pts(g.gain)}`;
    if (g.noise === null) {
      parts.push(`at ${b} labels per class ${delta}, with one seed and so no estimate of the noise`);
      continue;
    }
    const versus = `${delta}, ${g.ratio === null ? 'with no' : `${g.ratio}× the`} seed noise of ${pts(g.noise)}`;
    if (g.significant) parts.push(`at ${b} labels per class transfer helps (${versus})`);
    else if (g.gain < -2 * g.noise)
      parts.push(`at ${b} labels per class even the best transfer strategy is worse than scratch (${versus})`);
    else parts.push(`at ${b} labels per class the difference is within the noise (${versus})`);
  }
  const helped = entries.filter(([, g]) => g.significant).map(([b]) => b);
  const headline =
    helped.length > 0
      ? `Transfer from ${sourceName} helps ${targetName} at ${helped.join(', ')} labels per class`
      : `Transfer from ${sourceName} does not measurably help ${targetName} here`;
  const caveats: string[] = [];
  if (!checks.inputs.holds) caveats.push(`inputs differ (${checks.inputs.detail})`);
  if (!checks.dataRatio.holds)
    caveats.push(`the source is not much larger than the target's labels (${checks.dataRatio.detail})`);
  const tail = caveats.length > 0 ? ` Caveat: ${caveats.join('; ')}.` : '';
  return `${headline}: ${parts.join('; ')}.${tail}`;
}
