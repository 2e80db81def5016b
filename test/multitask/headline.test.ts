/**
 * The multi-task study's headline numbers end to end: a study over a sub-run store that holds
 * every run's record trains nothing, and its result must carry exactly the Δm, per-task deltas,
 * negative transfer, equal-capacity comparison and paired interval those records give. A change in
 * how the study assembles any of them (Δm forced to 0, baselines of another seed, the full-width
 * baselines in the headline) fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSubRunStore, tInterval } from '../../src/study/index.js';
import { runMtlStudy, type MtlStudyConfigInput } from '../../src/multitask/index.js';
import { plain } from '../helpers/plain.js';

/** Accuracy of the left and right digit, by run label, by seed. */
const ACC: Record<string, [number, number][]> = {
  'single:left': [
    [0.8, NaN],
    [0.82, NaN],
    [0.78, NaN],
  ].map(([l]) => [l!, NaN]),
  'single:right': [
    [NaN, 0.7],
    [NaN, 0.72],
    [NaN, 0.74],
  ].map(([, r]) => [NaN, r!]),
  'capacity:left': [
    [0.75, NaN],
    [0.74, NaN],
    [0.76, NaN],
  ].map(([l]) => [l!, NaN]),
  'capacity:right': [
    [NaN, 0.65],
    [NaN, 0.66],
    [NaN, 0.64],
  ].map(([, r]) => [NaN, r!]),
  ew: [
    [0.81, 0.69],
    [0.83, 0.7],
    [0.8, 0.73],
  ],
  famo: [
    [0.76, 0.66],
    [0.75, 0.67],
    [0.77, 0.66],
  ],
};
const converged = [2, 1, 0.5, 0.3, 0.25, 0.24, 0.235, 0.233];

const resultsOf = (label: string, [l, r]: [number, number]): Record<string, Record<string, number>> =>
  label.startsWith('single:left') || label.startsWith('capacity:left')
    ? { left: { accuracy: l } }
    : label.startsWith('single:right') || label.startsWith('capacity:right')
      ? { right: { accuracy: r } }
      : { left: { accuracy: l }, right: { accuracy: r } };

/** Δm (percent) of accuracies (l, r) against baselines (bl, br). */
const dm = (l: number, r: number, bl: number, br: number): number => (100 * ((l - bl) / bl + (r - br) / br)) / 2;
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

test('a multi-task study over recorded runs reports exactly the Δm, deltas and paired interval of its records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-mtl-headline-'));
  try {
    const config: MtlStudyConfigInput = {
      train: 64,
      test: 32,
      epochs: 1,
      batchSize: 32,
      methods: ['ew', 'famo'],
      seeds: [0, 1, 2],
      trunk: { width: 4 },
      affinity: { every: 0 },
    };
    const store = FileSubRunStore.open(join(dir, 'subruns'), { config });
    for (const [label, bySeed] of Object.entries(ACC)) {
      bySeed.forEach((acc, seed) =>
        store.put(`${label}-seed${seed}`, {
          results: resultsOf(label, acc),
          weights: { steps: [0], weights: {} },
          affinity: null,
          seconds: 1,
          params: 100,
          losses: converged,
        }),
      );
    }
    const r = await runMtlStudy(config, undefined, { subRuns: store });
    const m = (label: string, k: 0 | 1): number => mean(ACC[label]!.map((a) => a[k]));
    // Δm of the mean results against the mean single-task baselines
    for (const method of ['ew', 'famo']) {
      const expected = dm(m(method, 0), m(method, 1), m('single:left', 0), m('single:right', 1));
      assert.ok(Math.abs(r.deltaM[method]! - expected) < 1e-9, `${method}: ${r.deltaM[method]} vs ${expected}`);
      assert.ok(
        Math.abs(r.taskDeltas[method]!['left']! - (100 * (m(method, 0) - m('single:left', 0))) / m('single:left', 0)) <
          1e-9,
      );
      const vsEqual = dm(m(method, 0), m(method, 1), m('capacity:left', 0), m('capacity:right', 1));
      assert.ok(Math.abs(r.checks.capacity!.deltaMVsEqualCapacity[method]! - vsEqual) < 1e-9);
    }
    assert.deepEqual(plain(r.negativeTransfer), { ew: ['right'], famo: ['left', 'right'] });
    // the verdict: ew's Δm against the equal-capacity models of the same seed, paired by seed
    const perSeed = [0, 1, 2].map((s) =>
      dm(ACC['ew']![s]![0], ACC['ew']![s]![1], ACC['capacity:left']![s]![0], ACC['capacity:right']![s]![1]),
    );
    const t = tInterval(perSeed);
    const v = r.verdict;
    assert.equal(v.effect!.of, "ew's Δm against single-task models of equal capacity");
    assert.ok(
      Math.abs(v.effect!.estimate - t.mean) < 1e-9 &&
        Math.abs(v.effect!.low - t.low) < 1e-9 &&
        Math.abs(v.effect!.high - t.high) < 1e-9,
    );
    assert.equal(v.outcome, 'helps');
    // beside it, the full-width comparison of the same method, paired by seed
    const full = [0, 1, 2].map((s) =>
      dm(ACC['ew']![s]![0], ACC['ew']![s]![1], ACC['single:left']![s]![0], ACC['single:right']![s]![1]),
    );
    const reason = v.reasons.find((x) => x.check === 'Δm vs full-width single-task')!;
    assert.ok(reason.detail.startsWith(`${mean(full) >= 0 ? '+' : ''}${mean(full).toFixed(2)} % Δm`), reason.detail);
    assert.ok(v.reasons.find((x) => x.check === 'capacity')!.passed);
    assert.ok(v.reasons.find((x) => x.check === 'converged')!.passed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
