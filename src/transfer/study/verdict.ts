/**
 * The transfer study's verdict (the shape of src/study/verdict.ts): does pre-training help the
 * target task? At each label budget the effect is the best transfer strategy's accuracy minus
 * scratch's, in points, per seed: the runs of one budget and seed share their labelled draw and
 * their head's seed, so the differences are paired by seed and the interval is a 95% t interval of
 * their mean (the best strategy is picked by its mean gain; the interval is not corrected for that
 * choice among strategies).
 *
 * Gates (each reported with its number): a smoke test (`--quick`) is never a conclusion; the source
 * model must be good at its own task (held-out source accuracy at least SOURCE_ABOVE_CHANCE above
 * chance, or, given a baseline, its margin above that: a masked-language model's masked-token
 * accuracy against the most frequent word's, MLM_ABOVE_FREQUENCY); the fine-tuning and pre-training runs must have converged. Strategies that are unstable
 * over seeds (sd above UNSTABLE_SD_POINTS) or fall below scratch are flagged by name.
 *
 * Over budgets: `helps` when transfer helps at some budget, else `inconclusive` when some budget
 * is, else `hurts` when some budget hurts, else `no-difference`. The effect shown is the helping
 * or inconclusive budget with the highest lower bound (the strongest case for transfer: with 5, 20
 * and 80 labels per class all open, the budget whose interval comes closest to excluding 0 from
 * below), else the hurting budget with the lowest upper bound, else the smallest budget.
 *
 * @example
 * const v = decideTransferVerdict({ runs, budgets: [10, 100], sourceAccuracy: 0.97, sourceClasses: 5, sourceCurves: { losses: [1.2, 0.4], valLosses: [0.5, 0.3, 0.31], stopped: true }, smokeTest: false, sourceName: 'digits 0-4', targetName: 'digits 5-9' });
 * v.outcome; // 'helps'
 */
import {
  convergenceReason,
  decideEffect,
  formatEffect,
  seedEffect,
  seedNoiseReason,
  smokeTestReason,
  meanSd,
  type EffectOutcome,
  type StudyVerdict,
  type VerdictEffect,
  type VerdictReason,
} from '../../study/index.js';

/** The smallest gain that matters: 1 accuracy point. Inside ±1 point the strategies are equivalent. */
export const TRANSFER_MARGIN_POINTS = 1;

/** The source model must beat chance on its own held-out task by at least this much (20 points). */
export const SOURCE_ABOVE_CHANCE = 0.2;

/**
 * A masked-language model must predict at least this much more of the held-out masked tokens than
 * always answering the most frequent word (10 points). That word (`the`) is 6% of masked tokens in
 * English text, while 1/vocabulary is 0.01%: a model that has learnt word frequencies and nothing
 * of the context clears a bar set at chance, but not this one. 10 points (the multi-task study's
 * bar for a learnt task) is what a small encoder reaches in minutes of CPU (README, text transfer)
 * and far beyond the noise of the ~1,500 positions scored (a standard error near 1 point).
 */
export const MLM_ABOVE_FREQUENCY = 0.1;

/** A strategy whose accuracy varies over seeds by more than this sd (points) is flagged unstable. */
export const UNSTABLE_SD_POINTS = 5;

/** One fine-tuning run as the verdict reads it. */
export interface TransferRunRecord {
  strategy: string;
  budget: number;
  seed: number;
  /** Test accuracy, a fraction. */
  accuracy: number;
  /** Training loss by epoch (its last phase); absent in older records. */
  losses?: number[] | undefined;
  /** Validation loss by epoch of its last phase (with a validation split): what convergence is judged on. */
  valLosses?: number[] | undefined;
  /** Whether early stopping ended it. */
  stopped?: boolean | undefined;
}

export interface TransferVerdictInput {
  runs: readonly TransferRunRecord[];
  budgets: readonly number[];
  /** Held-out accuracy of the source model on its own task; null when it was not measured (a loaded checkpoint). */
  sourceAccuracy: number | null;
  sourceClasses: number;
  /**
   * The bar the source accuracy is held to instead of chance (1 / sourceClasses): a baseline's
   * accuracy on the same held-out items, what it is, and the margin needed above it (fractions).
   */
  sourceBaseline?: { accuracy: number; what: string; margin: number } | undefined;
  /** Pre-training loss (and validation loss) by epoch; losses null when not recorded (a loaded checkpoint). */
  sourceCurves: { losses: readonly number[] | null; valLosses?: readonly number[]; stopped?: boolean };
  smokeTest: boolean;
  sourceName: string;
  targetName: string;
  /**
   * A source given as weights (a pretrained backbone, checkpoint or weights file), in words: it was
   * not trained by the study, so the source gates (adequate, converged) do not apply and say so.
   */
  pretrained?: string | undefined;
}

/** The effect at one budget. */
export interface BudgetEffect {
  budget: number;
  best: string;
  effect: VerdictEffect;
  outcome: EffectOutcome;
}

/**
 * The paired gains of every transfer strategy over scratch at `budget`, in points, by seed (seeds
 * that lack either run are left out).
 *
 * @example
 * pairedGains(runs, 10, 'full'); // [3.1, 2.4, 4.0]
 */
export function pairedGains(runs: readonly TransferRunRecord[], budget: number, strategy: string): number[] {
  const scratch = new Map(
    runs.filter((r) => r.strategy === 'scratch' && r.budget === budget).map((r) => [r.seed, r.accuracy]),
  );
  return runs
    .filter((r) => r.strategy === strategy && r.budget === budget && scratch.has(r.seed))
    .sort((a, b) => a.seed - b.seed)
    .map((r) => 100 * (r.accuracy - scratch.get(r.seed)!));
}

/**
 * The best strategy's paired effect at each budget (null at a budget without scratch or rivals).
 *
 * @example
 * budgetEffects(runs, [10, 100]).map((b) => b?.effect.estimate);
 */
export function budgetEffects(runs: readonly TransferRunRecord[], budgets: readonly number[]): (BudgetEffect | null)[] {
  const strategies = [...new Set(runs.map((r) => r.strategy))].filter((s) => s !== 'scratch');
  return budgets.map((budget) => {
    const gains = strategies.map((s) => ({ s, g: pairedGains(runs, budget, s) })).filter((x) => x.g.length > 0);
    if (gains.length === 0) return null;
    const top = gains.reduce((a, b) => (meanSd(b.g).mean > meanSd(a.g).mean ? b : a));
    const effect = seedEffect(top.g, {
      unit: 'accuracy points',
      of: `${top.s} minus scratch at ${budget} labels per class`,
      paired: true,
      ...(gains.length > 1 ? { note: `best of ${gains.length} strategies, not corrected for the choice` } : {}),
    });
    const { outcome } = decideEffect({ effect, margin: TRANSFER_MARGIN_POINTS, gates: [], next: [] });
    return { budget, best: top.s, effect, outcome };
  });
}

/**
 * The verdict (see the module comment).
 *
 * @example
 * decideTransferVerdict(input).sentence;
 */
export function decideTransferVerdict(i: TransferVerdictInput): StudyVerdict<EffectOutcome> {
  const reasons: VerdictReason[] = [smokeTestReason(i.smokeTest)];
  const next: string[] = [];
  if (i.smokeTest) next.push('run the full study (npm start without --quick, or polytask study transfer)');
  const chance = 1 / i.sourceClasses;
  if (i.pretrained !== undefined) {
    reasons.push({
      check: 'source adequate',
      value: null,
      passed: true,
      gate: true,
      detail: `does not apply: a pretrained source (${i.pretrained}), not trained on a task of this study, so its accuracy on its own task is not measured`,
    });
  } else if (i.sourceAccuracy === null) {
    reasons.push({
      check: 'source adequate',
      value: null,
      passed: true,
      gate: true,
      detail: 'a loaded checkpoint: its accuracy on its own task was not measured',
    });
  } else {
    const bar = i.sourceBaseline ?? { accuracy: chance, what: 'chance', margin: SOURCE_ABOVE_CHANCE };
    const above = i.sourceAccuracy - bar.accuracy;
    // rounded as reported: 0.1 above is enough, whatever the float sum
    const ok = Number(above.toFixed(6)) >= bar.margin;
    reasons.push({
      check: 'source adequate',
      value: Number(i.sourceAccuracy.toFixed(4)),
      passed: ok,
      gate: true,
      failure: 'source not learnt',
      detail: `held-out source accuracy ${(100 * i.sourceAccuracy).toFixed(1)}% against ${bar.what} ${(100 * bar.accuracy).toFixed(1)}% (needs ≥ ${Number((100 * bar.margin).toFixed(2))} points above)`,
    });
    if (!ok) next.push('a larger source or more pre-training epochs: the source model has not learnt its own task');
  }
  const src = i.sourceCurves;
  const convergence = convergenceReason([
    ...(i.pretrained === undefined
      ? [
          {
            label: 'pre-training',
            losses: src.losses,
            validation: src.valLosses ?? null,
            stopped: src.stopped === true,
          },
        ]
      : []),
    ...i.runs.map((r) => ({
      label: `${r.strategy} ${r.budget}/class seed ${r.seed}`,
      losses: r.losses ?? null,
      validation: r.valLosses ?? null,
      stopped: r.stopped === true,
    })),
  ]);
  reasons.push(convergence);
  // the pre-training alone: one run among many, but every fine-tuning run starts from it
  const source = convergenceReason([
    { label: 'pre-training', losses: src.losses, validation: src.valLosses ?? null, stopped: src.stopped === true },
  ]);
  if (i.pretrained !== undefined)
    reasons.push({
      check: 'source converged',
      value: null,
      passed: true,
      gate: false,
      detail: `does not apply: the source is given weights (${i.pretrained}), not pre-trained by this study`,
    });
  else if (src.losses !== null || src.valLosses !== undefined)
    reasons.push({
      ...source,
      check: 'source converged',
      passed: source.value === 0,
      detail: source.value === 0 ? `the pre-training converged: ${source.detail}` : source.detail,
    });
  if (!convergence.passed || (i.pretrained === undefined && source.value === 1))
    next.push('more epochs (source.epochs, fineTune.minEpochs, fineTune.epochBudget)');

  const effects = budgetEffects(i.runs, i.budgets);
  for (const e of effects) {
    if (e === null) continue;
    reasons.push({
      ...seedNoiseReason(e.effect, TRANSFER_MARGIN_POINTS),
      check: `effect at ${e.budget}/class`,
      value: Number(e.effect.estimate.toFixed(3)),
      detail: `${e.outcome}: ${formatEffect(e.effect)}`,
    });
  }
  // unstable or harmful strategies, by name
  for (const s of [...new Set(i.runs.map((r) => r.strategy))]) {
    for (const b of i.budgets) {
      const acc = i.runs.filter((r) => r.strategy === s && r.budget === b).map((r) => 100 * r.accuracy);
      if (acc.length < 2) continue;
      const { sd } = meanSd(acc);
      if (sd > UNSTABLE_SD_POINTS)
        reasons.push({
          check: `${s} stable at ${b}/class`,
          value: Number(sd.toFixed(2)),
          passed: false,
          gate: false,
          detail: `${s} varies over seeds with sd ${sd.toFixed(1)} points (> ${UNSTABLE_SD_POINTS}): unstable`,
        });
      if (s === 'scratch') continue;
      const g = pairedGains(i.runs, b, s);
      if (g.length < 2) continue;
      const e = seedEffect(g, {
        unit: 'accuracy points',
        of: `${s} minus scratch at ${b} labels per class`,
        paired: true,
      });
      if (e.high < 0)
        reasons.push({
          check: `${s} not below scratch at ${b}/class`,
          value: Number(e.estimate.toFixed(2)),
          passed: false,
          gate: false,
          detail: `${s} falls below scratch: ${formatEffect(e)}`,
        });
    }
  }

  const measured = effects.filter((e): e is BudgetEffect => e !== null);
  const gates = reasons.filter((r) => r.gate);
  // the headline budget: where transfer helps (or leans most to helping) with the highest lower
  // bound; else where it hurts with the lowest upper bound; else the smallest budget
  const byLow = (a: BudgetEffect, b: BudgetEffect): number => b.effect.low - a.effect.low;
  const helps = measured.filter((e) => e.outcome === 'helps').sort(byLow);
  const open = measured.filter((e) => e.outcome === 'inconclusive');
  const hurts = measured.filter((e) => e.outcome === 'hurts').sort((a, b) => a.effect.high - b.effect.high);
  const head = helps[0] ?? [...open].sort(byLow)[0] ?? hurts[0] ?? measured[0] ?? null;
  const d = decideEffect({ effect: head?.effect ?? null, margin: TRANSFER_MARGIN_POINTS, gates, next });
  let outcome = d.outcome;
  let because = d.because;
  if (outcome !== 'inconclusive' && helps.length === 0 && open.length > 0) {
    outcome = 'inconclusive';
    because = 'seed noise';
  } else if (outcome !== 'inconclusive' && helps.length === 0) {
    outcome = hurts.length > 0 ? 'hurts' : 'no-difference';
  }
  if (because === 'seed noise' && !d.next.some((n) => n.startsWith('more seeds')))
    d.next.push(`more seeds (fineTune.seeds) at ${open.map((e) => e.budget).join(', ')} labels per class`);
  const pair = `from ${i.sourceName} to ${i.targetName}`;
  const what = head === null ? '' : ` (${formatEffect(head.effect)})`;
  const sentence =
    outcome === 'helps'
      ? `Transfer ${pair} helps at ${helps.map((e) => e.budget).join(', ')} labels per class${what}.`
      : outcome === 'hurts'
        ? `Transfer ${pair} hurts: even the best strategy falls below scratch${what}.`
        : outcome === 'no-difference'
          ? `Transfer ${pair} makes no difference beyond ±${TRANSFER_MARGIN_POINTS} accuracy point${what}.`
          : `Inconclusive (${because}): whether transfer ${pair} helps is not decided by this run${what}.`;
  return { outcome, because, effect: head?.effect ?? null, reasons, next: d.next, sentence };
}
