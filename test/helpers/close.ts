/**
 * Elementwise closeness with a readable failure: |actual − expected| <= atol + rtol·|expected|
 * (numpy's allclose), shapes compared first.
 *
 * @example
 * assertClose(y, { shape: [2], data: [1, 2] }, { rtol: 1e-5, atol: 1e-6 }, 'relu output');
 */
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/index.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface Expected {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** Throws naming `what`, the first few offending elements and the worst error. */
export function assertClose(actual: Tensor | Expected, expected: Expected, tol: Tolerance, what: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  const a = actual.data;
  const e = expected.data;
  assert.equal(a.length, e.length, `${what}: element count`);
  const bad: string[] = [];
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs(a[i]! - e[i]!);
    const limit = tol.atol + tol.rtol * Math.abs(e[i]!);
    if (!(diff <= limit)) {
      worst = Math.max(worst, diff);
      if (bad.length < 6) bad.push(`[${i}] ${a[i]} vs ${e[i]}`);
    }
  }
  if (bad.length > 0) {
    assert.fail(
      `${what}: not within rtol ${tol.rtol}, atol ${tol.atol} (worst |diff| ${worst.toExponential(2)}): ${bad.join(', ')}`,
    );
  }
}
