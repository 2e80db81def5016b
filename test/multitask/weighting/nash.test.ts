/** Nash-MTL: the weights solve GᵀGα = 1/α, so task i improves by exactly 1/αᵢ. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NashMTL } from '../../../src/multitask/weighting/index.js';
import { assertAllClose, combination, linearTasks, randomVectors } from './helpers.js';

test("GᵀGα = 1/α: each gradient's inner product with the update is 1/αᵢ", () => {
  for (const seed of [1, 2, 3]) {
    // float32 values, so that the gradients the engine computes are exactly these
    const gs = randomVectors(seed, 3, 5).map((g, i) => g.map((v) => Math.fround(v * (i + 1))));
    const lt = linearTasks(gs);
    const nash = new NashMTL(lt.tasks);
    const alpha = Object.values(nash.backward(lt.ctx()).weights);
    assert.ok(alpha.every((a) => a > 0));
    const d = combination(gs, alpha);
    const improvement = gs.map((g) => g.reduce((s, v, k) => s + v * d[k]!, 0));
    assertAllClose(
      improvement,
      alpha.map((a) => 1 / a),
      `seed ${seed}`,
      1e-8,
      0,
    );
    assertAllClose(lt.theta.grad!.data, d, 'θ.grad', 1e-5, 1e-6);
    // the next step starts from this α and lands on the same solution
    assertAllClose(Object.values(nash.backward(lt.ctx()).weights), alpha, 'warm start', 1e-9, 0);
  }
});

test('orthogonal gradients: αᵢ = 1/‖gᵢ‖', () => {
  const lt = linearTasks([
    [2, 0],
    [0, 0.5],
  ]);
  assertAllClose(Object.values(new NashMTL(lt.tasks).backward(lt.ctx()).weights), [0.5, 2], 'α', 1e-10, 0);
});

test('opposite gradients (no bargaining solution): finite weights and an update near zero', () => {
  const lt = linearTasks([
    [1, 0],
    [-2, 0],
  ]);
  const alpha = Object.values(new NashMTL(lt.tasks).backward(lt.ctx()).weights);
  assert.ok(
    alpha.every((a) => a > 0 && Number.isFinite(a)),
    `${alpha}`,
  );
  assert.ok(Math.hypot(...lt.theta.grad!.data) < 1e-3, `update ${lt.theta.grad!.data}`);
});
