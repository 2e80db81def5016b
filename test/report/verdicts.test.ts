import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2eVerdict, mtlVerdict, renderHtml, taskValue, transferVerdict } from '../../src/report/index.js';
import { sampleE2e, sampleMtl, sampleTransfer } from './fixtures.js';

test("taskValue reads a task's first metric, and null where there is no finite number", () => {
  const left = { name: 'left', metrics: ['accuracy', 'macroF1'] };
  assert.equal(taskValue({ left: { accuracy: 0.9, macroF1: 0.8 } }, left), 0.9);
  assert.equal(taskValue({ left: { macroF1: 0.8 } }, left), null);
  assert.equal(taskValue({ left: { accuracy: NaN } }, left), null);
  assert.equal(taskValue(undefined, left), null);
});

test("the verdicts carry the study's own verdict object (sentence, outcome, interval, reasons, next) and the key numbers", () => {
  const t = transferVerdict(sampleTransfer());
  assert.equal(t.headline, 'Pre-training helps up to 200 labels; at 1000 labels scratch catches up.');
  assert.equal(t.outcome, 'helps');
  assert.equal(
    t.interval,
    '+2.00 points [+0.50, +3.50] (the sample effect; 95% t interval over 3 seeds, paired by seed)',
  );
  assert.deepEqual(t.reasons, ['ok converged = 0: all 3 runs converged']);
  assert.deepEqual(t.next, ['more seeds']);
  assert.deepEqual(t.numbers, [
    'at 10 labels per class: lp-ft 0.72 ± 0.05 vs scratch 0.35 ± 0.05 (accuracy)',
    'at 50 labels per class: lp-ft 0.8 ± 0.04 vs scratch 0.53 ± 0.04 (accuracy)',
    'at 200 labels per class: lp-ft 0.88 ± 0.03 vs scratch 0.71 ± 0.03 (accuracy)',
    'at 1000 labels per class: lp-ft 0.96 ± 0.02 vs scratch 0.89 ± 0.02 (accuracy)',
  ]);
  const m = mtlVerdict(sampleMtl());
  assert.equal(m.headline, 'Sharing helps: famo beats single-task models of equal capacity.');
  assert.equal(m.numbers[0], 'Δm vs single-task: famo +1.68%, ew -0.02%, pcgrad -0.12%');
  const e = e2eVerdict(sampleE2e());
  assert.equal(e.outcome, 'end-to-end');
  assert.equal(e.numbers[0], 'crossover at ≈ 170 examples (130–230)');
  assert.ok(e.numbers.includes('fit endToEnd: 6·n^-0.72 + 0.02'));
  const open = { ...sampleE2e().verdict, outcome: 'inconclusive' as const, because: 'smoke test', effect: null };
  const none = e2eVerdict({
    ...sampleE2e(),
    crossover: { status: 'unknown', size: null, low: null, high: null, detail: '' },
    verdict: open,
  });
  assert.equal(none.outcome, 'inconclusive (smoke test)');
  assert.equal(none.interval, null);
  assert.equal(none.numbers[0], 'no crossover in the measured range');
  const why = e2eVerdict({
    ...sampleE2e(),
    crossover: {
      status: 'not-expected',
      size: null,
      low: null,
      high: null,
      detail: 'the fitted curves do not meet below 1,600,000 examples',
    },
  });
  assert.equal(why.numbers[0], 'no crossover: the fitted curves do not meet below 1,600,000 examples');
  // with the verdict's crossover check, the line is the claim the verdict allows, not the fit's reach
  const limited = 'no crossover within the measured sizes; nothing is claimed beyond 10× the largest';
  const claimed = e2eVerdict({
    ...sampleE2e(),
    crossover: {
      status: 'not-expected',
      size: null,
      low: null,
      high: null,
      detail: 'the fitted curves do not meet below 1,600,000 examples',
    },
    verdict: {
      ...sampleE2e().verdict,
      reasons: [{ check: 'crossover', value: null, passed: false, gate: false, detail: limited }],
    },
  });
  assert.equal(claimed.numbers[0], `crossover: ${limited}`);
});

test("the report shows each verdict's outcome, interval, reasons and next steps", () => {
  const html = renderHtml({
    title: 't',
    meta: [],
    verdicts: [transferVerdict(sampleTransfer())],
    sections: [],
    config: {},
  });
  assert.match(html, /data-outcome="helps"/);
  assert.match(html, /outcome: <b>helps<\/b>/);
  assert.match(
    html,
    /effect: \+2\.00 points \[\+0\.50, \+3\.50\] \(the sample effect; 95% t interval over 3 seeds, paired by seed\)/,
  );
  assert.match(html, /<ul class="reasons"><li>ok converged = 0: all 3 runs converged<\/li><\/ul>/);
  assert.match(html, /<ul class="next"><li>next: more seeds<\/li><\/ul>/);
});
