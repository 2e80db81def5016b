/** IMTL-G: the combined gradient projects equally onto every unit task gradient. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMTLG, imtlWeights } from '../../../src/multitask/weighting/index.js';
import { assertAllClose, combination, gramOf, linearTasks, randomVectors } from './helpers.js';

test('equal projections on each unit task gradient, weights summing to 1', () => {
  for (const seed of [1, 2, 3]) {
    for (const n of [2, 3, 4]) {
      const gs = randomVectors(seed * 10 + n, n, 6).map((g, i) => g.map((v) => v * (i + 1)));
      const alpha = imtlWeights(gramOf(gs));
      const g = combination(gs, alpha);
      const projections = gs.map((gi) => gi.reduce((s, v, k) => s + v * g[k]!, 0) / Math.hypot(...gi));
      assertAllClose(
        projections,
        projections.map(() => projections[0]!),
        `seed ${seed}, ${n} tasks`,
        1e-9,
        1e-12,
      );
      assert.ok(Math.abs(alpha.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
  }
});

test('the doc example through the method: g₁=(1,0), g₂=(0,2) → (⅔, ⅔)', () => {
  const lt = linearTasks([
    [1, 0],
    [0, 2],
  ]);
  const { weights } = new IMTLG(lt.tasks).backward(lt.ctx());
  assertAllClose([weights['t0']!, weights['t1']!], [2 / 3, 1 / 3], 'α', 1e-12, 1e-12);
  assertAllClose(lt.theta.grad!.data, [2 / 3, 2 / 3], 'θ.grad', 1e-6, 1e-7);
});

test('parallel gradients (no unique answer): equal weights', () => {
  assertAllClose(
    imtlWeights(
      gramOf([
        [1, 2],
        [2, 4],
      ]),
    ),
    [0.5, 0.5],
    'weights',
    1e-12,
    1e-12,
  );
});
