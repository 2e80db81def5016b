/** MGDA returns the minimum-norm point of the convex hull of the task gradients. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MGDA, mgdaWeights } from '../../../src/multitask/weighting/index.js';
import { grad } from '../../../src/tensor/index.js';
import { assertAllClose, combination, gramOf, linearTasks, makeToy, randomVectors } from './helpers.js';

test('over the parameters: the min-norm point of known gradient sets', () => {
  // g1 = (1,0), g2 = (0,2): ‖a·g1 + (1−a)·g2‖² = a² + 4(1−a)² is least at a = 0.8 → (0.8, 0.4)
  const lt = linearTasks([
    [1, 0],
    [0, 2],
  ]);
  const { weights } = new MGDA(lt.tasks, { space: 'parameters' }).backward(lt.ctx());
  assertAllClose(lt.theta.grad!.data, [0.8, 0.4], 'θ.grad', 1e-6, 1e-7);
  assertAllClose([weights['t0']!, weights['t1']!], [0.8, 0.2], 'α', 1e-9, 1e-9);
  // one gradient inside the others' cone: the hull's nearest point is a vertex
  const v = linearTasks([
    [1, 1],
    [3, 4],
    [4, 3],
  ]);
  new MGDA(v.tasks, { space: 'parameters' }).backward(v.ctx());
  assertAllClose(v.theta.grad!.data, [1, 1], 'vertex', 1e-6, 1e-7);
});

test('opposite gradients (Pareto-stationary): a zero update', () => {
  const lt = linearTasks([
    [1, 2],
    [-2, -4],
  ]);
  new MGDA(lt.tasks, { space: 'parameters' }).backward(lt.ctx());
  assertAllClose(lt.theta.grad!.data, [0, 0], 'θ.grad', 0, 1e-6);
});

test('the result is the min-norm point: no point of a fine grid over the hull is shorter', () => {
  for (const seed of [1, 2, 3]) {
    const gs = randomVectors(seed, 3, 4);
    const alpha = mgdaWeights(gramOf(gs));
    const norm = (w: number[]): number => Math.hypot(...combination(gs, w));
    let best = Infinity;
    for (let i = 0; i <= 300; i++)
      for (let j = 0; i + j <= 300; j++) best = Math.min(best, norm([i / 300, j / 300, (300 - i - j) / 300]));
    const found = norm(Array.from(alpha));
    assert.ok(found <= best + 1e-12 && found > best - 1e-2, `seed ${seed}: ${found} vs grid ${best}`);
  }
});

test("normalize 'l2' solves on unit gradients and reports weights for the raw ones", () => {
  // unit gradients (1,0), (0,1) → α = (½, ½); on the raw g1 = (1,0), g2 = (0,2): (½, ¼) → (½, ½)
  const lt = linearTasks(
    [
      [1, 0],
      [0, 2],
    ],
    [1, 3],
  );
  const { weights } = new MGDA(lt.tasks, { space: 'parameters', normalize: 'l2' }).backward(lt.ctx());
  assertAllClose([weights['t0']!, weights['t1']!], [0.5, 0.25], 'weights', 1e-9, 1e-9);
  // 'loss': gradients divided by their losses 1 and 3 → (1,0), (0,⅔): a = (4/9)/(1 + 4/9) on the first
  const l = linearTasks(
    [
      [1, 0],
      [0, 2],
    ],
    [1, 3],
  );
  const w = new MGDA(l.tasks, { space: 'parameters', normalize: 'loss' }).backward(l.ctx()).weights;
  assertAllClose([w['t0']!, w['t1']!], [4 / 13, 9 / 13 / 3], "'loss'", 1e-9, 1e-9);
  assert.throws(() => new MGDA(['a'], { normalize: 'max' as never }), /normalize must be/);
});

test('MGDA-UB: weights are the min-norm point of the gradients w.r.t. the representation', () => {
  const tasks = ['a', 'b', 'c'];
  const toy = makeToy(tasks, 4);
  const ctx = toy.ctx();
  const zGrads = tasks.map((t) =>
    Array.from(grad([ctx.taskLosses[t]!], [ctx.representation!], { retainGraph: true })[0]!.data),
  );
  const expected = mgdaWeights(gramOf(zGrads));
  toy.zeroGrad();
  const { weights } = new MGDA(tasks).backward(toy.ctx());
  assertAllClose(
    tasks.map((t) => weights[t]!),
    expected,
    'α',
    1e-6,
    1e-8,
  );
});
