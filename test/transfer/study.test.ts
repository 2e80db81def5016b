import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  epochsForBudget,
  gainCheck,
  inputCheck,
  ratioCheck,
  resolveStudyConfig,
  runTransferStudy,
  strategyKeys,
  transferStudyConfigSchema,
  verdictOf,
  type TransferStudyProgress,
} from '../../src/transfer/index.js';
import { plain } from '../helpers/plain.js';

test('a tiny study returns the documented JSON shape', async () => {
  const events: TransferStudyProgress[] = [];
  const started = Date.now();
  const result = await runTransferStudy(
    {
      direction: 'digits-0-4-to-5-9',
      model: { arch: 'mlp', hidden: [16] },
      source: { samples: 400, epochs: 1 },
      target: { budgets: [2, 4], testSamples: 100 },
      fineTune: { seeds: [0, 1], minEpochs: 2, epochBudget: 4, lr: 1e-2 },
    },
    (e) => events.push(e),
  );
  assert.ok(Date.now() - started < 20_000);
  assert.deepEqual(result.budgets, [2, 4]);
  assert.deepEqual(Object.keys(result.results), [...strategyKeys]);
  for (const s of strategyKeys) {
    for (const b of ['2', '4']) {
      const { mean, sd } = result.results[s]![b]!;
      assert.ok(mean >= 0 && mean <= 1 && sd >= 0, `${s} ${b}`);
    }
  }
  assert.deepEqual(Object.keys(result.checks), ['inputs', 'dataRatio', 'gain']);
  assert.equal(result.checks.inputs.holds, true);
  assert.equal(result.checks.dataRatio.sourceExamples, 400);
  assert.equal(result.checks.dataRatio.byBudget['2'], 40);
  assert.ok(result.checks.gain.byBudget['2'] !== null);
  assert.match(result.verdict.sentence, /MNIST digits 0-4 .*MNIST digits 5-9/);
  assert.ok(['helps', 'hurts', 'no-difference', 'inconclusive'].includes(result.verdict.outcome));
  assert.ok(result.verdict.reasons.some((r) => r.check === 'source adequate' && typeof r.value === 'number'));
  assert.equal(result.runs.length, 2 * 2 * strategyKeys.length);
  assert.deepEqual(plain(result.setup.target.testExamples), { 2: 100, 4: 100 });
  assert.deepEqual(plain(result.setup.epochsByBudget), { 2: 2, 4: 2 });
  assert.equal(events.filter((e) => e.phase === 'finetune').length, result.runs.length);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(result)));
});

test('the default config and the presets resolve; the example YAML is the reference preset', () => {
  const d = resolveStudyConfig();
  assert.equal(d.direction, 'auto');
  assert.deepEqual(d.target.budgets, [10, 30, 100]);
  assert.deepEqual(d.fineTune.strategies, [...strategyKeys]);
  const ref = resolveStudyConfig('reference');
  assert.deepEqual(ref.model, {
    arch: 'cnn',
    inChannels: 1,
    height: 28,
    width: 28,
    channels: [32, 64],
    hidden: 128,
    batchNorm: false,
  });
  assert.deepEqual(
    [10, 30, 100].map((n) => epochsForBudget(ref, n)),
    [200, 67, 20],
  );
  const yaml = parse(
    readFileSync(new URL('../../../examples/transfer-fashion-to-mnist.yaml', import.meta.url), 'utf8'),
  );
  assert.deepEqual(transferStudyConfigSchema.parse(yaml), ref);
  for (const [name, direction] of [
    ['mnist-to-fashion', 'mnist-to-fashion'],
    ['same-domain', 'digits-0-4-to-5-9'],
  ] as const) {
    assert.deepEqual(
      resolveStudyConfig(name),
      { ...ref, direction },
      `${name} is the reference protocol in another direction`,
    );
  }
  assert.throws(() => resolveStudyConfig('nope'), /unknown preset 'nope'/);
  assert.throws(
    () => resolveStudyConfig({ fineTune: { strategies: ['fine'] } as never }),
    /transfer study config: fineTune\.strategies\[0\]: found "fine"/,
  );
});

test('the checks state the three conditions with numbers, and the verdict follows them', () => {
  const stats = { shape: [1, 28, 28], min: 0, max: 1, mean: 0.2, sd: 0.3 };
  assert.equal(inputCheck(stats, { ...stats, mean: 0.13 }).holds, true);
  assert.equal(inputCheck(stats, { ...stats, shape: [3, 32, 32] }).holds, false);
  const ratio = ratioCheck(60000, [10, 30, 100], 10);
  assert.deepEqual(plain(ratio.byBudget), { 10: 600, 30: 200, 100: 60 });
  assert.equal(ratio.holds, true);
  assert.equal(ratioCheck(null, [10], 10).holds, false);
  const results = {
    scratch: { 10: { mean: 0.76, sd: 0.023 }, 100: { mean: 0.943, sd: 0.001 } },
    'linear-probe': { 10: { mean: 0.471, sd: 0.018 }, 100: { mean: 0.776, sd: 0.005 } },
    full: { 10: { mean: 0.807, sd: 0.029 }, 100: { mean: 0.949, sd: 0.001 } },
  };
  const gain = gainCheck(results, [10, 100], 3);
  assert.deepEqual(gain.byBudget['10'], { best: 'full', gain: 0.047, noise: 0.0214, ratio: 2.2, significant: true });
  assert.equal(gain.byBudget['100']!.significant, true);
  const close = gainCheck(
    { scratch: { 10: { mean: 0.8, sd: 0.03 } }, full: { 10: { mean: 0.81, sd: 0.03 } } },
    [10],
    3,
  );
  assert.equal(close.holds, false);
  const checks = { inputs: inputCheck(stats, stats), dataRatio: ratio, gain };
  assert.match(
    verdictOf(checks, results, 'Fashion-MNIST', 'MNIST'),
    /^Transfer from Fashion-MNIST helps MNIST at 10, 100 labels per class: at 10 labels per class transfer helps \(full 80\.7% vs scratch 76\.0%, \+4\.7 points, 2\.2× the seed noise of 2\.1 points\)/,
  );
  const single = gainCheck(results, [10], 1);
  assert.equal(single.byBudget['10']!.noise, null);
  assert.match(verdictOf({ ...checks, gain: single }, results, 'A', 'B'), /one seed and so no estimate of the noise/);
});
