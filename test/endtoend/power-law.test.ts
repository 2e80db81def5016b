import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapPowerLaw,
  checkExtrapolation,
  fitPowerLaw,
  pointSigmas,
  powerLaw,
  powerLawBand,
  type PowerLaw,
} from '../../src/endtoend/index.js';
import { noisyCurve, SIZES } from './synthetic.js';

const TRUTH: PowerLaw = { a: 2, b: -0.5, c: 0.1 };

test('the fit recovers known a, b, c from a noisy curve', () => {
  for (const seed of [0, 1, 2]) {
    const fit = fitPowerLaw(noisyCurve(TRUTH, SIZES, { seeds: 5, noise: 0.003, seed }));
    assert.equal(fit.status, 'ok');
    if (fit.status !== 'ok') return;
    assert.ok(Math.abs(fit.b - TRUTH.b) < 0.08, `b ${fit.b}`);
    assert.ok(Math.abs(fit.a / TRUTH.a - 1) < 0.35, `a ${fit.a}`);
    assert.ok(Math.abs(fit.c - TRUTH.c) < 0.01, `c ${fit.c}`);
    assert.equal(fit.dof, SIZES.length - 3);
  }
});

test('noise-free points, one value per size, are fitted exactly (unweighted)', () => {
  const law: PowerLaw = { a: 0.8, b: -0.3, c: 0.02 };
  const fit = fitPowerLaw(SIZES.map((size) => ({ size, values: [powerLaw(law, size)] })));
  assert.equal(fit.status, 'ok');
  if (fit.status !== 'ok') return;
  assert.ok(
    Math.abs(fit.a - law.a) < 1e-3 && Math.abs(fit.b - law.b) < 1e-3 && Math.abs(fit.c - law.c) < 1e-3,
    JSON.stringify(fit),
  );
  assert.deepEqual(
    pointSigmas([
      { size: 1, values: [1] },
      { size: 2, values: [1, 2] },
    ]),
    [1, 1],
  );
});

test('fitted without the largest size, the curve predicts it', () => {
  const points = noisyCurve(TRUTH, SIZES, { seeds: 5, noise: 0.003, seed: 4 });
  const check = checkExtrapolation(points, { replicates: 200, seed: 1 });
  assert.equal(check.status, 'ok');
  if (check.status !== 'ok') return;
  assert.equal(check.size, 3200);
  const truth = powerLaw(TRUTH, 3200);
  assert.ok(Math.abs(check.predicted - truth) < 0.01, `predicted ${check.predicted}, truth ${truth}`);
  assert.ok(Math.abs(check.relativeError) < 0.1);
  assert.equal(check.consistent, true);
  assert.ok(check.low <= check.predicted && check.predicted <= check.high);
});

test('the bootstrap band contains the true curve, inside and past the data', () => {
  let covered = 0;
  let total = 0;
  for (const seed of [10, 11, 12, 13, 14]) {
    const points = noisyCurve(TRUTH, SIZES, { seeds: 4, noise: 0.004, seed });
    const fit = fitPowerLaw(points);
    assert.equal(fit.status, 'ok');
    if (fit.status !== 'ok') return;
    const { params } = bootstrapPowerLaw(points, fit, { replicates: 300, seed });
    assert.ok(params.filter((p) => p !== null).length > 290, 'refits succeed');
    for (const b of powerLawBand(fit, params, [...SIZES, 6400, 12800])) {
      assert.ok(b.low <= b.fit && b.fit <= b.high, `band around the fit at ${b.size}`);
      total++;
      if (b.low <= powerLaw(TRUTH, b.size) && powerLaw(TRUTH, b.size) <= b.high) covered++;
    }
  }
  assert.ok(covered / total >= 0.85, `true curve inside the 95% band at ${covered} of ${total} points`);
});

test('bad fits are reported as such, not extrapolated', () => {
  const few = fitPowerLaw(noisyCurve(TRUTH, [100, 200, 400], { seeds: 3, noise: 0.003, seed: 0 }));
  assert.equal(few.status, 'too-few-points');
  assert.match('reason' in few ? few.reason : '', /at least 4 training sizes.*got 3/);

  const rising = fitPowerLaw(SIZES.map((size, i) => ({ size, values: [0.2 + 0.01 * i, 0.21 + 0.01 * i] })));
  assert.equal(rising.status, 'not-decreasing');
  assert.match('reason' in rising ? rising.reason : '', /does not fall/);

  // flat with noise: the small fall is within the noise of the two end points
  const flat = fitPowerLaw(noisyCurve({ a: 0, b: -0.5, c: 0.3 }, SIZES, { seeds: 3, noise: 0.01, seed: 7 }));
  assert.equal(flat.status, 'not-decreasing');

  const check = checkExtrapolation(noisyCurve(TRUTH, [100, 200, 400, 800], { seeds: 3, noise: 0.003, seed: 0 }), {
    replicates: 10,
    seed: 0,
  });
  assert.equal(check.status, 'skipped');
  assert.throws(() => fitPowerLaw([{ size: 0, values: [1] }]), /positive size/);
});
