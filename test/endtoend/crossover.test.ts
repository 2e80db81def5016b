import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyseConstant,
  analyseCurve,
  dataVerdict,
  findCrossover,
  type CurvePoint,
} from '../../src/endtoend/index.js';
import { flatCurve, noisyCurve, SIZES } from './synthetic.js';

// end to end: 2·m^-0.5 + 0.05 meets a pipeline at 0.15 where 2·m^-0.5 = 0.1, i.e. at m = 400
const E2E = { a: 2, b: -0.5, c: 0.05 };
const boot = { replicates: 200, seed: 3 };

function curves(sizes: readonly number[], pipelineLevel: number, seed = 0) {
  const e2e = analyseCurve(noisyCurve(E2E, sizes, { seeds: 4, noise: 0.002, seed }), boot);
  const pipeline = analyseConstant(
    sizes,
    flatCurve(pipelineLevel, sizes, { seeds: 4, noise: 0.002, seed: seed + 1 })[0]!.values,
    'constant',
    boot,
  );
  return { e2e, pipeline };
}

test('a crossing inside the measured range is measured, by interpolation on the log-size axis', () => {
  const { e2e, pipeline } = curves([100, 200, 300, 500, 800, 1600], 0.15);
  const x = findCrossover(e2e.fitted, pipeline.fitted, { maxSize: 1e6 });
  assert.equal(x.status, 'measured');
  assert.ok(Math.abs(x.size! - 400) < 60, `size ${x.size}`);
  assert.ok(x.low! <= x.size! && x.size! <= x.high!, `interval ${x.low}–${x.high}`);
  assert.ok(x.low! > 250 && x.high! < 650, `interval ${x.low}–${x.high}`);
  assert.match(x.detail, /between the measured sizes 300 and 500/);
});

test('a crossing past the data is extrapolated from the fits, with an interval that holds the truth', () => {
  const { e2e, pipeline } = curves([20, 30, 50, 80, 120, 200], 0.15);
  const x = findCrossover(e2e.fitted, pipeline.fitted, { maxSize: 2e5 });
  assert.equal(x.status, 'extrapolated');
  assert.ok(Math.abs(x.size! / 400 - 1) < 0.25, `size ${x.size}`);
  assert.ok(x.low! <= 400 && 400 <= x.high!, `interval ${x.low}–${x.high}`);
});

test('no crossing when end to end levels off above the pipeline; none claimed from a bad fit', () => {
  const { e2e, pipeline } = curves(SIZES, 0.03);
  const never = findCrossover(e2e.fitted, pipeline.fitted, { maxSize: 3.2e6 });
  assert.equal(never.status, 'not-expected');
  assert.equal(never.size, null);
  assert.match(never.detail, /levels off at 0\.0\d+, not below the pipeline's 0\.0\d+/);

  const flat: CurvePoint[] = SIZES.map((size) => ({ size, values: [0.5, 0.51, 0.49] }));
  const unknown = findCrossover(analyseCurve(flat, boot).fitted, pipeline.fitted, { maxSize: 3.2e6 });
  assert.equal(unknown.status, 'unknown');
  assert.equal(unknown.size, null);
  assert.match(unknown.detail, /does not fall/);
});

test("the verdict answers for the user's amount of data", () => {
  const { e2e, pipeline } = curves([20, 30, 50, 80, 120, 200], 0.15);
  const crossover = findCrossover(e2e.fitted, pipeline.fitted, { maxSize: 2e5 });
  const few = dataVerdict({
    available: 100,
    metric: 'error rate',
    pipeline: 0.15,
    endToEnd: 0.25,
    endToEndSource: 'measured',
    hybrid: 0.12,
    crossover,
  });
  assert.match(few, /^With 100 \(x, y\) examples: pipeline 0\.150, end to end 0\.250, hybrid 0\.120 \(error rate\)\./);
  assert.match(
    few,
    /Not enough data for end to end: by the fitted curves, it matches the pipeline only from about \d+ examples \(95% interval \d+–\d+\), \d\.\d× what you have/,
  );
  assert.match(few, /hybrid .* is the best of the three/);
  const many = dataVerdict({
    available: 5000,
    metric: 'error rate',
    pipeline: 0.15,
    endToEnd: 0.08,
    endToEndSource: 'fitted',
    crossover,
  });
  assert.match(many, /end to end read off its fitted curve/);
  assert.match(many, /That is enough data for end to end/);
});

test('the curves must be measured at the same sizes, with paired bootstrap replicates', () => {
  const a = curves([20, 30, 50, 80], 0.15);
  const b = curves([20, 30, 50, 90], 0.15);
  assert.throws(() => findCrossover(a.e2e.fitted, b.pipeline.fitted, { maxSize: 1e4 }), /same sizes/);
});

test('a curve that fails to predict its own largest size is reported but not extrapolated', () => {
  // the shape a small network shows while it is still near chance: flat, then falling fast
  const plateau = [0.877, 0.865, 0.841, 0.83, 0.78, 0.654, 0.54];
  const points = SIZES.map((size, i) => ({ size, values: [plateau[i]! - 0.01, plateau[i]!, plateau[i]! + 0.01] }));
  const { report, fitted } = analyseCurve(points, boot);
  assert.equal(report.status, 'ok');
  assert.ok(report.status === 'ok' && report.check.status === 'ok' && !report.check.consistent, 'the check fails');
  assert.equal(fitted.law, null);
  const pipeline = analyseConstant(SIZES, [0.26, 0.27, 0.265], 'constant', boot);
  const x = findCrossover(fitted, pipeline.fitted, { maxSize: 1e7 });
  assert.equal(x.status, 'unknown');
  assert.match(x.detail, /predicted 0\.\d+ .* but 0\.540 was measured/);
});

test('one seed: a curve without redraws still gives its crossing, without an interval', () => {
  // one value a point and too few points for a fit's residuals: redrawCurve makes no redraws,
  // while the constant pipeline of one value gives its redraws (all its mean)
  const points: CurvePoint[] = [
    { size: 100, values: [0.4] },
    { size: 200, values: [0.3] },
    { size: 400, values: [0.1] },
  ];
  const e2e = analyseCurve(points, boot);
  assert.equal(e2e.fitted.replicates.length, 0);
  const pipeline = analyseConstant([100, 200, 400], [0.2], 'constant', boot);
  const x = findCrossover(e2e.fitted, pipeline.fitted, { maxSize: 1e6 });
  assert.equal(x.status, 'measured');
  assert.ok(x.size! > 200 && x.size! < 400, `size ${x.size}`);
  assert.equal(x.low, null);
  assert.equal(x.high, null);
});
