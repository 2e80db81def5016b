/**
 * The end-to-end vs pipeline study's verdict (the shape of src/study/verdict.ts): which approach to
 * use with the largest amount of (x, y) data measured? At that size every seed's runs share the
 * seed's draw of (x, y) examples and the test set, so the approaches' errors are paired by seed.
 * The approach with the lowest mean error wins when its paired advantage over its closest rival (the
 * rival's error minus its own, a 95% t interval over seeds) excludes 0; otherwise the verdict is
 * inconclusive (an interval inside ±E2E_MARGIN says the two are equivalent at that size).
 *
 * Gates: a smoke test (`--quick`) is never a conclusion; the runs (pipeline stages, end-to-end and
 * hybrid models) must have converged: judged on the validation loss of their early stopping (a run
 * ended by early stopping has stopped improving; one that hit its step limit must not have lowered
 * its best validation loss much over its last quarter), or on training loss for records without it. Reported beside them: the end-to-end fit's held-out check (a fit is used to
 * extrapolate only if, fitted without the largest size, it predicted that size within its band)
 * and the crossover, which is never claimed beyond E2E_CLAIM_FACTOR times the largest measured size.
 *
 * @example
 * const v = decideE2eVerdict({ sizes, errors, metric: 'error rate', crossover, endToEndFit, smokeTest: false, losses: [] });
 * v.outcome; // 'pipeline' | 'end-to-end' | 'hybrid' | 'inconclusive'
 */
import {
  classifyInterval,
  convergenceReason,
  formatEffect,
  mean,
  seedEffect,
  smokeTestReason,
  type ConvergenceCurve,
  type E2eOutcome,
  type StudyVerdict,
  type VerdictEffect,
  type VerdictReason,
} from '../study/index.js';
import type { FitReport } from './analysis.js';
import type { Crossover } from './crossover.js';
import type { StudyErrors } from './study-runs.js';

/** Errors closer than this (0.01: one point of an error rate) are equivalent for choosing an approach. */
export const E2E_MARGIN = 0.01;

/** No crossover (nor its absence) is claimed beyond this multiple of the largest measured size. */
export const E2E_CLAIM_FACTOR = 10;

export interface E2eVerdictInput {
  sizes: readonly number[];
  errors: StudyErrors;
  /** Whether the hybrid was trained. */
  hybrid: boolean;
  metric: string;
  crossover: Crossover;
  endToEndFit: FitReport;
  /** Every run's training and validation curves, by run label (the convergence gate judges a run on its validation loss). */
  losses: readonly ConvergenceCurve[];
  smokeTest: boolean;
}

const NAMES = { pipeline: 'pipeline', endToEnd: 'end-to-end', hybrid: 'hybrid' } as const;
const count = (m: number): string => Math.round(m).toLocaleString('en-US');

/**
 * The approaches' per-seed errors at the largest measured size (the pipeline's are its per-seed errors).
 *
 * @example
 * errorsAtLargest(errors, true); // { pipeline: [...], endToEnd: [...], hybrid: [...] }
 */
export function errorsAtLargest(errors: StudyErrors, hybrid: boolean): Partial<Record<keyof typeof NAMES, number[]>> {
  const k = errors.endToEnd.length - 1;
  return {
    pipeline: errors.pipeline,
    endToEnd: errors.endToEnd[k] ?? [],
    ...(hybrid ? { hybrid: errors.hybrid[k] ?? [] } : {}),
  };
}

/**
 * What the crossover allows to be said, hedged to E2E_CLAIM_FACTOR times the largest size.
 *
 * @example
 * crossoverReason(crossover, 800).detail;
 */
export function crossoverReason(c: Crossover, largest: number): VerdictReason {
  const limit = E2E_CLAIM_FACTOR * largest;
  const band =
    c.low === null && c.high === null
      ? ''
      : ` (95% bootstrap interval ${c.low === null ? '?' : count(c.low)}–${c.high === null ? 'unbounded' : count(c.high)})`;
  switch (c.status) {
    case 'measured':
      return {
        check: 'crossover',
        value: c.size,
        passed: true,
        gate: false,
        detail: `measured at about ${count(c.size!)} examples${band}`,
      };
    case 'extrapolated':
      return c.size! <= limit
        ? {
            check: 'crossover',
            value: c.size,
            passed: true,
            gate: false,
            detail: `extrapolated to about ${count(c.size!)} examples${band}, within ${E2E_CLAIM_FACTOR}× the largest measured size (${count(largest)})`,
          }
        : {
            check: 'crossover',
            value: c.size,
            passed: false,
            gate: false,
            detail: `the fits put it at about ${count(c.size!)}, beyond ${E2E_CLAIM_FACTOR}× the largest measured size (${count(largest)}): not claimed; measure larger sizes`,
          };
    case 'not-expected': {
      // the fits' floors say why; "do not meet below <far size>" is the claim not made beyond the limit
      const why = /do not meet below/.test(c.detail) ? '' : ` (${c.detail})`;
      return {
        check: 'crossover',
        value: null,
        passed: false,
        gate: false,
        detail: `no crossover within the measured sizes, and the fitted curves do not meet within ${E2E_CLAIM_FACTOR}× the largest (${count(limit)} examples)${why}; nothing is claimed beyond that`,
      };
    }
    case 'unknown':
      return { check: 'crossover', value: null, passed: false, gate: false, detail: `not known: ${c.detail}` };
  }
}

/**
 * The end-to-end fit's held-out check, as a reason.
 *
 * @example
 * fitCheckReason(result.fits.endToEnd).passed;
 */
export function fitCheckReason(f: FitReport): VerdictReason {
  if (f.status !== 'ok')
    return {
      check: 'fit predicts held-out size',
      value: null,
      passed: false,
      gate: false,
      detail: `no power-law fit (${f.status}): ${f.reason}; nothing is extrapolated`,
    };
  const c = f.check;
  if (c.status !== 'ok')
    return {
      check: 'fit predicts held-out size',
      value: null,
      passed: false,
      gate: false,
      detail: `not checked (${c.reason}): the fit is not used to extrapolate`,
    };
  return {
    check: 'fit predicts held-out size',
    value: Number(c.relativeError.toFixed(3)),
    passed: c.consistent,
    gate: false,
    detail: `fitted without ${count(c.size)}, it predicted ${c.predicted.toPrecision(3)} (${c.low.toPrecision(3)}–${c.high.toPrecision(3)}) there; measured ${c.measured.toPrecision(3)}${c.consistent ? '' : ': outside its band, so the fit is not used to extrapolate'}`,
  };
}

/**
 * The verdict (see the module comment).
 *
 * @example
 * decideE2eVerdict(input).sentence;
 */
export function decideE2eVerdict(i: E2eVerdictInput): StudyVerdict<E2eOutcome> {
  const largest = i.sizes[i.sizes.length - 1]!;
  const reasons: VerdictReason[] = [smokeTestReason(i.smokeTest)];
  const next: string[] = [];
  if (i.smokeTest) next.push('run the full study (npm start without --quick, or polytask study e2e)');
  const convergence = convergenceReason(i.losses);
  reasons.push(convergence);
  if (!convergence.passed)
    next.push('more training steps (training.maxSteps): runs were still improving on validation when they hit it');

  const at = errorsAtLargest(i.errors, i.hybrid);
  const ranked = (Object.entries(at) as [keyof typeof NAMES, number[]][])
    .filter(([, v]) => v.length > 0)
    .sort((a, b) => mean(a[1]) - mean(b[1]));
  let effect: VerdictEffect | null = null;
  let winner: keyof typeof NAMES | null = null;
  if (ranked.length >= 2) {
    const [[w, wErr]] = ranked as [[keyof typeof NAMES, number[]]];
    // the closest rival: the smallest paired advantage
    const rivals = ranked.slice(1).map(([r, rErr]) => {
      const n = Math.min(wErr.length, rErr.length);
      return seedEffect(
        rErr.slice(0, n).map((e, s) => e - wErr[s]!),
        {
          unit: i.metric,
          of: `${NAMES[r]} minus ${NAMES[w]} at ${count(largest)} examples (lower is better)`,
          paired: true,
        },
      );
    });
    effect = rivals.reduce((a, b) => (b.estimate < a.estimate ? b : a));
    winner = w;
    reasons.push({
      check: 'errors at largest size',
      value: largest,
      passed: true,
      gate: false,
      detail:
        ranked.map(([a, v]) => `${NAMES[a]} ${mean(v).toPrecision(3)}`).join(', ') +
        ` (${i.metric}, mean over ${ranked[0]![1].length} seeds)`,
    });
  }
  reasons.push(fitCheckReason(i.endToEndFit));
  const cross = crossoverReason(i.crossover, largest);
  reasons.push(cross);

  let outcome: E2eOutcome = 'inconclusive';
  let because: string | null = null;
  const failed = reasons.find((r) => r.gate && !r.passed);
  if (failed !== undefined) because = failed.failure ?? failed.check;
  else if (effect === null || winner === null) because = 'nothing to compare';
  else {
    const c = classifyInterval(effect, E2E_MARGIN);
    if (c.outcome === 'helps' && effect.low > 0) outcome = NAMES[winner];
    else {
      because = c.outcome === 'no-difference' ? `equivalent within ±${E2E_MARGIN}` : 'seed noise';
      next.push(
        c.outcome === 'no-difference'
          ? 'larger sizes (the approaches are equivalent at the largest size measured)'
          : `more seeds (${effect.n} give ${formatEffect(effect)})`,
      );
    }
  }
  reasons.push({
    check: 'seed noise',
    value:
      effect === null || !Number.isFinite(effect.high) ? null : Number(((effect.high - effect.low) / 2).toPrecision(3)),
    passed: effect !== null && effect.low > 0,
    gate: false,
    detail:
      effect === null
        ? 'no comparison'
        : `the winner's advantage ${formatEffect(effect)} ${effect.low > 0 ? 'excludes 0' : 'does not exclude 0'}`,
  });
  if (!cross.passed && i.crossover.status !== 'measured')
    next.push(`more sizes beyond ${count(largest)} to place the crossover`);
  const what = effect === null ? '' : ` (${formatEffect(effect)})`;
  const sentence =
    outcome === 'inconclusive'
      ? `Inconclusive (${because}): which approach to use at ${count(largest)} (x, y) examples is not decided by this run${what}. Crossover: ${cross.detail}.`
      : `Use the ${outcome === 'end-to-end' ? 'end-to-end model' : outcome} at ${count(largest)} (x, y) examples${what}. Crossover: ${cross.detail}.`;
  return { outcome, because, effect, reasons, next, sentence };
}
