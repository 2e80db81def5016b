/**
 * The end-to-end study's headline numbers end to end: a study over a sub-run store that holds every
 * run's record trains nothing, and its result must carry exactly the curves, the power-law fit, the
 * crossover and the paired interval those records give (errors planted on err(m) = 2·m^−0.5 + 0.05
 * against a pipeline at 0.2). A change in how the study assembles any of them (the pipeline's fit
 * used for the end-to-end curve, another size for the verdict, unpaired seeds) fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSubRunStore, tInterval } from '../../src/study/index.js';
import { runE2eStudy, type E2eStudyInput } from '../../src/endtoend/index.js';

const SIZES = [100, 200, 400, 800, 1600];
const NOISE = [-0.004, 0, 0.004];
const PIPELINE = [0.19, 0.2, 0.21];
const e2e = (size: number, seed: number): number => 2 * size ** -0.5 + 0.05 + NOISE[seed]!;
// a run that early stopping ended: its validation loss had stopped improving
const fit = {
  losses: [2, 1, 0.5, 0.3],
  validation: [1.2, 0.9, 0.8, 0.81, 0.82],
  stopped: true,
  steps: 500,
  bestStep: 300,
  validationExamples: 20,
};

test('an e2e study over recorded runs reports exactly the curves, fit, crossover and paired interval of its records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-e2e-headline-'));
  try {
    const config: E2eStudyInput = {
      case: 'digit-sum',
      sizes: SIZES,
      seeds: 3,
      hybrid: false,
      bootstrap: 50,
      testExamples: 50,
    };
    const store = FileSubRunStore.open(join(dir, 'subruns'), { config });
    for (let s = 0; s < 3; s++) {
      store.put(`seed${s}-pipeline`, { error: PIPELINE[s]!, fits: [fit] });
      for (const size of SIZES) store.put(`seed${s}-endToEnd-n${size}`, { error: e2e(size, s), fits: [fit] });
    }
    const r = await runE2eStudy(config, undefined, { subRuns: store });
    // curves: the end-to-end mean at each size is the planted law; the pipeline's is its own mean everywhere
    for (const [k, size] of SIZES.entries()) {
      assert.ok(Math.abs(r.curves.endToEnd[k]!.mean - (2 * size ** -0.5 + 0.05)) < 1e-12, `e2e at ${size}`);
      assert.ok(Math.abs(r.curves.pipeline[k]!.mean - 0.2) < 1e-12);
    }
    // fits: the end-to-end curve's own power law (not the pipeline's constant), checked on the held-out largest size
    assert.equal(r.fits.pipeline.status, 'constant');
    assert.ok(Math.abs(r.fits.pipeline.c! - 0.2) < 1e-12);
    const f = r.fits.endToEnd;
    assert.equal(f.status, 'ok');
    if (f.status !== 'ok') return;
    assert.ok(
      Math.abs(f.a - 2) < 1e-3 && Math.abs(f.b + 0.5) < 1e-3 && Math.abs(f.c - 0.05) < 1e-3,
      `${f.a} ${f.b} ${f.c}`,
    );
    assert.ok(f.check.status === 'ok' && f.check.consistent);
    // the crossover: interpolated on log size between 100 and 200, where the mean curves meet
    const g100 = 2 / 10 + 0.05 - 0.2;
    const g200 = 2 * 200 ** -0.5 + 0.05 - 0.2;
    const expected = Math.exp(Math.log(100) + (g100 / (g100 - g200)) * Math.log(2));
    assert.equal(r.crossover.status, 'measured');
    assert.ok(Math.abs(r.crossover.size! - expected) < 1e-6, `${r.crossover.size} vs ${expected}`);
    // the verdict: at 1600 examples the pipeline's error minus end to end's, paired by seed
    const adv = [0, 1, 2].map((s) => PIPELINE[s]! - e2e(1600, s));
    const t = tInterval(adv);
    const v = r.verdict;
    assert.equal(v.outcome, 'end-to-end');
    assert.equal(v.effect!.of, 'pipeline minus end-to-end at 1,600 examples (lower is better)');
    assert.ok(
      Math.abs(v.effect!.estimate - t.mean) < 1e-12 &&
        Math.abs(v.effect!.low - t.low) < 1e-12 &&
        Math.abs(v.effect!.high - t.high) < 1e-12,
    );
    assert.ok(v.reasons.find((x) => x.check === 'fit predicts held-out size')!.passed);
    assert.match(v.reasons.find((x) => x.check === 'crossover')!.detail, /^measured at about 1\d\d examples/);
    const converged = v.reasons.find((x) => x.check === 'converged')!;
    assert.ok(converged.passed && converged.value === 0, converged.detail);
    assert.match(converged.detail, /all 18 runs converged, judged 18 on a validation split/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
