import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affinityByMethod, curvePoints, e2eVerdict, metricValue, mtlVerdict, taskNames, transferVerdict, verdictText } from '../../src/report/index.js';
import { sampleE2e, sampleMtl, sampleTransfer } from './fixtures.js';

test('curvePoints reads values aligned with sizes, points, and records by size', () => {
  assert.deepEqual(curvePoints([0.3, 0.2], [100, 1000]), [{ size: 100, mean: 0.3 }, { size: 1000, mean: 0.2 }]);
  assert.deepEqual(curvePoints([{ size: 10, mean: 0.5, sd: 0.1, n: 3, values: [] }], []), [{ size: 10, mean: 0.5, sd: 0.1 }]);
  assert.deepEqual(curvePoints({ 200: { mean: 0.1 }, 100: 0.2 }, []), [{ size: 100, mean: 0.2 }, { size: 200, mean: 0.1 }]);
  assert.deepEqual(curvePoints([null, 'x', { size: 5 }], [1, 2, 3]), []);
});

test('metricValue, verdictText and taskNames take the forms the studies write', () => {
  assert.equal(metricValue({ accuracy: 0.9, f1: 0.8 }), 0.9);
  assert.equal(metricValue({ mean: 0.7, sd: 0.1 }), 0.7);
  assert.equal(metricValue({ accuracy: null }), null);
  assert.equal(verdictText({ summary: 'yes' }), 'yes');
  assert.equal(verdictText(undefined), '');
  assert.deepEqual(taskNames([{ name: 'left', kind: 'multiclass' }, 'right']), ['left', 'right']);
});

test('affinityByMethod reads one matrix, or one history per method', () => {
  assert.deepEqual(affinityByMethod({ tasks: ['a', 'b'], matrix: [[1, 2], [3, null]] }), [{ method: null, tasks: ['a', 'b'], values: [[1, 2], [3, null]] }]);
  const perMethod = affinityByMethod({ ew: { tasks: ['a', 'b'], meanLookahead: [[1, 0], [0, 1]] }, famo: { tasks: ['a', 'b'], meanLookahead: [[2, 0], [0, 2]] } });
  assert.deepEqual(perMethod.map((m) => [m.method, m.values[0]![0]]), [['ew', 1], ['famo', 2]]);
  assert.deepEqual(affinityByMethod(undefined), []);
});

test('the verdicts carry the study\'s own words and the key numbers', () => {
  const t = transferVerdict(sampleTransfer());
  assert.equal(t.headline, 'Pre-training helps up to 200 labels; at 1000 labels scratch catches up.');
  assert.deepEqual(t.numbers, [
    'at 10 labels per class: lp-ft 0.72 ± 0.05 vs scratch 0.35 ± 0.05 (accuracy)',
    'at 50 labels per class: lp-ft 0.8 ± 0.04 vs scratch 0.53 ± 0.04 (accuracy)',
    'at 200 labels per class: lp-ft 0.88 ± 0.03 vs scratch 0.71 ± 0.03 (accuracy)',
    'at 1000 labels per class: lp-ft 0.96 ± 0.02 vs scratch 0.89 ± 0.02 (accuracy)',
  ]);
  const m = mtlVerdict(sampleMtl());
  assert.equal(m.headline, 'Sharing helps: famo has the best Δm, +1.68% over single-task models.');
  assert.equal(m.numbers[0], 'Δm vs single-task: famo +1.68%, ew -0.02%, pcgrad -0.12%');
  const e = e2eVerdict(sampleE2e());
  assert.equal(e.numbers[0], 'crossover at ≈ 170 examples (130–230)');
  assert.ok(e.numbers.includes('fit endToEnd: 6·n^-0.72 + 0.02'));
  const none = e2eVerdict({ ...sampleE2e(), crossover: { size: null }, verdict: undefined });
  assert.equal(none.headline, 'End-to-end and the pipeline do not cross in the measured range.');
  assert.equal(none.numbers[0], 'no crossover in the measured range');
  const why = e2eVerdict({ ...sampleE2e(), crossover: { status: 'not-expected', size: null, detail: 'the fitted curves do not meet below 1,600,000 examples' } });
  assert.equal(why.numbers[0], 'no crossover: the fitted curves do not meet below 1,600,000 examples');
});
