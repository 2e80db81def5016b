/**
 * The dense float64 linear algebra of core/linalg.ts against answers known by construction:
 * Jacobi eigenpairs reconstruct the matrix with orthonormal vectors, Gaussian elimination recovers
 * a chosen solution.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveLinear, symmetricEigen } from '../../src/core/linalg.js';
import { Rng } from '../../src/core/rng.js';

function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-10): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('symmetricEigen: M = VΛVᵀ with orthonormal V, ascending values, repeated eigenvalues too', () => {
  const rng = new Rng(4);
  const r = Float64Array.from({ length: 25 }, () => rng.uniform() * 2 - 1);
  const sym = Float64Array.from({ length: 25 }, (_, k) => r[k]! + r[(k % 5) * 5 + Math.floor(k / 5)]!);
  for (const m of [sym, Float64Array.of(2, 1, 1, 2), Float64Array.of(3, 0, 0, 0, 3, 0, 0, 0, 1), Float64Array.of(5)]) {
    const n = Math.round(Math.sqrt(m.length));
    const { values, vectors } = symmetricEigen(m);
    for (let i = 1; i < n; i++) assert.ok(values[i - 1]! <= values[i]!, 'ascending');
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rec = 0;
        let orth = 0;
        for (let k = 0; k < n; k++) {
          rec += vectors[i * n + k]! * values[k]! * vectors[j * n + k]!;
          orth += vectors[k * n + i]! * vectors[k * n + j]!;
        }
        assert.ok(Math.abs(rec - m[i * n + j]!) < 1e-10, `reconstruction [${i}][${j}]`);
        assert.ok(Math.abs(orth - (i === j ? 1 : 0)) < 1e-10, `orthonormal [${i}][${j}]`);
      }
    }
  }
  assertNear(symmetricEigen(Float64Array.of(2, 1, 1, 2)).values, [1, 3], 'doc example', 1e-12);
});

test('symmetricEigen rejects a matrix that is not square', () => {
  assert.throws(() => symmetricEigen(Float64Array.of(1, 2, 3)), /square/);
});

test('solveLinear solves, and returns null for a singular matrix', () => {
  const a = Float64Array.of(0, 2, 1, 1, 1, 1, 2, 0, 3);
  const x = [1, -2, 0.5];
  const b = Float64Array.from({ length: 3 }, (_, i) => x.reduce((s, xj, j) => s + a[i * 3 + j]! * xj, 0));
  assertNear(solveLinear(a, b)!, x, 'solution', 1e-12);
  assert.equal(solveLinear(Float64Array.of(1, 2, 2, 4), Float64Array.of(1, 1)), null);
});
