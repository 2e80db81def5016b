/**
 * The linear algebra of gradient methods (gradients.ts) against plain float64 loops: Gram matrices
 * and combinations over lengths around the unrolled loops' width, and writing a flat vector back
 * into `.grad`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accumulateGrad, combine, flatten, gramMatrix } from '../../../src/multitask/weighting/index.js';
import { Parameter } from '../../../src/nn/index.js';
import { randn, tensor } from '../../../src/tensor/index.js';
import { manualSeed } from '../../../src/core/rng.js';
import { assertAllClose } from './helpers.js';

function vectors(count: number, length: number): Float32Array[] {
  return Array.from({ length: count }, () => randn([length]).data as Float32Array);
}

test('gramMatrix is vᵢ·vⱼ in float64 for every length, including the tails of the unrolled loop', () => {
  manualSeed(0);
  for (const length of [0, 1, 2, 3, 4, 5, 7, 8, 9, 1001]) {
    const v = vectors(3, length);
    const g = gramMatrix(v);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < length; k++) s += v[i]![k]! * v[j]![k]!;
        assert.ok(
          Math.abs(g[i * 3 + j]! - s) <= 1e-12 * Math.max(1, Math.abs(s)),
          `length ${length}, G[${i}][${j}] = ${g[i * 3 + j]}, expected ${s}`,
        );
      }
    }
  }
});

test('combine is Σ wᵢvᵢ rounded once to float32; zero weights, leading ones included, add nothing', () => {
  manualSeed(1);
  const v = vectors(3, 11);
  for (const w of [
    [0.5, -2, 3],
    [0, 1.5, -1],
    [0, 0, 2],
    [0, 0, 0],
  ]) {
    const expected = Float32Array.from({ length: 11 }, (_, k) => w.reduce((s, wi, i) => s + wi * v[i]![k]!, 0));
    assert.deepEqual(combine(v, w), expected, `weights ${w}`);
  }
  assert.throws(() => combine(v, [1, 2]), /3 vectors but 2 weights/);
});

test('accumulateGrad adds slices of the vector to .grad, starting one where there is none', () => {
  const a = new Parameter(
    tensor([
      [1, 2],
      [3, 4],
    ]),
  );
  const b = new Parameter(tensor([5]));
  b.grad = tensor([10]);
  const held = b.grad;
  const flat = Float32Array.of(1, 2, 3, 4, 5);
  accumulateGrad([a, b], flat);
  assert.deepEqual(a.grad!.shape, [2, 2]);
  assertAllClose(a.grad!.data, [1, 2, 3, 4], 'a.grad', 0, 0);
  assertAllClose(b.grad!.data, [15], 'b.grad', 0, 0);
  assert.deepEqual(Array.from(held.data), [10], 'the earlier gradient is replaced, not written');
  assert.deepEqual(flatten([a.grad!, b.grad!]), Float32Array.of(1, 2, 3, 4, 15));
  assert.throws(() => accumulateGrad([a, b], new Float32Array(4)), /hold 5 values, the vector 4/);
});
