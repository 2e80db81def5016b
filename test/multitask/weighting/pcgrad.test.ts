/** PCGrad removes exactly the conflicting component, and leaves agreeing gradients alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PCGrad, pcgradWeights } from '../../../src/multitask/weighting/index.js';
import { manualSeed } from '../../../src/core/rng.js';
import { assertAllClose, combination, gramOf, linearTasks } from './helpers.js';

test('two conflicting 2-D gradients: each loses its component along the other, and the sum is returned', () => {
  // g1 = (1, 0), g2 = (−1, 1): g1·g2 = −1 < 0
  // g1 − (g1·g2/‖g2‖²)g2 = (1, 0) + ½(−1, 1) = (½, ½);  g2 − (g2·g1/‖g1‖²)g1 = (−1, 1) + (1, 0) = (0, 1)
  const lt = linearTasks([
    [1, 0],
    [-1, 1],
  ]);
  const { weights } = new PCGrad(lt.tasks).backward(lt.ctx());
  assertAllClose(lt.theta.grad!.data, [0.5, 1.5], 'θ.grad', 1e-6, 1e-7);
  assertAllClose([weights['t0']!, weights['t1']!], [2, 1.5], 'weights: (½,½) + (0,1) = 2·g1 + 1.5·g2', 1e-12, 1e-12);
  // the projected vectors are orthogonal to the gradient they conflicted with
  assert.equal(
    combination(
      [
        [1, 0],
        [-1, 1],
      ],
      [1, 0.5],
    ).reduce((s, v, k) => s + v * [-1, 1][k]!, 0),
    0,
  );
});

test('gradients that do not conflict are summed unchanged', () => {
  const lt = linearTasks([
    [1, 0.5],
    [0.2, 1],
    [0, 0.3],
  ]);
  new PCGrad(lt.tasks).backward(lt.ctx());
  assertAllClose(lt.theta.grad!.data, [1.2, 1.8], 'plain sum', 1e-6, 1e-7);
});

test('three tasks with a fixed order: sequential projections computed by hand', () => {
  const gs = [
    [1, 0],
    [-1, 1],
    [0, -1],
  ];
  // task 0 against 1 then 2: (1,0)→(½,½) [conflicts with (−1,1)], then (½,½)·(0,−1) = −½ < 0 → (½,0)
  // task 1 against 0 then 2: (−1,1)→(0,1), then (0,1)·(0,−1) = −1 → (0,0)
  // task 2 against 0 then 1: (0,−1)·(1,0) = 0, no change; (0,−1)·(−1,1) = −1 → (0,−1) + ½(−1,1) = (−½,−½)
  const w = pcgradWeights(gramOf(gs), (i, n) => [...Array(n).keys()].filter((j) => j !== i));
  assertAllClose(combination(gs, w), [0, -0.5], 'sum of projections', 1e-12, 1e-12);
});

test('the projection order is drawn from the seeded rng', () => {
  const gs = [
    [1, 0.1],
    [-1, 1],
    [0.2, -1],
  ];
  const run = (): number[] => {
    manualSeed(3);
    const lt = linearTasks(gs);
    const m = new PCGrad(lt.tasks);
    return [0, 1, 2].flatMap(() => Object.values(m.backward(lt.ctx()).weights));
  };
  assert.deepEqual(run(), run());
});
