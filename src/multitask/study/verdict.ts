/**
 * The multi-task study's verdict (the shape of src/study/verdict.ts): does training the tasks
 * together help? The effect is the best method's Δm (percent) against single-task models of equal
 * total capacity (T single-task models whose parameters together match the multi-task model's),
 * per seed: every run of a seed shares its seed, so the Δm values are paired by seed and the
 * interval is a 95% t interval of their mean. Δm against the full-width single-task baselines is
 * reported beside it.
 *
 * Gates: a smoke test (`--quick`) is never a conclusion; the equal-capacity comparison must have
 * been run (`capacityCheck`); every task scored by accuracy must be learnt by its own model
 * (LEARNT_ABOVE_CHANCE above chance); the runs must have converged (validation loss no longer
 * improving, src/study/verdict.ts). The seed's conditions for multi-task
 * learning are reported by name when they fail: a shared input, balanced labels, and a shared
 * network big enough for every task ("a shared network this small cannot hold both tasks: widen
 * the trunk"). Methods unstable over seeds (Δm sd above UNSTABLE_DM_SD) or below the single-task
 * baselines are flagged by name.
 *
 * @example
 * const v = decideMtlVerdict({ methods: ['ew'], seeds: [0, 1, 2], perSeed, directions, checks, smokeTest: false, width: 10, losses });
 * v.outcome; // e.g. 'inconclusive'
 */
import {
  convergenceReason,
  decideEffect,
  formatEffect,
  meanSd,
  seedEffect,
  seedNoiseReason,
  smokeTestReason,
  type ConvergenceCurve,
  type EffectOutcome,
  type StudyVerdict,
  type VerdictEffect,
  type VerdictReason,
} from '../../study/index.js';
import type { EvaluationResult } from '../../train/index.js';
import { CHECK_THRESHOLDS, type DataBalanceCheck, type SharedInputCheck } from '../checks.js';
import { deltaM, type TaskDirections } from '../delta-m.js';

/** The smallest Δm that matters: 1%. Inside ±1% sharing and training apart are equivalent. */
export const MTL_MARGIN_PERCENT = 1;

/** A method whose Δm varies over seeds with a larger sd (percent) is flagged unstable. */
export const UNSTABLE_DM_SD = 5;

/**
 * A classification task counts as learnt when its own (single-task) model's held-out accuracy is
 * at least this far above chance (10 points): Δm over a task nobody can learn is noise.
 */
export const LEARNT_ABOVE_CHANCE = 0.1;

export interface MtlVerdictInput {
  methods: readonly string[];
  /** Run label ('single:left', 'ew', 'capacity:left') → its results, one per seed (in seed order). */
  perSeed: ReadonlyMap<string, readonly EvaluationResult[]>;
  tasks: readonly string[];
  directions: TaskDirections;
  sharedInput: SharedInputCheck;
  dataBalance: DataBalanceCheck;
  /** Whether the equal-capacity single-task models were trained. */
  capacityRun: boolean;
  /** Why the equal-capacity models were not trained though capacityCheck is on (a zoo trunk has no width to narrow). */
  capacitySkipped?: string;
  width: number;
  /** Run label and seed → training (and validation) loss by epoch (null when not recorded). */
  losses: readonly ConvergenceCurve[];
  smokeTest: boolean;
  /** Task → chance accuracy (1 / classes) of a task scored by accuracy; absent for the others. */
  chance?: Readonly<Record<string, number>>;
}

/**
 * The "every task is learnt" gate: each task scored by accuracy must beat chance by
 * LEARNT_ABOVE_CHANCE with its own single-task model (mean over seeds); null when no task is.
 */
function learntReason(i: MtlVerdictInput): VerdictReason | null {
  const scored = Object.entries(i.chance ?? {}).filter(([t]) => i.tasks.includes(t));
  if (scored.length === 0) return null;
  const acc = scored.map(([t, chance]) => {
    const runs = i.perSeed.get(`single:${t}`) ?? [];
    const values = runs.map((r) => r[t]?.['accuracy'] ?? NaN).filter(Number.isFinite);
    return { t, chance, accuracy: values.length === 0 ? NaN : meanSd(values).mean };
  });
  const failed = acc.filter((a) => !(a.accuracy >= a.chance + LEARNT_ABOVE_CHANCE));
  const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
  const worst = acc.reduce((a, b) => (b.accuracy - b.chance < a.accuracy - a.chance ? b : a));
  return {
    check: 'tasks learnt',
    value: Number((worst.accuracy - worst.chance).toFixed(4)),
    passed: failed.length === 0,
    gate: true,
    failure: 'a task is not learnt',
    detail:
      failed.length === 0
        ? `every task's own model beats chance by ≥ ${100 * LEARNT_ABOVE_CHANCE} points (the closest: ${worst.t} ${pct(worst.accuracy)} against ${pct(worst.chance)})`
        : `${failed.map((a) => `${a.t}: its own model scores ${pct(a.accuracy)} against chance ${pct(a.chance)}`).join('; ')} (needs ≥ ${100 * LEARNT_ABOVE_CHANCE} points above): Δm over a task that cannot be learnt from its inputs is noise`,
  };
}

/** The per-seed Δm of `method` against the per-seed baselines of `prefix` ('single' or 'capacity'). */
export function deltaMBySeed(
  i: Pick<MtlVerdictInput, 'perSeed' | 'tasks' | 'directions'>,
  method: string,
  prefix: 'single' | 'capacity',
): number[] {
  const runs = i.perSeed.get(method) ?? [];
  return runs.map((r, s) =>
    deltaM(
      r,
      Object.assign({}, ...i.tasks.map((t) => i.perSeed.get(`${prefix}:${t}`)?.[s] ?? {})) as EvaluationResult,
      i.directions,
    ),
  );
}

/**
 * The verdict (see the module comment).
 *
 * @example
 * decideMtlVerdict(input).sentence;
 */
export function decideMtlVerdict(i: MtlVerdictInput): StudyVerdict<EffectOutcome> {
  const reasons: VerdictReason[] = [smokeTestReason(i.smokeTest)];
  const next: string[] = [];
  if (i.smokeTest) next.push('run the full study (npm start without --quick, or polytask study mtl)');
  reasons.push({
    check: 'equal-capacity comparison',
    value: i.capacityRun ? 'run' : 'not run',
    passed: i.capacityRun,
    gate: true,
    failure: 'no equal-capacity comparison',
    detail: i.capacityRun
      ? 'the methods are compared with single-task models of equal total capacity'
      : `${i.capacitySkipped ?? 'capacityCheck is off'}: the fair comparison (equal total parameters) was not made`,
  });
  if (!i.capacityRun)
    next.push(
      i.capacitySkipped === undefined ? 'turn capacityCheck on' : 'run the study trunk (trunk.arch: auto) for it',
    );
  const learnt = learntReason(i);
  if (learnt !== null) {
    reasons.push(learnt);
    if (!learnt.passed)
      next.push('drop or fix the tasks their own model does not learn (labels unrelated to the inputs?)');
  }
  const convergence = convergenceReason(i.losses);
  reasons.push(convergence);
  if (!convergence.passed) next.push('more epochs (epochs, patience)');

  const base: 'single' | 'capacity' = i.capacityRun ? 'capacity' : 'single';
  const against = base === 'capacity' ? 'single-task models of equal capacity' : 'the single-task baselines';
  const effects = i.methods.map((m) => ({
    m,
    e: seedEffect(deltaMBySeed(i, m, base), {
      unit: '% Δm',
      of: `${m}'s Δm against ${against}`,
      paired: true,
      ...(i.methods.length > 1 ? { note: `best of ${i.methods.length} methods, not corrected for the choice` } : {}),
    }),
  }));
  const best = effects.reduce<{ m: string; e: VerdictEffect } | null>(
    (a, b) => (a === null || b.e.estimate > a.e.estimate ? b : a),
    null,
  );
  const vsFull =
    best === null
      ? null
      : seedEffect(deltaMBySeed(i, best.m, 'single'), {
          unit: '% Δm',
          of: `${best.m}'s Δm against the full-width single-task baselines`,
          paired: true,
        });

  // the seed's conditions for multi-task learning, each with its number
  reasons.push({
    check: 'shared input',
    value: Number(i.sharedInput.rangeOverlap.toFixed(3)),
    passed: i.sharedInput.ok,
    gate: false,
    detail: i.sharedInput.ok
      ? 'the tasks read inputs of one shape and range'
      : `the tasks' inputs differ (shape ${i.sharedInput.sameShape ? 'same' : 'differs'}, range overlap ${i.sharedInput.rangeOverlap.toFixed(2)} < ${CHECK_THRESHOLDS.rangeOverlap})`,
  });
  reasons.push({
    check: 'balanced labels',
    value: Number(i.dataBalance.ratio.toFixed(3)),
    passed: i.dataBalance.ok,
    gate: false,
    detail: i.dataBalance.ok
      ? 'no task has ten times fewer labels than another'
      : `a task has far fewer labels than another (ratio ${i.dataBalance.ratio.toFixed(2)} < ${CHECK_THRESHOLDS.labelRatio})`,
  });
  if (best !== null && i.capacityRun) {
    const fits = best.e.high >= 0;
    reasons.push({
      check: 'capacity',
      value: Number(best.e.estimate.toFixed(2)),
      passed: fits,
      gate: false,
      detail: fits
        ? `the shared network is not below single-task models of equal capacity (${formatEffect(best.e)})`
        : `a shared network this small cannot hold ${i.tasks.length === 2 ? 'both' : 'all'} tasks: widen the trunk (trunk.width ${i.width} → ${2 * i.width}); ${formatEffect(best.e)}`,
    });
    if (!fits) next.push(`a wider trunk (trunk.width=${2 * i.width})`);
  }
  if (vsFull !== null)
    reasons.push({
      ...seedNoiseReason(vsFull, MTL_MARGIN_PERCENT),
      check: 'Δm vs full-width single-task',
      value: Number(vsFull.estimate.toFixed(3)),
      gate: false,
      passed: true,
      detail: formatEffect(vsFull),
    });
  if (best !== null) reasons.push({ ...seedNoiseReason(best.e, MTL_MARGIN_PERCENT), check: 'seed noise' });
  for (const { m, e } of effects) {
    const sd = meanSd(deltaMBySeed(i, m, 'single')).sd;
    if (sd > UNSTABLE_DM_SD)
      reasons.push({
        check: `${m} stable`,
        value: Number(sd.toFixed(2)),
        passed: false,
        gate: false,
        detail: `${m}'s Δm varies over seeds with sd ${sd.toFixed(1)}% (> ${UNSTABLE_DM_SD}%): unstable`,
      });
    if (e.high < 0)
      reasons.push({
        check: `${m} not below baseline`,
        value: Number(e.estimate.toFixed(2)),
        passed: false,
        gate: false,
        detail: `${m} falls below ${against}: ${formatEffect(e)}`,
      });
  }

  const d = decideEffect({
    effect: best?.e ?? null,
    margin: MTL_MARGIN_PERCENT,
    gates: reasons.filter((r) => r.gate),
    next,
  });
  const what = best === null ? '' : ` (${formatEffect(best.e)})`;
  const sentence =
    d.outcome === 'helps'
      ? `Sharing helps: ${best!.m} beats ${against}${what}.`
      : d.outcome === 'hurts'
        ? `Sharing hurts: even the best method, ${best!.m}, falls below ${against}${what}.`
        : d.outcome === 'no-difference'
          ? `Sharing makes no difference beyond ±${MTL_MARGIN_PERCENT}% Δm against ${against}${what}.`
          : `Inconclusive (${d.because}): whether sharing helps is not decided by this run${what}.`;
  return { outcome: d.outcome, because: d.because, effect: best?.e ?? null, reasons, next: d.next, sentence };
}
