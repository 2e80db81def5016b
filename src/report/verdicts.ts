/**
 * The verdicts in words: for each study, a headline (the study's own verdict when it gives one)
 * and the key numbers behind it, as the CLI prints them and the report shows them.
 *
 * @example
 * const v = mtlVerdict(result);
 * v.headline; // 'Multi-task learning helps: famo has the best Δm, +2.1% over single-task models.'
 * v.numbers;  // ['Δm: famo +2.1%, ew +0.8%, ...', 'negative transfer: none']
 */
import { formatEffect, type StudyVerdict } from '../study/verdict.js';
import { taskValue } from './charts/mtl-results.js';
import type { E2eReport, MtlReport, StudyKey, TransferReport } from './inputs.js';

/** A study's conclusion and the numbers that support it, in words (from the study's verdict object). */
export interface Verdict {
  study: StudyKey;
  /** The question the study answers. */
  question: string;
  /** The verdict's outcome ('helps', 'inconclusive', 'pipeline', ...), with why when inconclusive. */
  outcome: string;
  /** The verdict's sentence. */
  headline: string;
  /** The effect with its confidence interval, and how the interval was made; null when there is none. */
  interval: string | null;
  /** Each check behind the outcome with its measured value ('ok', 'FAILED' for a failed gate, 'flag'). */
  reasons: string[];
  /** What to run to make the answer conclusive. */
  next: string[];
  /** Key numbers of the result. */
  numbers: string[];
}

/** The words of a study's verdict object: outcome, interval, reasons, next. */
function fromVerdict(v: StudyVerdict): Pick<Verdict, 'outcome' | 'headline' | 'interval' | 'reasons' | 'next'> {
  return {
    outcome: `${v.outcome}${v.because === null ? '' : ` (${v.because})`}`,
    headline: v.sentence,
    interval: v.effect === null ? null : formatEffect(v.effect),
    reasons: v.reasons.map(
      (r) =>
        `${r.passed ? 'ok' : r.gate ? 'FAILED' : 'flag'} ${r.check}${r.value === null ? '' : ` = ${r.value}`}: ${r.detail}`,
    ),
    next: [...v.next],
  };
}

/** Budgets listed one by one at most; beyond, only the smallest and the largest. */
const MAX_BUDGETS = 4;

const fmt = (v: number, digits = 3): string => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : 'n/a');
const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}%`;

/**
 * The transfer study's verdict: the best pre-trained strategy against scratch at each label budget
 * (at the smallest and the largest when there are many).
 *
 * @example
 * transferVerdict(result).numbers[0]; // 'at 10 labels per class: full 0.71 ± 0.03 vs scratch 0.42 ± 0.05 (accuracy)'
 */
export function transferVerdict(r: TransferReport): Verdict {
  const metric = 'accuracy';
  const budgets = [...r.budgets].sort((a, b) => a - b);
  const numbers: string[] = [];
  // every budget when there are few (the interesting one is often in the middle), else the ends
  const edges = budgets.length <= MAX_BUDGETS ? budgets : [budgets[0]!, budgets.at(-1)!];
  for (const b of edges) {
    const scratch = r.results.scratch?.[String(b)];
    const best = Object.entries(r.results)
      .filter(([s]) => s !== 'scratch')
      .map(([s, byBudget]) => [s, byBudget?.[String(b)]] as const)
      .filter((e): e is readonly [string, { mean: number; sd: number }] => Number.isFinite(e[1]?.mean))
      .sort((x, y) => y[1].mean - x[1].mean)[0];
    if (best === undefined) continue;
    const vs =
      scratch !== undefined && Number.isFinite(scratch.mean)
        ? ` vs scratch ${fmt(scratch.mean)} ± ${fmt(scratch.sd, 2)}`
        : '';
    numbers.push(`at ${b} labels per class: ${best[0]} ${fmt(best[1].mean)} ± ${fmt(best[1].sd, 2)}${vs} (${metric})`);
  }
  return {
    study: 'transfer',
    question: 'Does pre-training on a source task help a target task, and up to how many labels?',
    ...fromVerdict(r.verdict),
    numbers,
  };
}

/**
 * The multi-task study's verdict: the method with the best Δm, every method's Δm, and where
 * negative transfer happened.
 *
 * @example
 * mtlVerdict(result).headline;
 */
export function mtlVerdict(r: MtlReport): Verdict {
  const ranked = Object.entries(r.deltaM)
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1]);
  const numbers: string[] = [];
  if (ranked.length > 0) numbers.push(`Δm vs single-task: ${ranked.map(([m, v]) => `${m} ${signed(v)}`).join(', ')}`);
  const single = r.results.single;
  if (single !== undefined) {
    numbers.push(`single-task: ${r.tasks.map((t) => `${t.name} ${fmt(taskValue(single, t) ?? NaN)}`).join(', ')}`);
  }
  const negative = Object.entries(r.negativeTransfer).filter(([, tasks]) => Array.isArray(tasks) && tasks.length > 0);
  numbers.push(
    negative.length === 0
      ? 'negative transfer: none'
      : `negative transfer: ${negative.map(([m, tasks]) => `${m} on ${tasks.join(', ')}`).join('; ')}`,
  );
  return {
    study: 'mtl',
    question: 'Does training the tasks together beat training each alone, and with which loss weighting?',
    ...fromVerdict(r.verdict),
    numbers,
  };
}

/**
 * The end-to-end study's verdict: the crossover size with its interval and each approach's value
 * at the largest size.
 *
 * @example
 * e2eVerdict(result).numbers; // ['crossover at ≈ 2400 examples (1800–3300)', 'at 8000 examples: pipeline 0.09, endToEnd 0.06 (error)', ...]
 */
export function e2eVerdict(r: E2eReport): Verdict {
  const metric = r.metric;
  const numbers: string[] = [];
  const c = r.crossover;
  if (typeof c.size === 'number' && Number.isFinite(c.size)) {
    const band =
      typeof c.low === 'number' && typeof c.high === 'number' ? ` (${Math.round(c.low)}–${Math.round(c.high)})` : '';
    numbers.push(`crossover at ≈ ${Math.round(c.size)} examples${band}`);
  } else {
    // the verdict's crossover check says what may be claimed (nothing beyond E2E_CLAIM_FACTOR × the
    // largest size); the raw fit's reach ("do not meet below 1,600,000") is not repeated as a claim
    const claim = r.verdict.reasons.find((reason) => reason.check === 'crossover');
    numbers.push(
      claim !== undefined
        ? `crossover: ${claim.detail}`
        : c.detail !== ''
          ? `no crossover: ${c.detail}`
          : 'no crossover in the measured range',
    );
  }
  const last = Math.max(...r.sizes);
  if (Number.isFinite(last)) {
    const at = Object.entries(r.curves)
      .map(([a, curve]) => [a, curve?.find((p) => p.size === last)?.mean] as const)
      .filter((e): e is readonly [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
    if (at.length > 0)
      numbers.push(`at ${last} examples: ${at.map(([a, v]) => `${a} ${fmt(v)}`).join(', ')} (${metric})`);
  }
  for (const [a, f] of Object.entries(r.fits)) {
    const [pa, pb, pc] = [f?.a, f?.b, f?.c];
    if (
      typeof pa !== 'number' ||
      typeof pb !== 'number' ||
      typeof pc !== 'number' ||
      ![pa, pb, pc].every(Number.isFinite)
    )
      continue;
    numbers.push(
      pa === 0 || pb === 0 ? `fit ${a}: constant ${fmt(pa + pc)}` : `fit ${a}: ${fmt(pa)}·n^${fmt(pb)} + ${fmt(pc)}`,
    );
  }
  return {
    study: 'e2e',
    question: 'Does one end-to-end model beat a pipeline of separately trained stages, and from how much data?',
    ...fromVerdict(r.verdict),
    numbers,
  };
}
