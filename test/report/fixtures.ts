/**
 * Study results and metrics in the documented shapes, small and deterministic: what the report
 * tests draw, and what the CLI tests feed the main job in place of the real studies.
 *
 * @example
 * const { transfer, mtl, e2e, metrics } = sampleReportData();
 */
import type { E2eResult, MetricRecord, MtlResult, TransferResult } from '../../src/report/index.js';

/** A transfer result: three strategies and scratch at four budgets. */
export function sampleTransfer(): TransferResult {
  const budgets = [10, 50, 200, 1000];
  const curve = (base: number, gain: number): Record<string, { mean: number; sd: number }> =>
    Object.fromEntries(budgets.map((b, i) => [String(b), { mean: Math.min(0.99, base + gain * i), sd: 0.02 + 0.01 * (3 - i) }]));
  return {
    budgets,
    results: { scratch: curve(0.35, 0.18), 'linear-probe': curve(0.7, 0.05), full: curve(0.65, 0.1), 'lp-ft': curve(0.72, 0.08) },
    checks: { sourceAccuracy: 0.97 },
    verdict: 'Pre-training helps up to 200 labels; at 1000 labels scratch catches up.',
  };
}

/** A multi-task result with Δm, negative transfer and an affinity matrix. */
export function sampleMtl(): MtlResult {
  return {
    tasks: ['left', 'right'],
    results: { single: { left: 0.91, right: 0.88 }, ew: { left: 0.92, right: 0.87 }, famo: { left: 0.93, right: 0.9 }, pcgrad: { left: 0.9, right: 0.89 } },
    deltaM: { ew: -0.02, famo: 1.68, pcgrad: -0.12 },
    negativeTransfer: { ew: ['right'], famo: [], pcgrad: ['left'] },
    affinity: { tasks: ['left', 'right'], matrix: [[0.02, 0.008], [-0.004, 0.03]] },
  };
}

/** An end-to-end result whose fitted curves cross near 170 examples. */
export function sampleE2e(): E2eResult {
  const sizes = [100, 300, 1000, 3000];
  const fits = { pipeline: { a: 1.2, b: -0.45, c: 0.05 }, endToEnd: { a: 6, b: -0.72, c: 0.02 } };
  const at = (f: { a: number; b: number; c: number }, n: number): number => f.a * n ** f.b + f.c;
  return {
    sizes,
    curves: {
      pipeline: sizes.map((n) => ({ size: n, mean: at(fits.pipeline, n), sd: 0.01 })),
      endToEnd: sizes.map((n) => ({ size: n, mean: at(fits.endToEnd, n), sd: 0.015 })),
    },
    fits,
    crossover: { size: 170, low: 130, high: 230 },
    verdict: 'End-to-end overtakes the pipeline from about 170 training examples.',
  };
}

/** Step and epoch records of two multi-task methods (losses and weights) and of a plain training. */
export function sampleMetrics(): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (const section of ['mtl/ew', 'mtl/famo']) {
    for (let step = 1; step <= 60; step++) {
      const w = section === 'mtl/ew' ? 1 : 1 + 0.3 * Math.sin(step / 10);
      out.push({ type: 'step', section, step, epoch: Math.floor(step / 20), loss: 2 / Math.sqrt(step), losses: { left: 1 / Math.sqrt(step), right: 1.2 / Math.sqrt(step) }, weights: { left: w, right: 2 - w } });
    }
  }
  for (let step = 1; step <= 40; step++) out.push({ type: 'step', section: 'train', step, epoch: Math.floor(step / 10), loss: 2.3 * Math.exp(-step / 15), losses: { digit: 2.3 * Math.exp(-step / 15) } });
  for (let epoch = 0; epoch < 4; epoch++) out.push({ type: 'epoch', section: 'train', step: (epoch + 1) * 10, epoch, loss: 1 / (epoch + 1), eval: { digit: { accuracy: 0.8 + 0.04 * epoch, macroF1: 0.78 + 0.04 * epoch } } });
  return out;
}

/** All of the above. */
export function sampleReportData(): { transfer: TransferResult; mtl: MtlResult; e2e: E2eResult; metrics: MetricRecord[] } {
  return { transfer: sampleTransfer(), mtl: sampleMtl(), e2e: sampleE2e(), metrics: sampleMetrics() };
}
