/**
 * The verdict every study gives, in one shape, and the decision logic they share (DESIGN.md,
 * "Statistics for verdicts"). A verdict is an effect with its uncertainty: `effect` is a 95%
 * Student t interval over seeds (paired by seed where the runs compared share their seed's draws),
 * `reasons` are the checks that decided the outcome, each with its measured value, and `next` says
 * what to run to make an inconclusive answer conclusive.
 *
 * The outcome of an effect against a margin (the smallest difference that matters):
 * - a failed gate (smoke test, under-trained runs, a useless source, ...) makes it `inconclusive`;
 * - an interval that lies inside ±margin is `no-difference` (equivalence: an interval that merely
 *   covers 0 is not enough);
 * - an interval above 0 is `helps`, one below 0 is `hurts`;
 * - anything else (an interval that covers 0 and a useful gain, or a single seed) is `inconclusive`.
 *
 * @example
 * const effect = seedEffect([2.1, 3.5, 2.9], { unit: 'accuracy points', of: 'full minus scratch at 10 labels per class', paired: true });
 * const verdict = decideEffect({ effect, margin: 1, gates: [smokeTestReason(false)], next: [] });
 * verdict.outcome; // 'helps'
 * verdictText(verdict); // ['helps: +2.83 accuracy points (95% t interval ...)', 'reasons: ...']
 */
import { tInterval } from './stats.js';

/** The outcomes of the transfer and multi-task studies. */
export type EffectOutcome = 'helps' | 'hurts' | 'no-difference' | 'inconclusive';

/** The outcomes of the end-to-end vs pipeline study: which approach to use. */
export type E2eOutcome = 'pipeline' | 'end-to-end' | 'hybrid' | 'inconclusive';

/** An effect and its confidence interval over seeds. */
export interface VerdictEffect {
  /** What is measured, e.g. 'full minus scratch at 10 labels per class'. */
  of: string;
  estimate: number;
  low: number;
  high: number;
  unit: string;
  /** How the interval was made, e.g. '95% t interval over 3 seeds, paired by seed'. */
  interval: string;
  /** Seeds (values) behind it. */
  n: number;
}

/** One check behind a verdict, with its measured value. */
export interface VerdictReason {
  check: string;
  /** The measured value (null when it could not be measured). */
  value: number | string | null;
  passed: boolean;
  /** Whether a failure makes the outcome inconclusive (else the reason is reported, not decisive). */
  gate: boolean;
  /** What a failed gate makes the verdict: `inconclusive: <failure>` (default: the check's name). */
  failure?: string;
  detail: string;
}

/** A study's verdict (what the JSON holds under `verdict`). */
export interface StudyVerdict<O extends string = string> {
  outcome: O;
  /** Why an outcome is inconclusive (the first gate that failed, or 'seed noise'); null otherwise. */
  because: string | null;
  effect: VerdictEffect | null;
  reasons: VerdictReason[];
  /** What to run to make an inconclusive answer conclusive (or to firm a conclusive one up). */
  next: string[];
  /** The answer in one or two sentences. */
  sentence: string;
}

/** Coverage of every verdict interval. */
export const VERDICT_LEVEL = 0.95;

/** The reason a smoke-test run (`--quick`) gives instead of a conclusion. */
export const SMOKE_TEST = 'smoke test';

/** The reason a verdict whose runs had not converged gives instead of a conclusion. */
export const UNDER_TRAINED = 'under-trained';

/**
 * A run without a validation split is counted as converged when its training loss fell by at most
 * this fraction of its value over the last quarter of the training.
 */
export const CONVERGED_RELATIVE_DROP = 0.1;

/** ... or when it fell below this fraction of its first epoch's value (it fits its training data). */
export const FITTED_FRACTION = 0.02;

/**
 * A run with a validation split (carved from its training data) is still improving when the last
 * quarter of its epochs lowered its best validation loss by more than this fraction of its first
 * epoch's validation loss (and early stopping did not end it: then it had stopped improving). The
 * first epoch is the yardstick because a validation cross-entropy that is already small keeps
 * shrinking by large fractions of itself as the model grows confident, without its accuracy moving.
 */
export const VALIDATION_RELATIVE_DROP = 0.02;

/** More than this fraction of unconverged runs makes a verdict `inconclusive: under-trained`. */
export const UNCONVERGED_TOLERANCE = 0.25;

/**
 * The effect of per-seed values (differences, when `paired`) as a 95% t interval of their mean.
 *
 * @example
 * seedEffect([1, 2, 3], { unit: 'points', of: 'gain', paired: true }).low; // ≈ −0.48
 */
export function seedEffect(
  values: readonly number[],
  o: { unit: string; of: string; paired: boolean; note?: string },
): VerdictEffect {
  const t = tInterval(values, VERDICT_LEVEL);
  const how = `${Math.round(100 * VERDICT_LEVEL)}% t interval over ${values.length} seed${values.length === 1 ? '' : 's'}${o.paired ? ', paired by seed' : ''}${o.note === undefined ? '' : `, ${o.note}`}`;
  return { of: o.of, estimate: t.mean, low: t.low, high: t.high, unit: o.unit, interval: how, n: values.length };
}

/**
 * Where an effect's interval lies against 0 and ±margin (see the module comment); `because` says
 * why an interval decides nothing.
 *
 * @example
 * classifyInterval({ low: 0.2, high: 3 }, 1).outcome; // 'helps'
 * classifyInterval({ low: -0.5, high: 0.4 }, 1).outcome; // 'no-difference'
 */
export function classifyInterval(
  e: Pick<VerdictEffect, 'low' | 'high'>,
  margin: number,
): { outcome: EffectOutcome; because: string | null } {
  if (!Number.isFinite(e.low) || !Number.isFinite(e.high))
    return { outcome: 'inconclusive', because: 'seed noise: one seed gives no interval' };
  if (e.low >= -margin && e.high <= margin) return { outcome: 'no-difference', because: null };
  if (e.low > 0) return { outcome: 'helps', because: null };
  if (e.high < 0) return { outcome: 'hurts', because: null };
  return {
    outcome: 'inconclusive',
    because: `seed noise: the interval covers both 0 and a difference of more than ${margin}`,
  };
}

/** A reason for a numbered value, rounded for reading. */
const num = (v: number, d = 3): number => Number(v.toFixed(d));

/**
 * The smoke-test gate: a `--quick` run is an undersized check that the machinery works, not evidence.
 *
 * @example
 * smokeTestReason(true).passed; // false
 */
export function smokeTestReason(smokeTest: boolean): VerdictReason {
  return {
    check: SMOKE_TEST,
    value: smokeTest ? 'yes' : 'no',
    passed: !smokeTest,
    gate: true,
    detail: smokeTest
      ? 'a --quick run checks that the study runs; it is too small to answer the question'
      : 'a full run, not a smoke test',
  };
}

/** Whether one training-loss curve (one value per epoch) has converged (see CONVERGED_RELATIVE_DROP). */
export function lossConverged(losses: readonly number[]): { converged: boolean; drop: number } {
  const finite = losses.filter(Number.isFinite);
  if (finite.length < 2) return { converged: false, drop: NaN };
  const last = finite[finite.length - 1]!;
  const from = finite[Math.min(finite.length - 2, Math.floor(0.75 * (finite.length - 1)))]!;
  const drop = from > 0 ? (from - last) / from : 0;
  return { converged: drop <= CONVERGED_RELATIVE_DROP || last <= FITTED_FRACTION * finite[0]!, drop };
}

/**
 * Whether a validation-loss curve (one value per epoch run) has stopped improving: early stopping
 * ended the run (`stopped`), or the last quarter of its epochs lowered the best value so far by at
 * most VALIDATION_RELATIVE_DROP of the first epoch's value. `drop` is that improvement, as a
 * fraction of the first epoch's value.
 *
 * @example
 * validationConverged([1, 0.8, 0.7, 0.69, 0.7, 0.71, 0.7, 0.7], false).converged; // true
 * validationConverged([1, 0.8, 0.6, 0.4], false).converged;                         // false
 */
export function validationConverged(losses: readonly number[], stopped: boolean): { converged: boolean; drop: number } {
  const finite = losses.filter(Number.isFinite);
  if (finite.length < 2) return { converged: stopped, drop: NaN };
  const cut = Math.min(finite.length - 1, Math.max(1, Math.floor(0.75 * finite.length)));
  const before = Math.min(...finite.slice(0, cut));
  const best = Math.min(before, ...finite.slice(cut));
  const first = finite[0]!;
  const drop = first > 0 ? (before - best) / first : 0;
  return { converged: stopped || drop <= VALIDATION_RELATIVE_DROP, drop };
}

/** One run as the convergence gate reads it. */
export interface ConvergenceCurve {
  label: string;
  /** Training loss by epoch (null when the record holds none). */
  losses: readonly number[] | null;
  /** Validation loss by epoch, when the run had a validation split: then it decides. */
  validation?: readonly number[] | null;
  /** Whether early stopping ended the run (its validation loss had stopped improving). */
  stopped?: boolean;
}

/**
 * The convergence gate over a study's runs: a run with a validation curve is judged on it
 * (validationConverged), one without on its training loss (lossConverged); more than
 * UNCONVERGED_TOLERANCE of the measured runs still improving makes the verdict
 * `inconclusive: under-trained`. Runs without any curve are counted as unmeasured.
 *
 * @example
 * convergenceReason([{ label: 'ew seed 0', losses: [2, 1, 0.5] }]).passed; // false: still falling 50% an epoch
 * convergenceReason([{ label: 'full seed 0', losses: [2, 1, 0.5], validation: [1, 0.9, 0.95], stopped: true }]).passed; // true
 */
export function convergenceReason(runs: readonly ConvergenceCurve[]): VerdictReason {
  type Judged = { label: string; on: 'validation' | 'training'; converged: boolean; drop: number };
  const judged = runs.flatMap((r): Judged[] => {
    if (r.validation !== undefined && r.validation !== null && r.validation.length > 0)
      return [{ label: r.label, on: 'validation', ...validationConverged(r.validation, r.stopped === true) }];
    if (r.losses !== null && r.losses.length > 0)
      return [{ label: r.label, on: 'training', ...lossConverged(r.losses) }];
    return [];
  });
  if (judged.length === 0)
    return {
      check: 'converged',
      value: null,
      passed: true,
      gate: true,
      failure: UNDER_TRAINED,
      detail: 'no loss curves recorded (older records); convergence not measured',
    };
  const onValidation = judged.filter((r) => r.on === 'validation').length;
  const rule = [
    onValidation > 0
      ? `${onValidation} on a validation split carved from their training data (early stopping, or the last quarter of epochs lowered the best validation loss by ≤ ${100 * VALIDATION_RELATIVE_DROP}% of the first epoch's)`
      : '',
    onValidation < judged.length
      ? `${judged.length - onValidation} on training loss (≤ ${100 * CONVERGED_RELATIVE_DROP}% drop over the last quarter)`
      : '',
  ]
    .filter((x) => x !== '')
    .join('; ');
  const open = judged.filter((r) => !r.converged);
  const fraction = open.length / judged.length;
  const passed = fraction <= UNCONVERGED_TOLERANCE;
  const named = open
    .slice(0, 4)
    .map(
      (r) =>
        `${r.label}${Number.isFinite(r.drop) ? ` (${r.on} loss −${(100 * r.drop).toFixed(1)}% ${r.on === 'validation' ? "of the first epoch's " : ''}over the last quarter)` : ' (one epoch)'}`,
    )
    .join(', ');
  const detail =
    open.length === 0
      ? `all ${judged.length} runs converged, judged ${rule}`
      : `${open.length} of ${judged.length} runs still improving at the end (judged ${rule}): ${named}${open.length > 4 ? ', …' : ''}`;
  return { check: 'converged', value: num(fraction), passed, gate: true, failure: UNDER_TRAINED, detail };
}

/**
 * The seed-noise check, reported with the interval's width: the outcome needs the interval to
 * exclude 0 (or, for no-difference, to lie inside ±margin).
 *
 * @example
 * seedNoiseReason(effect, 1).passed;
 */
export function seedNoiseReason(effect: VerdictEffect, margin: number): VerdictReason {
  const c = classifyInterval(effect, margin);
  const half = (effect.high - effect.low) / 2;
  return {
    check: 'seed noise',
    value: Number.isFinite(half) ? num(half) : null,
    passed: c.outcome !== 'inconclusive',
    gate: false,
    detail:
      c.because ??
      `the interval ${formatInterval(effect)} ${c.outcome === 'no-difference' ? `lies inside ±${margin} ${effect.unit}` : 'excludes 0'}`,
  };
}

/**
 * The outcome from the gates and the effect: the first failed gate, else the interval against
 * ±margin. `next` is kept, and gets 'more seeds' when seed noise is what left it open.
 *
 * @example
 * decideEffect({ effect, margin: 1, gates: [smokeTestReason(true)], next: [] }).because; // 'smoke test'
 */
export function decideEffect(o: {
  effect: VerdictEffect | null;
  margin: number;
  gates: readonly VerdictReason[];
  next: readonly string[];
}): { outcome: EffectOutcome; because: string | null; next: string[] } {
  const next = [...o.next];
  const failed = o.gates.find((g) => g.gate && !g.passed);
  if (failed !== undefined) return { outcome: 'inconclusive', because: failed.failure ?? failed.check, next };
  if (o.effect === null) return { outcome: 'inconclusive', because: 'nothing to compare', next };
  const c = classifyInterval(o.effect, o.margin);
  if (c.outcome === 'inconclusive')
    next.push(
      `more seeds (${o.effect.n} give an interval of ${formatInterval(o.effect)}; it must exclude 0 or lie inside ±${o.margin} ${o.effect.unit})`,
    );
  return { outcome: c.outcome, because: c.outcome === 'inconclusive' ? 'seed noise' : null, next };
}

const signed = (v: number, d = 2): string =>
  Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(d)}` : v > 0 ? '+∞' : '−∞';

/**
 * An interval as text: '[+0.40, +2.10]'.
 *
 * @example
 * formatInterval({ low: 0.4, high: 2.1 }); // '[+0.40, +2.10]'
 */
export function formatInterval(e: Pick<VerdictEffect, 'low' | 'high'>): string {
  return `[${signed(e.low)}, ${signed(e.high)}]`;
}

/**
 * An effect as text: '+1.20 accuracy points [+0.40, +2.10] (full minus scratch at 10 labels per class; 95% t interval over 3 seeds, paired by seed)'.
 *
 * @example
 * formatEffect(verdict.effect);
 */
export function formatEffect(e: VerdictEffect): string {
  return `${signed(e.estimate)} ${e.unit} ${formatInterval(e)} (${e.of}; ${e.interval})`;
}

/**
 * The verdict as lines for the terminal and the report: outcome and interval, each reason with
 * its number, and what to run next.
 *
 * @example
 * verdictText(result.verdict); // ['outcome: inconclusive (smoke test)', 'effect: ...', 'reason: ...', 'next: ...']
 */
export function verdictText(v: StudyVerdict): string[] {
  const lines = [`outcome: ${v.outcome}${v.because === null ? '' : ` (${v.because})`}`];
  if (v.effect !== null) lines.push(`effect: ${formatEffect(v.effect)}`);
  for (const r of v.reasons)
    lines.push(
      `${r.passed ? 'ok' : r.gate ? 'FAILED' : 'flag'} ${r.check}${r.value === null ? '' : ` = ${r.value}`}: ${r.detail}`,
    );
  for (const n of v.next) lines.push(`next: ${n}`);
  return lines;
}
