/**
 * The shared verdict logic (src/study/verdict.ts) and planted-truth cases for each study's decision
 * function, one per outcome class, whose answer is known by construction. A real training run
 * cannot be made both fast (seconds) and decisive for these cases, so they are built as sub-run
 * results (per-seed accuracies, task metrics and errors) and handed to the decision functions the
 * studies call; the headline tests (test/<study>/headline.test.ts) run the studies themselves over
 * stored records. Each case names the check it stands for: removing that check fails it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyInterval,
  convergenceReason,
  decideEffect,
  lossConverged,
  validationConverged,
  seedEffect,
  smokeTestReason,
  tInterval,
} from '../../src/study/index.js';
import { decideTransferVerdict, TRANSFER_MARGIN_POINTS, type TransferRunRecord } from '../../src/transfer/index.js';
import { decideMtlVerdict } from '../../src/multitask/index.js';
import { decideE2eVerdict, type Crossover, type FitReport } from '../../src/endtoend/index.js';
import type { EvaluationResult } from '../../src/train/index.js';

const falling = [2, 1, 0.5, 0.3, 0.25, 0.24, 0.235, 0.233];

test('an effect is a 95% t interval over seeds, and its outcome is read against 0 and the margin', () => {
  const e = seedEffect([2, 3, 4], { unit: 'points', of: 'gain', paired: true });
  const t = tInterval([2, 3, 4]);
  assert.deepEqual([e.estimate, e.low, e.high, e.n], [3, t.low, t.high, 3]);
  assert.match(e.interval, /^95% t interval over 3 seeds, paired by seed$/);
  assert.equal(classifyInterval({ low: 0.2, high: 3 }, 1).outcome, 'helps');
  assert.equal(classifyInterval({ low: -3, high: -0.2 }, 1).outcome, 'hurts');
  assert.equal(classifyInterval({ low: -0.5, high: 0.9 }, 1).outcome, 'no-difference');
  // covering 0 is not equivalence: the interval also covers a useful gain
  assert.equal(classifyInterval({ low: -0.5, high: 2 }, 1).outcome, 'inconclusive');
  assert.equal(classifyInterval({ low: -Infinity, high: Infinity }, 1).outcome, 'inconclusive');
});

test('a failed gate makes the outcome inconclusive, named; seed noise asks for more seeds', () => {
  const effect = seedEffect([5, 6, 7], { unit: 'points', of: 'gain', paired: true });
  const smoke = decideEffect({ effect, margin: 1, gates: [smokeTestReason(true)], next: [] });
  assert.deepEqual([smoke.outcome, smoke.because], ['inconclusive', 'smoke test']);
  assert.equal(decideEffect({ effect, margin: 1, gates: [smokeTestReason(false)], next: [] }).outcome, 'helps');
  const noisy = decideEffect({
    effect: seedEffect([-4, 6], { unit: 'points', of: 'gain', paired: true }),
    margin: 1,
    gates: [],
    next: [],
  });
  assert.deepEqual([noisy.outcome, noisy.because], ['inconclusive', 'seed noise']);
  assert.match(noisy.next[0]!, /^more seeds/);
});

test('convergence: a training loss still falling over the last quarter is under-trained', () => {
  assert.equal(lossConverged(falling).converged, true);
  assert.equal(lossConverged([2, 1.5, 1.1, 0.8]).converged, false);
  assert.equal(
    lossConverged([2, 0.5, 0.1, 0.03]).converged,
    true,
    'fits its training data (below 2% of the first epoch)',
  );
  const r = convergenceReason([
    { label: 'a', losses: falling },
    { label: 'b', losses: [2, 1.5, 1.1, 0.8] },
  ]);
  assert.deepEqual([r.passed, r.value], [false, 0.5]);
  assert.match(r.detail, /1 of 2 runs still improving.*b \(training loss −27\.\d% over the last quarter\)/);
});

test('convergence on a validation split: still improving unless early stopping ended it or the last quarter gained ≤ 2% of the first epoch', () => {
  // the best validation loss of the last quarter (0.40) against the best before it (0.50): 0.1 of the first epoch's 1.0
  const open = validationConverged([1, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4], false);
  assert.ok(!open.converged && Math.abs(open.drop - 0.1) < 1e-12, JSON.stringify(open));
  assert.equal(validationConverged([1, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4], true).converged, true, 'stopped early');
  // rising at the end: the best was before the last quarter
  assert.deepEqual(validationConverged([1, 0.5, 0.4, 0.3, 0.31, 0.32, 0.33, 0.35], false), {
    converged: true,
    drop: 0,
  });
  // a small loss still shrinking by large fractions of itself, but by ≤ 2% of the first epoch's
  assert.equal(validationConverged([2, 0.2, 0.1, 0.08, 0.07, 0.06, 0.05, 0.045], false).converged, true);
  // the validation curve decides over the training loss, and the detail carries the measured drop
  const r = convergenceReason([
    { label: 'a', losses: [2, 1.5, 1.1, 0.8], validation: [1, 0.9, 0.92, 0.95], stopped: true },
    { label: 'b', losses: falling, validation: [1, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4], stopped: false },
  ]);
  assert.deepEqual([r.passed, r.value], [false, 0.5]);
  assert.match(
    r.detail,
    /1 of 2 runs still improving .*on a validation split.*: b \(validation loss −10\.0% of the first epoch's over the last quarter\)/,
  );
});

// ---- transfer ----------------------------------------------------------------------------------

/** Fine-tuning records: per strategy, the accuracy (fraction) of each seed at each budget. */
function transferRuns(acc: Record<string, Record<number, number[]>>, losses: number[] = falling): TransferRunRecord[] {
  return Object.entries(acc).flatMap(([strategy, byBudget]) =>
    Object.entries(byBudget).flatMap(([budget, values]) =>
      values.map((accuracy, seed) => ({ strategy, budget: Number(budget), seed, accuracy, losses })),
    ),
  );
}

const transferBase = {
  budgets: [10],
  sourceClasses: 10,
  sourceCurves: { losses: falling },
  smokeTest: false,
  sourceName: 'A',
  targetName: 'B',
};

test('planted truth, transfer: a source that is the target task itself helps', () => {
  const runs = transferRuns({ scratch: { 10: [0.6, 0.62, 0.58] }, full: { 10: [0.85, 0.86, 0.84] } });
  const v = decideTransferVerdict({ ...transferBase, runs, sourceAccuracy: 0.95 });
  assert.equal(v.outcome, 'helps');
  assert.ok(v.effect !== null && v.effect.low > 20 && Math.abs(v.effect.estimate - 25) < 1e-9);
  assert.match(v.sentence, /^Transfer from A to B helps at 10 labels per class/);
});

test('planted truth, transfer: a source of noise images with random labels is not "helps" (source gate)', () => {
  // a lucky pattern of paired gains that would pass the seed-noise check on its own
  const runs = transferRuns({ scratch: { 10: [0.6, 0.62, 0.58] }, full: { 10: [0.63, 0.65, 0.61] } });
  assert.equal(
    decideTransferVerdict({ ...transferBase, runs, sourceAccuracy: 0.95 }).outcome,
    'helps',
    'the gains alone say helps',
  );
  const v = decideTransferVerdict({ ...transferBase, runs, sourceAccuracy: 0.11 });
  assert.deepEqual([v.outcome, v.because], ['inconclusive', 'source not learnt']);
  const r = v.reasons.find((x) => x.check === 'source adequate')!;
  assert.deepEqual([r.passed, r.value], [false, 0.11]);
  assert.ok(v.next.some((n) => /larger source/.test(n)));
});

test('planted truth, transfer: equivalence needs the interval inside ±1 point, and an unstable strategy below scratch is flagged', () => {
  const same = transferRuns({ scratch: { 10: [0.6, 0.62, 0.58] }, full: { 10: [0.601, 0.621, 0.582] } });
  assert.equal(decideTransferVerdict({ ...transferBase, runs: same, sourceAccuracy: 0.95 }).outcome, 'no-difference');
  assert.equal(TRANSFER_MARGIN_POINTS, 1);
  const wild = transferRuns({
    scratch: { 10: [0.6, 0.62, 0.58] },
    full: { 10: [0.4, 0.41, 0.39] },
    'lp-ft': { 10: [0.8, 0.4, 0.6] },
  });
  const v = decideTransferVerdict({ ...transferBase, runs: wild, sourceAccuracy: 0.95 });
  assert.ok(v.reasons.some((r) => r.check === 'lp-ft stable at 10/class' && !r.passed && r.value === 20));
  assert.ok(v.reasons.some((r) => r.check === 'full not below scratch at 10/class' && !r.passed));
  assert.equal(v.outcome, 'inconclusive', 'the best strategy, lp-ft, has an interval over 0 and useful gains');
});

test('planted truth, transfer: too few seeds for the effect is inconclusive, and under-trained runs gate', () => {
  const one = transferRuns({ scratch: { 10: [0.6] }, full: { 10: [0.7] } });
  assert.deepEqual(decideTransferVerdict({ ...transferBase, runs: one, sourceAccuracy: 0.95 }).because, 'seed noise');
  const two = transferRuns({ scratch: { 10: [0.6, 0.62] }, full: { 10: [0.62, 0.66] } });
  assert.equal(decideTransferVerdict({ ...transferBase, runs: two, sourceAccuracy: 0.95 }).outcome, 'inconclusive');
  const fresh = transferRuns(
    { scratch: { 10: [0.6, 0.62, 0.58] }, full: { 10: [0.85, 0.86, 0.84] } },
    [2, 1.6, 1.2, 0.9],
  );
  const v = decideTransferVerdict({ ...transferBase, runs: fresh, sourceAccuracy: 0.95 });
  assert.deepEqual([v.outcome, v.because], ['inconclusive', 'under-trained']);
  const smoke = decideTransferVerdict({
    ...transferBase,
    runs: transferRuns({ scratch: { 10: [0.6, 0.62, 0.58] }, full: { 10: [0.85, 0.86, 0.84] } }),
    sourceAccuracy: 0.95,
    smokeTest: true,
  });
  assert.deepEqual([smoke.outcome, smoke.because], ['inconclusive', 'smoke test']);
});

test('transfer headline: with every budget open, the effect shown is the budget with the highest lower bound', () => {
  const runs = transferRuns({
    scratch: { 5: [0.6, 0.62, 0.58], 80: [0.6, 0.7, 0.62] },
    full: { 5: [0.7, 0.5, 0.62], 80: [0.7, 0.72, 0.68] },
  });
  const v = decideTransferVerdict({ ...transferBase, budgets: [5, 80], runs, sourceAccuracy: 0.95 });
  assert.deepEqual([v.outcome, v.because], ['inconclusive', 'seed noise']);
  // 80/class: gains 10, 2, 6 (mean 6, sd 4); 5/class: 10, −12, 4 (mean 0.67, sd 11.4)
  assert.ok(
    v.effect !== null && Math.abs(v.effect.estimate - 6) < 1e-9,
    `the 80/class effect, got ${v.effect?.estimate}`,
  );
  assert.match(v.effect.of, /at 80 labels per class/);
  assert.ok(
    v.next.some((n) => n.startsWith('more seeds')),
    v.next.join('; '),
  );
  const hurt = transferRuns({
    scratch: { 5: [0.8, 0.8, 0.8], 80: [0.8, 0.8, 0.8] },
    full: { 5: [0.7, 0.71, 0.69], 80: [0.5, 0.51, 0.49] },
  });
  const h = decideTransferVerdict({ ...transferBase, budgets: [5, 80], runs: hurt, sourceAccuracy: 0.95 });
  assert.equal(h.outcome, 'hurts');
  assert.ok(h.effect !== null && Math.abs(h.effect.estimate + 30) < 1e-9, 'the budget where it hurts most surely');
});

// ---- multi-task --------------------------------------------------------------------------------

const directions = { real: { accuracy: true }, noise: { accuracy: true } };
const mtlChecks = {
  sharedInput: { shared: true, sameShape: true, rangeOverlap: 1, inputs: {}, ok: true },
  dataBalance: { labelled: { real: 100, noise: 100 }, presentFraction: { real: 1, noise: 1 }, ratio: 1, ok: true },
};
const scores = (real: number[], noise: number[]): EvaluationResult[] =>
  real.map((r, s) => ({ real: { accuracy: r }, noise: { accuracy: noise[s]! } }));
const single = (task: 'real' | 'noise', values: number[]): EvaluationResult[] =>
  values.map((v) => ({ [task]: { accuracy: v } }));

function mtlInput(ew: EvaluationResult[], capacity: { real: number[]; noise: number[] }, losses = falling) {
  const perSeed = new Map<string, EvaluationResult[]>([
    ['single:real', single('real', [0.9, 0.9, 0.9])],
    ['single:noise', single('noise', [0.1, 0.1, 0.1])],
    ['capacity:real', single('real', capacity.real)],
    ['capacity:noise', single('noise', capacity.noise)],
    ['ew', ew],
  ]);
  return {
    methods: ['ew'],
    perSeed,
    tasks: ['real', 'noise'],
    directions,
    ...mtlChecks,
    capacityRun: true,
    width: 8,
    smokeTest: false,
    losses: [...perSeed.keys()].flatMap((label) => [0, 1, 2].map((s) => ({ label: `${label} seed ${s}`, losses }))),
  };
}

test('planted truth, multi-task: a pair where one task is random labels is not "helps" (seed noise)', () => {
  // the real task gains 2% at equal capacity; the random-label task's chance accuracy swings by ±30% relative
  const ew = scores([0.9, 0.9, 0.9], [0.13, 0.07, 0.12]);
  const v = decideMtlVerdict(mtlInput(ew, { real: [0.882, 0.882, 0.882], noise: [0.1, 0.1, 0.1] }));
  assert.ok(v.effect !== null && v.effect.estimate > 0, 'the mean Δm is positive');
  assert.notEqual(v.outcome, 'helps');
  assert.equal(v.because, 'seed noise');
});

test('planted truth, multi-task: sharing that beats equal capacity on every seed helps; a small trunk is named', () => {
  const ew = scores([0.9, 0.91, 0.9], [0.2, 0.21, 0.2]);
  const helps = decideMtlVerdict(mtlInput(ew, { real: [0.8, 0.8, 0.8], noise: [0.15, 0.15, 0.15] }));
  assert.equal(helps.outcome, 'helps');
  assert.match(helps.effect!.of, /equal capacity/);
  const weak = scores([0.7, 0.71, 0.69], [0.1, 0.1, 0.1]);
  const hurts = decideMtlVerdict(mtlInput(weak, { real: [0.8, 0.8, 0.8], noise: [0.1, 0.1, 0.1] }));
  assert.equal(hurts.outcome, 'hurts');
  const cap = hurts.reasons.find((r) => r.check === 'capacity')!;
  assert.equal(cap.passed, false);
  assert.match(
    cap.detail,
    /a shared network this small cannot hold both tasks: widen the trunk \(trunk.width 8 → 16\)/,
  );
  assert.ok(hurts.reasons.some((r) => r.check === 'ew not below baseline' && !r.passed));
  const under = decideMtlVerdict(
    mtlInput(ew, { real: [0.8, 0.8, 0.8], noise: [0.15, 0.15, 0.15] }, [2, 1.5, 1.1, 0.8]),
  );
  assert.deepEqual([under.outcome, under.because], ['inconclusive', 'under-trained']);
  const noCapacity = decideMtlVerdict({
    ...mtlInput(ew, { real: [0.8, 0.8, 0.8], noise: [0.15, 0.15, 0.15] }),
    capacityRun: false,
  });
  assert.deepEqual([noCapacity.outcome, noCapacity.because], ['inconclusive', 'no equal-capacity comparison']);
});

// ---- end to end --------------------------------------------------------------------------------

const noCrossover: Crossover = { status: 'unknown', size: null, low: null, high: null, detail: 'no fit' };
const noFit: FitReport = { status: 'too-few-points', a: null, b: null, c: null, reason: 'a sample' };

test('planted truth, e2e: a hand-written stage that throws away what the label needs loses to end to end with enough data', () => {
  // the pipeline's rule discards information: its error stays at 0.5; end to end learns it
  const errors = {
    pipeline: [0.5, 0.52, 0.49],
    endToEnd: [
      [0.7, 0.72, 0.69],
      [0.3, 0.31, 0.28],
      [0.1, 0.12, 0.11],
    ],
    hybrid: [[], [], []],
  };
  const v = decideE2eVerdict({
    sizes: [100, 1000, 10000],
    errors,
    hybrid: false,
    metric: 'error rate',
    crossover: noCrossover,
    endToEndFit: noFit,
    losses: [],
    smokeTest: false,
  });
  assert.equal(v.outcome, 'end-to-end');
  assert.ok(Math.abs(v.effect!.estimate - (0.5 + 0.52 + 0.49 - 0.33) / 3) < 1e-12);
  // with too little data the pipeline wins
  const small = decideE2eVerdict({
    sizes: [100],
    errors: { ...errors, endToEnd: [[0.7, 0.72, 0.69]] },
    hybrid: false,
    metric: 'error rate',
    crossover: noCrossover,
    endToEndFit: noFit,
    losses: [],
    smokeTest: false,
  });
  assert.equal(small.outcome, 'pipeline');
});

test('planted truth, e2e: too few seeds, a smoke test or under-trained runs are inconclusive; far crossovers are not claimed', () => {
  const base = {
    sizes: [100, 1000],
    hybrid: false,
    metric: 'error rate',
    endToEndFit: noFit,
    losses: [],
    smokeTest: false,
  };
  const one = decideE2eVerdict({
    ...base,
    crossover: noCrossover,
    errors: { pipeline: [0.5], endToEnd: [[0.7], [0.3]], hybrid: [[], []] },
  });
  assert.deepEqual([one.outcome, one.because], ['inconclusive', 'seed noise']);
  const errors = {
    pipeline: [0.5, 0.52, 0.49],
    endToEnd: [
      [0.7, 0.72, 0.69],
      [0.1, 0.12, 0.11],
    ],
    hybrid: [[], []],
  };
  assert.equal(decideE2eVerdict({ ...base, crossover: noCrossover, errors, smokeTest: true }).because, 'smoke test');
  assert.equal(
    decideE2eVerdict({
      ...base,
      crossover: noCrossover,
      errors,
      losses: [{ label: 'e2e', losses: [2, 1.5, 1.1, 0.8] }],
    }).because,
    'under-trained',
  );
  const far = decideE2eVerdict({
    ...base,
    errors,
    crossover: { status: 'extrapolated', size: 800_000, low: 100_000, high: null, detail: 'from the fits' },
  });
  const r = far.reasons.find((x) => x.check === 'crossover')!;
  assert.equal(r.passed, false);
  assert.match(r.detail, /beyond 10× the largest measured size \(1,000\): not claimed/);
  const none = decideE2eVerdict({
    ...base,
    errors,
    crossover: {
      status: 'not-expected',
      size: null,
      low: null,
      high: null,
      detail: 'the fitted curves do not meet below 1,000,000 examples',
    },
  });
  const said = none.reasons.find((x) => x.check === 'crossover')!.detail;
  assert.match(said, /do not meet within 10× the largest \(10,000 examples\); nothing is claimed beyond that$/);
  assert.doesNotMatch(said, /1,000,000/);
});
