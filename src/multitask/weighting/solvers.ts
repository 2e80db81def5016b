/**
 * Small dense solvers in float64 for the T×T problems of gradient methods (T = number of tasks):
 * projection onto the simplex, projected gradient descent on the simplex (the min-norm point of a
 * convex hull, CAGrad's dual), a box-constrained QP (UPGrad), Jacobi eigendecomposition (Aligned-MTL),
 * Gaussian elimination (IMTL-G) and the Nash bargaining system Gα = 1/α (Nash-MTL). Square matrices
 * are row-major Float64Arrays.
 *
 * @example
 * const gram = Float64Array.of(1, -0.5, -0.5, 2);
 * minNormInHull(gram);       // α on the simplex minimising ‖α₁g₁ + α₂g₂‖²
 * symmetricEigen(gram);      // { values (ascending), vectors (columns) }
 */
import { ShapeError, ValueError } from '../../core/errors.js';

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

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** exp(vᵢ)/Σ exp(vⱼ), computed after subtracting the largest value so that exp stays finite. */
export function softmax(v: ArrayLike<number>): Float64Array {
  const top = Math.max(...Array.from(v));
  const e = Float64Array.from(v, (x) => Math.exp(x - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}

/** xᵀ·m·x. */
export function quadForm(m: ArrayLike<number>, x: ArrayLike<number>): number {
  return dot(x, matVec(m, x));
}

/**
 * The largest diagonal entry of a Gram matrix (its largest squared norm). Dividing by it makes the
 * solvers' tolerances relative: every method's weights are unchanged by scaling the Gram matrix.
 */
export function gramScale(gram: ArrayLike<number>): number {
  const n = orderOf('gramScale', gram);
  let s = 0;
  for (let i = 0; i < n; i++) s = Math.max(s, gram[i * n + i]!);
  return s;
}

/** gram / gramScale(gram) (the input when its scale is 0). */
export function normalizedGram(gram: ArrayLike<number>): Float64Array {
  const s = gramScale(gram);
  return Float64Array.from(gram, (v) => (s > 0 ? v / s : v));
}

/**
 * Euclidean projection onto the probability simplex {x ≥ 0, Σx = 1}, by sorting (Held, Wolfe &
 * Crowder 1974; Duchi et al. 2008): x = max(v − θ, 0) with the θ that makes the sum 1.
 *
 * @example
 * projectOntoSimplex([0.5, 2]); // [0, 1]
 */
export function projectOntoSimplex(v: ArrayLike<number>): Float64Array {
  const u = Float64Array.from(v).sort().reverse();
  let cum = 0;
  let theta = 0;
  for (let k = 0; k < u.length; k++) {
    cum += u[k]!;
    const t = (cum - 1) / (k + 1);
    // the entries above θ form a prefix of the sorted values: the last k that qualifies sets θ
    if (u[k]! > t) theta = t;
  }
  return Float64Array.from(v, (x) => Math.max(x - theta, 0));
}

/** A differentiable convex function on the simplex. */
export interface SimplexObjective {
  value(x: Float64Array): number;
  gradient(x: Float64Array): Float64Array;
  /**
   * f(x + d) − f(x) − ∇f(x)·d, for functions where it has a form free of cancellation (dᵀGd for
   * xᵀGx). Near the optimum the difference of two values drowns in rounding long before the
   * gradient does; with this the iteration keeps converging. Computed from values when absent.
   */
  remainder?(x: Float64Array, d: Float64Array): number;
}

export interface SimplexSolveOptions {
  /** Stop when the Frank–Wolfe gap (an upper bound on f(x) − min f) is below this. Default 1e-13. */
  tol?: number;
  maxIter?: number;
  /** A first step size; the step then adapts by doubling and backtracking. Default 1. */
  step?: number;
}

/**
 * Minimises a convex function over the simplex by projected gradient descent with backtracking
 * (Beck & Teboulle's sufficient-decrease test), starting from uniform weights. The Frank–Wolfe gap
 * ∇f(x)·x − minᵢ ∇f(x)ᵢ bounds the distance to the optimum and is the stopping test.
 *
 * @example
 * minimizeOnSimplex({ value: (x) => quadForm(g, x), gradient: (x) => matVec(g, x).map((v) => 2 * v) }, 3);
 */
export function minimizeOnSimplex(f: SimplexObjective, n: number, opts: SimplexSolveOptions = {}): Float64Array {
  const tol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 5000;
  let step = opts.step ?? 1;
  let x: Float64Array = new Float64Array(n).fill(1 / n);
  // function values are needed only to measure the remainder when the objective has no formula for it
  let fx = f.remainder === undefined ? f.value(x) : NaN;
  for (let it = 0; it < maxIter; it++) {
    const g = f.gradient(x);
    if (dot(g, x) - Math.min(...g) <= tol) break;
    // let the step grow back after earlier backtracking, so flat stretches are crossed quickly
    step *= 2;
    let moved = false;
    while (step > 1e-30) {
      const y = projectOntoSimplex(x.map((xi, i) => xi - step * g[i]!));
      const d = y.map((yi, i) => yi - x[i]!);
      const fy = f.remainder === undefined ? f.value(y) : NaN;
      const remainder = f.remainder === undefined ? fy - fx - dot(g, d) : f.remainder(x, d);
      if (remainder <= dot(d, d) / (2 * step)) {
        moved = dot(d, d) > 0;
        x = y;
        fx = fy;
        break;
      }
      step /= 2;
    }
    if (!moved) break;
  }
  return x;
}

/**
 * The weights α on the simplex of the minimum-norm point Σαᵢgᵢ of the convex hull of vectors with
 * Gram matrix `gram` (Sener & Koltun 2018 solve the same problem by Frank–Wolfe).
 *
 * @example
 * minNormInHull(Float64Array.of(1, 0, 0, 4)); // [0.8, 0.2]: the point (0.8, 0.4) for g₁=(1,0), g₂=(0,2)
 */
export function minNormInHull(gram: ArrayLike<number>): Float64Array {
  const n = orderOf('minNormInHull', gram);
  const g = normalizedGram(gram);
  // ‖Σαg‖² has gradient 2Gα, whose Lipschitz constant is at most 2·trace(G)
  let trace = 0;
  for (let i = 0; i < n; i++) trace += g[i * n + i]!;
  if (trace === 0) return new Float64Array(n).fill(1 / n);
  return minimizeOnSimplex({
    value: (a) => quadForm(g, a),
    gradient: (a) => matVec(g, a).map((v) => 2 * v),
    remainder: (_, d) => quadForm(g, d),
  }, n, { step: 1 / (2 * trace) });
}

/**
 * Minimises ½xᵀQx + cᵀx subject to x ≥ lower, for a positive semi-definite Q with a positive
 * diagonal, by cyclic coordinate descent: each coordinate's one-dimensional problem is solved exactly
 * and clipped to its bound (convergent for such problems; Luo & Tseng 1992).
 *
 * @example
 * boxQP(Float64Array.of(2, 0, 0, 2), Float64Array.of(-2, 2), Float64Array.of(0, 0)); // [1, 0]
 */
export function boxQP(q: ArrayLike<number>, c: ArrayLike<number>, lower: ArrayLike<number>, opts: { tol?: number; maxSweeps?: number } = {}): Float64Array {
  const n = orderOf('boxQP', q);
  const tol = opts.tol ?? 1e-13;
  const maxSweeps = opts.maxSweeps ?? 10000;
  for (let i = 0; i < n; i++) {
    if (!(q[i * n + i]! > 0)) throw new ValueError('boxQP', `the diagonal must be positive, Q[${i}][${i}] = ${q[i * n + i]}`);
  }
  const x = Float64Array.from(lower);
  // r = Qx + c, kept up to date as coordinates move
  const r = matVec(q, x).map((v, i) => v + c[i]!);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let change = 0;
    for (let k = 0; k < n; k++) {
      const next = Math.max(lower[k]!, x[k]! - r[k]! / q[k * n + k]!);
      const d = next - x[k]!;
      if (d === 0) continue;
      x[k] = next;
      for (let i = 0; i < n; i++) r[i]! += q[i * n + k]! * d;
      change = Math.max(change, Math.abs(d));
    }
    if (change <= tol * (1 + Math.max(...x.map(Math.abs)))) break;
  }
  return x;
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
  if (rhs.length !== n) throw new ShapeError('solveLinear', `a ${n}×${n} matrix with a right-hand side of ${rhs.length}`);
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

/**
 * The positive solution of Gα = 1/α (elementwise) for a Gram matrix G: the Nash bargaining
 * weights of Navon et al. 2022. α is the minimiser of the strictly convex F(α) = ½αᵀGα − Σ log αᵢ,
 * whose gradient is Gα − 1/α; F is self-concordant, so damped Newton steps (Hessian G + diag(1/α²))
 * converge to it from any positive start, quadratically in the end. When no solution exists
 * (a non-negative combination of the gradients is zero: a Pareto-stationary point) α grows along
 * that combination and the iteration stops at `maxIter`, giving a small update.
 *
 * @example
 * nashBargaining(Float64Array.of(4, 0, 0, 1)); // [0.5, 1]: 4·0.5 = 1/0.5, 1·1 = 1/1
 */
export function nashBargaining(gram: ArrayLike<number>, start?: ArrayLike<number>, opts: { tol?: number; maxIter?: number } = {}): Float64Array {
  const n = orderOf('nashBargaining', gram);
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 100;
  const s = gramScale(gram);
  if (!(s > 0)) throw new ValueError('nashBargaining', 'the Gram matrix is zero: no gradient to bargain over');
  // solve for G/s; α for G is then α_s/√s (G/s·α_s = 1/α_s ⇔ G·(α_s/√s) = √s/α_s)
  const g = Float64Array.from(gram, (v) => v / s);
  let alpha = start === undefined || !Array.from(start).every((v) => v > 0 && Number.isFinite(v))
    ? new Float64Array(n).fill(1)
    : Float64Array.from(start, (v) => v * Math.sqrt(s));
  for (let it = 0; it < maxIter; it++) {
    const ga = matVec(g, alpha);
    const r = ga.map((v, i) => v - 1 / alpha[i]!);
    if (Math.max(...r.map((v, i) => Math.abs(v) * alpha[i]!)) <= tol) break;
    const h = Float64Array.from(g);
    for (let i = 0; i < n; i++) h[i * n + i]! += 1 / alpha[i]! ** 2;
    const delta = solveLinear(h, r.map((v) => -v));
    if (delta === null) break;
    // damped Newton for a self-concordant function (Nesterov & Nemirovski): with the Newton decrement
    // λ = √(ΔᵀHΔ), the step Δ/(1+λ) stays in the domain and decreases F; once λ < ¼ full steps
    // converge quadratically. No function values are compared, so rounding cannot stall it.
    const decrement = Math.sqrt(Math.max(-dot(r, delta), 0));
    let t = decrement < 0.25 ? 1 : 1 / (1 + decrement);
    // positivity holds in exact arithmetic; this guards rounding only
    while (alpha.some((a, i) => a + t * delta[i]! <= 0)) t /= 2;
    alpha = alpha.map((a, i) => a + t * delta[i]!);
  }
  return alpha.map((a) => a / Math.sqrt(s));
}
