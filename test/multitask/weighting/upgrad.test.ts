/** UPGrad: the update conflicts with no task gradient, and is the mean when none conflict. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UPGrad, upgradWeights } from '../../../src/multitask/weighting/index.js';
import { assertAllClose, combination, gramOf, linearTasks, randomVectors } from './helpers.js';

test('non-negative inner product with every task gradient, on sets with conflicts', () => {
  let conflicted = 0;
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const gs = randomVectors(seed, 4, 3);
    if (gramOf(gs).some((v) => v < 0)) conflicted++;
    const d = combination(gs, upgradWeights(gramOf(gs)));
    for (const g of gs) assert.ok(g.reduce((s, v, k) => s + v * d[k]!, 0) >= -1e-10, `seed ${seed}`);
  }
  assert.ok(conflicted >= 4, 'the sets exercise conflicts');
});

test('two conflicting 2-D gradients: the mean of their projections onto the dual cone', () => {
  // g1 = (1,0) projects to (½,½) (⊥ g2), g2 = (−1,1) to (0,1) (⊥ g1): the mean is (¼, ¾)
  const lt = linearTasks([
    [1, 0],
    [-1, 1],
  ]);
  const { weights } = new UPGrad(lt.tasks).backward(lt.ctx());
  assertAllClose(lt.theta.grad!.data, [0.25, 0.75], 'θ.grad', 1e-6, 1e-7);
  assertAllClose([weights['t0']!, weights['t1']!], [1, 0.75], 'weights', 1e-9, 1e-9);
});

test('no conflict: the mean gradient', () => {
  const gs = [
    [1, 0.2],
    [0.3, 1],
    [1, 1],
  ];
  assertAllClose(upgradWeights(gramOf(gs)), [1 / 3, 1 / 3, 1 / 3], 'weights', 1e-12, 1e-12);
});
