/**
 * Dense linear algebra in float64 for small matrices (a few tasks, a few hundred feature
 * dimensions): dot products, matrix–vector products, Jacobi eigendecomposition and Gaussian
 * elimination. Used by the gradient methods of multitask/ and the transferability scores and
 * regularisers of transfer/. Square matrices are row-major arrays of n×n numbers.
 */
import { ShapeError } from './errors.js';

/** The n of an n×n row-major matrix. */
export function orderOf(where: string, m: ArrayLike<number>): number {
  const n = Math.round(Math.sqrt(m.length));
  if (n * n !== m.length) throw new ShapeError(where, `expected a square matrix, got ${m.length} entries`);
  return n;
}

/** m·x for an n×n matrix. */
export function matVec(m: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += m[i * n + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * a·b in float64, over four running sums: one sum is a chain of dependent additions that runs at a
 * quarter of the speed, and some callers pass vectors as long as a network's shared parameters.
 */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const len = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[k]! * b[k]!;
    s1 += a[k + 1]! * b[k + 1]!;
    s2 += a[k + 2]! * b[k + 2]!;
    s3 += a[k + 3]! * b[k + 3]!;
  }
  for (; k < len; k++) s0 += a[k]! * b[k]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Eigendecomposition of a symmetric matrix by the cyclic Jacobi method: plane rotations zero the
 * off-diagonal entries one at a time until they are negligible. Returns the eigenvalues in ascending
 * order and the matching unit eigenvectors as the columns of `vectors` (row-major n×n).
 *
 * @example
 * const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2)); // values [1, 3]
 */
export function symmetricEigen(m: ArrayLike<number>): { values: Float64Array; vectors: Float64Array } {
  const n = orderOf('symmetricEigen', m);
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const total = dot(a, a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        // the rotation angle that zeroes a[p][q], in the stable form t = tan θ with |θ| ≤ π/4
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i]! - a[j * n + j]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors };
}

/**
 * Solves A·x = b by Gaussian elimination with partial pivoting; null when A is singular (a pivot
 * below 1e-12 of the largest entry).
 *
 * @example
 * solveLinear(Float64Array.of(2, 0, 0, 4), Float64Array.of(2, 2)); // [1, 0.5]
 */
export function solveLinear(matrix: ArrayLike<number>, rhs: ArrayLike<number>): Float64Array | null {
  const n = orderOf('solveLinear', matrix);
  if (rhs.length !== n)
    throw new ShapeError('solveLinear', `a ${n}×${n} matrix with a right-hand side of ${rhs.length}`);
  const a = Float64Array.from(matrix);
  const b = Float64Array.from(rhs);
  const scale = Math.max(0, ...a.map(Math.abs));
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[piv * n + col]!)) piv = r;
    if (!(Math.abs(a[piv * n + col]!) > 1e-12 * scale)) return null;
    if (piv !== col) {
      for (let k = 0; k < n; k++) [a[col * n + k], a[piv * n + k]] = [a[piv * n + k]!, a[col * n + k]!];
      [b[col], b[piv]] = [b[piv]!, b[col]!];
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col]! / a[col * n + col]!;
      if (f === 0) continue;
      for (let k = col; k < n; k++) a[r * n + k]! -= f * a[col * n + k]!;
      b[r]! -= f * b[col]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r * n + k]! * x[k]!;
    x[r] = s / a[r * n + r]!;
  }
  return x;
}
