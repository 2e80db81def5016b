/**
 * The statistics over seeds: mean, sample sd (n − 1), quantiles, and the Student t interval
 * checked against tabulated quantiles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, meanDefined, meanSd, quantile, sampleSd, tCdf, tInterval, tQuantile } from '../../src/study/index.js';

const close = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);

test('mean, sample sd (n − 1), NaN-free mean and meanSd', () => {
  assert.equal(mean([1, 2, 3]), 2);
  assert.equal(sampleSd([1, 2, 3]), 1);
  assert.equal(sampleSd([5]), 0);
  close(sampleSd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-15, 'sd');
  assert.equal(meanDefined([1, NaN, 3]), 2);
  assert.ok(Number.isNaN(meanDefined([NaN])));
  assert.deepEqual(meanSd([1, 2, 3]), { mean: 2, sd: 1 });
  assert.deepEqual(meanSd([0.5]), { mean: 0.5, sd: 0 });
  assert.throws(() => meanSd([]), /no values/);
});

test('quantiles interpolate linearly between order statistics', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([3, 1, 2], 0), 1);
  assert.equal(quantile([1, 2, Infinity], 0.975), Infinity);
});

test('t quantiles match the tables', () => {
  const table: [number, number, number][] = [
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.975, 3, 3.182],
    [0.975, 4, 2.776],
    [0.975, 9, 2.262],
    [0.975, 30, 2.042],
    [0.95, 2, 2.92],
    [0.95, 10, 1.812],
    [0.995, 5, 4.032],
    [0.975, 1000, 1.962],
  ];
  for (const [p, df, t] of table) close(tQuantile(p, df), t, 1e-3, `t_{${p},${df}}`);
  close(tQuantile(0.025, 4), -2.776, 1e-3, 'lower tail');
  assert.equal(tQuantile(0.5, 3), 0);
  close(tCdf(0, 7), 0.5, 1e-15, 'cdf at 0');
  close(tCdf(1, 1), 0.75, 1e-12, 'Cauchy at 1');
  assert.throws(() => tQuantile(1, 3), /strictly between 0 and 1/);
  assert.throws(() => tQuantile(0.9, 2.5), /positive integer/);
});

test('the t interval of a mean over seeds', () => {
  const i = tInterval([1, 2, 3]);
  assert.equal(i.mean, 2);
  assert.equal(i.n, 3);
  close(i.low, 2 - 4.302653 / Math.sqrt(3), 1e-5, 'low');
  close(i.high, 2 + 4.302653 / Math.sqrt(3), 1e-5, 'high');
  const one = tInterval([0.7]);
  assert.deepEqual([one.low, one.high], [-Infinity, Infinity]);
  close(tInterval([1, 2, 3, 4, 5], 0.9).high - 3, (2.132 * Math.sqrt(2.5)) / Math.sqrt(5), 1e-3, '90%');
});
