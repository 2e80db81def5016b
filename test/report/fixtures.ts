/**
 * Study results and metrics in the documented shapes, small and deterministic: what the report
 * tests draw, and what the CLI tests feed the main job in place of the real studies.
 *
 * @example
 * const { transfer, mtl, e2e, metrics } = sampleReportData();
 */
import type { E2eReport, MetricRecord, MtlReport, TransferReport } from '../../src/report/index.js';
import type { E2eOutcome, EffectOutcome, StudyVerdict } from '../../src/study/index.js';

/** A verdict object with one effect, one reason and one next step. */
export function sampleVerdict<O extends string>(outcome: O, sentence: string): StudyVerdict<O> {
  return {
    outcome,
    because: null,
    sentence,
    effect: {
      of: 'the sample effect',
      estimate: 2,
      low: 0.5,
      high: 3.5,
      unit: 'points',
      interval: '95% t interval over 3 seeds, paired by seed',
      n: 3,
    },
    reasons: [{ check: 'converged', value: 0, passed: true, gate: true, detail: 'all 3 runs converged' }],
    next: ['more seeds'],
  };
}

/** A transfer result: three strategies and scratch at four budgets. */
export function sampleTransfer(): TransferReport {
  const budgets = [10, 50, 200, 1000];
  const curve = (base: number, gain: number): Record<string, { mean: number; sd: number }> =>
    Object.fromEntries(
      budgets.map((b, i) => [String(b), { mean: Math.min(0.99, base + gain * i), sd: 0.02 + 0.01 * (3 - i) }]),
    );
  return {
    budgets,
    results: {
      scratch: curve(0.35, 0.18),
      'linear-probe': curve(0.7, 0.05),
      full: curve(0.65, 0.1),
      'lp-ft': curve(0.72, 0.08),
    },
    verdict: sampleVerdict<EffectOutcome>(
      'helps',
      'Pre-training helps up to 200 labels; at 1000 labels scratch catches up.',
    ),
  };
}

/** A task of ten classes scored by accuracy, as the multi-task study summarises it. */
const digitTask = (name: string): MtlReport['tasks'][number] => ({
  name,
  kind: 'multiclass',
  outputs: 10,
  metrics: ['accuracy'],
  directions: { accuracy: true },
});

/** A multi-task result with Δm, negative transfer and the affinity one method measured. */
export function sampleMtl(): MtlReport {
  const acc = (left: number, right: number): Record<string, Record<string, number>> => ({
    left: { accuracy: left },
    right: { accuracy: right },
  });
  const matrix = [
    [0.02, 0.008],
    [-0.004, 0.03],
  ];
  return {
    tasks: [digitTask('left'), digitTask('right')],
    results: { single: acc(0.91, 0.88), ew: acc(0.92, 0.87), famo: acc(0.93, 0.9), pcgrad: acc(0.9, 0.89) },
    deltaM: { ew: -0.02, famo: 1.68, pcgrad: -0.12 },
    negativeTransfer: { ew: ['right'], famo: [], pcgrad: ['left'] },
    affinity: {
      famo: {
        tasks: ['left', 'right'],
        steps: [10],
        lookahead: [matrix],
        cosine: [
          [
            [1, 0.1],
            [0.1, 1],
          ],
        ],
        meanLookahead: matrix,
        meanCosine: [
          [1, 0.1],
          [0.1, 1],
        ],
      },
    },
    weightsOverTime: {},
    verdict: sampleVerdict<EffectOutcome>('helps', 'Sharing helps: famo beats single-task models of equal capacity.'),
  };
}

/** An end-to-end result whose fitted curves cross near 170 examples. */
export function sampleE2e(): E2eReport {
  const sizes = [100, 300, 1000, 3000];
  const fits = { pipeline: { a: 1.2, b: -0.45, c: 0.05 }, endToEnd: { a: 6, b: -0.72, c: 0.02 } };
  const at = (f: { a: number; b: number; c: number }, n: number): number => f.a * n ** f.b + f.c;
  // two seeds a sample standard deviation `sd` apart around the mean
  const entry = (size: number, mean: number, sd: number): E2eReport['curves']['pipeline'][number] => ({
    size,
    mean,
    sd,
    n: 2,
    values: [mean - sd / Math.SQRT2, mean + sd / Math.SQRT2],
  });
  const fitted = (f: { a: number; b: number; c: number }): E2eReport['fits']['pipeline'] => ({
    status: 'ok',
    ...f,
    chi2: 0,
    dof: 1,
    band: [],
    check: { status: 'skipped', reason: 'a sample' },
  });
  return {
    metric: 'error',
    sizes,
    curves: {
      pipeline: sizes.map((n) => entry(n, at(fits.pipeline, n), 0.01)),
      endToEnd: sizes.map((n) => entry(n, at(fits.endToEnd, n), 0.015)),
    },
    fits: { pipeline: fitted(fits.pipeline), endToEnd: fitted(fits.endToEnd) },
    crossover: { status: 'extrapolated', size: 170, low: 130, high: 230, detail: 'from the fits' },
    verdict: sampleVerdict<E2eOutcome>(
      'end-to-end',
      'End-to-end overtakes the pipeline from about 170 training examples.',
    ),
  };
}

/** Step and epoch records of two multi-task methods (losses and weights) and of a plain training. */
export function sampleMetrics(): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (const section of ['mtl/ew', 'mtl/famo']) {
    for (let step = 1; step <= 60; step++) {
      const w = section === 'mtl/ew' ? 1 : 1 + 0.3 * Math.sin(step / 10);
      out.push({
        type: 'step',
        section,
        step,
        epoch: Math.floor(step / 20),
        loss: 2 / Math.sqrt(step),
        losses: { left: 1 / Math.sqrt(step), right: 1.2 / Math.sqrt(step) },
        weights: { left: w, right: 2 - w },
      });
    }
  }
  for (let step = 1; step <= 40; step++)
    out.push({
      type: 'step',
      section: 'train',
      step,
      epoch: Math.floor(step / 10),
      loss: 2.3 * Math.exp(-step / 15),
      losses: { digit: 2.3 * Math.exp(-step / 15) },
    });
  for (let epoch = 0; epoch < 4; epoch++)
    out.push({
      type: 'epoch',
      section: 'train',
      step: (epoch + 1) * 10,
      epoch,
      loss: 1 / (epoch + 1),
      eval: { digit: { accuracy: 0.8 + 0.04 * epoch, macroF1: 0.78 + 0.04 * epoch } },
    });
  return out;
}

/** All of the above. */
export function sampleReportData(): {
  transfer: TransferReport;
  mtl: MtlReport;
  e2e: E2eReport;
  metrics: MetricRecord[];
} {
  return { transfer: sampleTransfer(), mtl: sampleMtl(), e2e: sampleE2e(), metrics: sampleMetrics() };
}
