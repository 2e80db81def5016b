/**
 * The source gate of a masked-language-model source (src/transfer/study/verdict.ts): masked-token
 * accuracy is held to always answering the most frequent word (plus MLM_ABOVE_FREQUENCY), not to
 * 1/vocabulary; and that word is found as counted here by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mostFrequentToken } from '../../src/transfer/study/mlm-source.js';
import { decideTransferVerdict, MLM_ABOVE_FREQUENCY } from '../../src/transfer/study/verdict.js';

const runs = [0, 1, 2].flatMap((seed) => [
  { strategy: 'scratch', budget: 5, seed, accuracy: 0.6 },
  { strategy: 'full', budget: 5, seed, accuracy: 0.7 },
]);

function gate(accuracy: number, baseline?: number): { passed: boolean; detail: string } {
  const v = decideTransferVerdict({
    runs,
    budgets: [5],
    sourceAccuracy: accuracy,
    sourceClasses: 2001,
    sourceCurves: { losses: null },
    smokeTest: false,
    sourceName: 'text',
    targetName: 'spam',
    ...(baseline === undefined
      ? {}
      : { sourceBaseline: { accuracy: baseline, what: 'always the most frequent word', margin: MLM_ABOVE_FREQUENCY } }),
  });
  return v.reasons.find((r) => r.check === 'source adequate')! as { passed: boolean; detail: string };
}

test('an MLM source must beat the most frequent word by 10 points, not 1/vocabulary by 20', () => {
  assert.equal(MLM_ABOVE_FREQUENCY, 0.1);
  // 16% against 6%: exactly 10 points above, enough
  const ok = gate(0.16, 0.06);
  assert.equal(ok.passed, true);
  assert.match(ok.detail, /16\.0% against always the most frequent word 6\.0% \(needs ≥ 10 points above\)/);
  assert.equal(gate(0.155, 0.06).passed, false);
  // the same 16% against chance 1/2001 with the classification bar (20 points): not enough
  const chance = gate(0.16);
  assert.equal(chance.passed, false);
  assert.match(chance.detail, /against chance 0\.0% \(needs ≥ 20 points above\)/);
  assert.equal(gate(0.25).passed, true);
});

test('the most frequent ordinary token: specials left out, ties to the smaller id', () => {
  // counts: 0 ×4 (pad), 1 ×3 (unk), 7 ×2, 5 ×2, 9 ×1
  const ids = Float32Array.of(0, 0, 0, 0, 1, 1, 1, 7, 5, 7, 5, 9);
  assert.equal(mostFrequentToken(ids, [0, 1]), 5);
  assert.equal(mostFrequentToken(ids, [0, 1, 5]), 7);
  assert.equal(mostFrequentToken(ids, [0]), 1);
  assert.throws(() => mostFrequentToken(Float32Array.of(0, 1), [0, 1]), /no ordinary token/);
});
