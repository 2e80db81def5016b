/** Aligned-MTL: the aligned gradients are orthogonal with equal norms σ_min (ĜᵀĜ = λ_min·I). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlignedMTL, alignedMatrix, alignedWeights } from '../../../src/multitask/weighting/index.js';
import { symmetricEigen } from '../../../src/core/linalg.js';
import { assertAllClose, combination, gramOf, linearTasks, randomVectors } from './helpers.js';

/** The columns of G·B: aligned gradient j is Σᵢ B[i][j]·gᵢ. */
function alignedGradients(gs: number[][], b: Float64Array): number[][] {
  const n = gs.length;
  return gs.map((_, j) =>
    combination(
      gs,
      gs.map((__, i) => b[i * n + j]!),
    ),
  );
}

test('every singular value of the aligned gradient matrix equals the smallest of the original', () => {
  for (const seed of [1, 2, 3]) {
    const gs = randomVectors(seed, 3, 6).map((g, i) => g.map((v) => v * (1 + 3 * i)));
    const gram = gramOf(gs);
    const lambdaMin = symmetricEigen(gram).values[0]!;
    const aligned = gramOf(alignedGradients(gs, alignedMatrix(gram)));
    assertAllClose(
      aligned,
      [lambdaMin, 0, 0, 0, lambdaMin, 0, 0, 0, lambdaMin],
      `seed ${seed}: ĜᵀĜ = λ_min·I`,
      1e-8,
      1e-10 * lambdaMin,
    );
  }
});

test('the update is the mean of the aligned gradients, through the method', () => {
  const gs = [
    [2, 0, 1],
    [-1, 1, 0],
    [0, 0.5, 3],
  ];
  const lt = linearTasks(gs);
  const { weights } = new AlignedMTL(lt.tasks).backward(lt.ctx());
  const aligned = alignedGradients(gs, alignedMatrix(gramOf(gs)));
  const mean = combination(aligned, [1 / 3, 1 / 3, 1 / 3]);
  assertAllClose(lt.theta.grad!.data, mean, 'θ.grad', 1e-5, 1e-6);
  assertAllClose(Object.values(weights), alignedWeights(gramOf(gs)), 'weights', 1e-12, 1e-12);
});

test('linearly dependent gradients: aligned on their span, σ_min the smallest non-zero one', () => {
  const gs = [
    [1, 0, 0],
    [0, 2, 0],
    [1, 2, 0],
  ];
  const gram = gramOf(gs);
  const { values } = symmetricEigen(gram);
  const lambdaMin = values.find((v) => v > 1e-9)!;
  const aligned = gramOf(alignedGradients(gs, alignedMatrix(gram)));
  // ĜᵀĜ = λ_min·P, P the projector onto the span of the non-zero eigenvectors: its eigenvalues are λ_min (twice) and 0
  const ev = symmetricEigen(aligned).values;
  assertAllClose(ev, [0, lambdaMin, lambdaMin], 'eigenvalues of ĜᵀĜ', 1e-8, 1e-9);
  assert.ok(alignedWeights(gram).every(Number.isFinite));
});
