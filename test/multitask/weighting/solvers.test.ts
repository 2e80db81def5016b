/**
 * The small solvers against answers known in closed form or by brute force: simplex projection,
 * the min-norm point of a convex hull, the box QP's optimality conditions and the Nash bargaining system Gα = 1/α.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  projectOntoSimplex,
  minNormInHull,
  boxQP,
  nashBargaining,
  softmax,
} from '../../../src/multitask/weighting/index.js';
import { assertAllClose, combination, gramOf, randomVectors } from './helpers.js';

test('projectOntoSimplex: hand-computed projections', () => {
  assertAllClose(projectOntoSimplex([0.5, 2]), [0, 1], 'clipped');
  assertAllClose(projectOntoSimplex([0.2, 0.3, 0.5]), [0.2, 0.3, 0.5], 'already on it');
  assertAllClose(projectOntoSimplex([1, 1]), [0.5, 0.5], 'shifted');
  assertAllClose(projectOntoSimplex([0.6, 0.6, -5]), [0.5, 0.5, 0], 'partly clipped');
  // the projection of v is the point x of the simplex with (v − x)·(y − x) ≤ 0 for every y on it: check at the vertices
  for (const v of randomVectors(1, 20, 4)) {
    const x = projectOntoSimplex(v.map((u) => 3 * u));
    assert.ok(Math.abs(x.reduce((a, b) => a + b, 0) - 1) < 1e-12 && x.every((u) => u >= 0));
    for (let k = 0; k < 4; k++) {
      const inner = v.reduce((s, u, i) => s + (3 * u - x[i]!) * ((i === k ? 1 : 0) - x[i]!), 0);
      assert.ok(inner <= 1e-12, `vertex ${k}: ${inner}`);
    }
  }
});

test('minNormInHull: the two-task closed form', () => {
  for (const [g1, g2] of [...Array(20).keys()].map((s) => randomVectors(100 + s, 2, 3))) {
    const diff = g1!.map((v, k) => v - g2![k]!);
    // min over a ∈ [0,1] of ‖a·g1 + (1−a)·g2‖²: a = (g2 − g1)·g2 / ‖g1 − g2‖², clipped
    const a = Math.min(
      1,
      Math.max(0, -diff.reduce((s, d, k) => s + d * g2![k]!, 0) / diff.reduce((s, d) => s + d * d, 0)),
    );
    assertAllClose(minNormInHull(gramOf([g1!, g2!])), [a, 1 - a], 'alpha', 1e-6, 1e-7);
  }
  assertAllClose(minNormInHull(Float64Array.of(1, 0, 0, 4)), [0.8, 0.2], 'doc example', 1e-9, 1e-9);
});

test('minNormInHull: three and four tasks against a brute-force grid over the simplex', () => {
  for (const seed of [7, 8, 9]) {
    for (const n of [3, 4]) {
      const gs = randomVectors(seed * 10 + n, n, 3);
      const gram = gramOf(gs);
      const alpha = minNormInHull(gram);
      const norm2 = (w: ArrayLike<number>): number => combination(gs, w).reduce((s, v) => s + v * v, 0);
      let best = Infinity;
      const steps = n === 3 ? 200 : 40;
      const visit = (prefix: number[], left: number): void => {
        if (prefix.length === n - 1) {
          best = Math.min(best, norm2([...prefix, left / steps]));
          return;
        }
        for (let k = 0; k <= left; k++) visit([...prefix, k / steps], left - k);
      };
      visit([], steps);
      assert.ok(Math.abs(alpha.reduce((a, b) => a + b, 0) - 1) < 1e-12 && alpha.every((v) => v >= 0));
      assert.ok(norm2(alpha) <= best + 1e-12, `seed ${seed}, ${n} tasks: solver ${norm2(alpha)} vs grid ${best}`);
      // and no vertex direction improves on it: the first-order optimality condition on the simplex
      const g = Array.from(
        { length: n },
        (_, i) => 2 * Array.from(alpha).reduce((s, a, j) => s + a * gram[i * n + j]!, 0),
      );
      const gap = g.reduce((s, gi, i) => s + gi * alpha[i]!, 0) - Math.min(...g);
      assert.ok(gap < 1e-9, `Frank–Wolfe gap ${gap}`);
    }
  }
});

test('boxQP satisfies the optimality conditions of min ½xᵀQx + cᵀx, x ≥ lower', () => {
  for (const seed of [1, 2, 3]) {
    const n = 4;
    const rows = randomVectors(seed, n, 6);
    const q = gramOf(rows);
    const c = Float64Array.from(randomVectors(seed + 50, 1, n)[0]!);
    const lower = Float64Array.of(0, 1, 0, -0.5);
    const x = boxQP(q, c, lower);
    for (let i = 0; i < n; i++) {
      const gi = Array.from(x).reduce((s, xj, j) => s + q[i * n + j]! * xj, 0) + c[i]!;
      assert.ok(x[i]! >= lower[i]! - 1e-12);
      // free coordinates have a zero gradient, those at their bound a non-negative one
      if (x[i]! > lower[i]! + 1e-9) assert.ok(Math.abs(gi) < 1e-7, `free ${i}: ${gi}`);
      else assert.ok(gi > -1e-7, `bound ${i}: ${gi}`);
    }
  }
  assertAllClose(
    boxQP(Float64Array.of(2, 0, 0, 2), Float64Array.of(-2, 2), Float64Array.of(0, 0)),
    [1, 0],
    'doc example',
  );
});

test('nashBargaining: Gα = 1/α with α > 0, from any start, at any scale', () => {
  assertAllClose(nashBargaining(Float64Array.of(4, 0, 0, 1)), [0.5, 1], 'doc example', 1e-10, 1e-12);
  for (const seed of [1, 2, 3, 4]) {
    for (const n of [2, 3, 5]) {
      const scale = 10 ** (seed - 3);
      const gram = gramOf(randomVectors(seed * 7 + n, n, 8).map((g) => g.map((v) => v * scale)));
      const alpha = nashBargaining(gram);
      assert.ok(alpha.every((a) => a > 0));
      for (let i = 0; i < n; i++) {
        const ga = Array.from(alpha).reduce((s, a, j) => s + gram[i * n + j]! * a, 0);
        assert.ok(Math.abs(ga * alpha[i]! - 1) < 1e-8, `seed ${seed}, n ${n}, task ${i}: (Gα)ᵢ·αᵢ = ${ga * alpha[i]!}`);
      }
      assertAllClose(
        nashBargaining(
          gram,
          alpha.map((a) => a * 3),
        ),
        alpha,
        'warm start',
        1e-8,
        0,
      );
    }
  }
});

test('softmax is shift-invariant and finite for large inputs', () => {
  assertAllClose(softmax([0, Math.log(3)]), [0.25, 0.75], 'two values', 1e-12, 1e-12);
  assertAllClose(softmax([1000, 1000 + Math.log(3)]), [0.25, 0.75], 'large values', 1e-12, 1e-12);
});
