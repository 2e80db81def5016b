/**
 * The transfer study's headline numbers end to end: a study over a sub-run store that holds every
 * fine-tuning record (and a source checkpoint, so nothing is pre-trained) trains nothing, and its
 * result must carry exactly the means, gains and paired intervals those records give. A change in
 * how the study assembles any of them (pooling strategies, unpairing seeds, another budget) fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed } from '../../src/core/rng.js';
import { FileSubRunStore, meanSd, tInterval } from '../../src/study/index.js';
import { buildModel, runTransferStudy, savePretrained, type TransferStudyInput } from '../../src/transfer/index.js';

/** Accuracies by strategy, budget, seed (fractions). */
const ACC: Record<string, Record<number, number[]>> = {
  scratch: { 2: [0.5, 0.54, 0.52], 4: [0.7, 0.72, 0.74] },
  full: { 2: [0.6, 0.62, 0.64], 4: [0.705, 0.726, 0.743] },
  'linear-probe': { 2: [0.55, 0.5, 0.6], 4: [0.6, 0.61, 0.62] },
};
const converged = [2, 1, 0.5, 0.3, 0.25, 0.24, 0.235, 0.233];

test('a transfer study over recorded runs reports exactly the means, paired gains and intervals of its records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-transfer-headline-'));
  try {
    manualSeed(0);
    const description = { arch: 'mlp' as const, config: { hidden: [8] }, tasks: [{ name: 'source', classes: 5 }] };
    savePretrained(join(dir, 'source'), buildModel(description), description);
    const config: TransferStudyInput = {
      direction: 'digits-0-4-to-5-9',
      source: { checkpoint: join(dir, 'source') },
      target: { budgets: [2, 4], testSamples: 50 },
      fineTune: { strategies: ['scratch', 'full', 'linear-probe'], seeds: [0, 1, 2], minEpochs: 2, epochBudget: 4 },
    };
    const store = FileSubRunStore.open(join(dir, 'subruns'), { config });
    for (const [strategy, byBudget] of Object.entries(ACC)) {
      for (const [budget, values] of Object.entries(byBudget)) {
        values.forEach((accuracy, seed) =>
          store.put(`finetune-${strategy}-b${budget}-seed${seed}`, {
            strategy,
            budget: Number(budget),
            seed,
            epochs: 2,
            accuracy,
            seconds: 0,
            losses: converged,
          }),
        );
      }
    }
    const r = await runTransferStudy(config, undefined, { subRuns: store });
    // means and sds per strategy and budget, never pooled over strategies
    for (const [strategy, byBudget] of Object.entries(ACC)) {
      for (const [budget, values] of Object.entries(byBudget)) {
        const { mean, sd } = meanSd(values);
        assert.deepEqual(
          r.results[strategy as 'full']![budget],
          { mean: Number(mean.toFixed(4)), sd: Number(sd.toFixed(4)) },
          `${strategy} ${budget}`,
        );
      }
    }
    // the old gain check: best strategy by mean, gain of means
    assert.equal(r.checks.gain.byBudget['2']!.best, 'full');
    assert.equal(r.checks.gain.byBudget['2']!.gain, 0.1);
    // the verdict: full minus scratch at 2 labels per class, paired by seed: [10, 8, 12] points
    const gains2 = [10, 8, 12];
    const t = tInterval(gains2);
    const v = r.verdict;
    assert.equal(v.outcome, 'helps');
    assert.equal(v.because, null);
    assert.equal(v.effect!.of, 'full minus scratch at 2 labels per class');
    assert.equal(v.effect!.unit, 'accuracy points');
    assert.ok(
      Math.abs(v.effect!.estimate - 10) < 1e-9 &&
        Math.abs(v.effect!.low - t.low) < 1e-9 &&
        Math.abs(v.effect!.high - t.high) < 1e-9,
    );
    assert.match(v.effect!.interval, /^95% t interval over 3 seeds, paired by seed, best of 2 strategies/);
    // at 4 labels per class: full − scratch = [0.5, 0.6, 0.3] points, inside ±1 point: no difference there
    const at4 = v.reasons.find((x) => x.check === 'effect at 4/class')!;
    assert.match(at4.detail, /^no-difference: \+0\.47 accuracy points/);
    // the linear probe is 10+ points below scratch at 4 labels per class: flagged by name
    assert.ok(v.reasons.some((x) => x.check === 'linear-probe not below scratch at 4/class' && !x.passed));
    assert.equal(
      v.reasons.find((x) => x.check === 'source adequate')!.value,
      null,
      'a loaded checkpoint: not measured',
    );
    assert.ok(v.reasons.find((x) => x.check === 'converged')!.passed);
    assert.match(v.sentence, /^Transfer from MNIST digits 0-4 to MNIST digits 5-9 helps at 2 labels per class/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
