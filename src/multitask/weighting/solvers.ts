/**
 * Small dense solvers in float64 for the T×T problems of gradient methods (T = number of tasks):
 * projection onto the simplex, projected gradient descent on the simplex (the min-norm point of a
 * convex hull, CAGrad's dual), a box-constrained QP (UPGrad) and the Nash bargaining system
 * Gα = 1/α (Nash-MTL). Square matrices are row-major Float64Arrays; general linear algebra is in
 * core/linalg.ts.
 *
 * @example
 * const gram = Float64Array.of(1, -0.5, -0.5, 2);
 * minNormInHull(gram);       // α on the simplex minimising ‖α₁g₁ + α₂g₂‖²
 */
import { ValueError } from '../../core/errors.js';
import { dot, matVec, orderOf, solveLinear } from '../../core/linalg.js';

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
  return minimizeOnSimplex(
    {
      value: (a) => quadForm(g, a),
      gradient: (a) => matVec(g, a).map((v) => 2 * v),
      remainder: (_, d) => quadForm(g, d),
    },
    n,
    { step: 1 / (2 * trace) },
  );
}

/**
 * Minimises ½xᵀQx + cᵀx subject to x ≥ lower, for a positive semi-definite Q with a positive
 * diagonal, by cyclic coordinate descent: each coordinate's one-dimensional problem is solved exactly
 * and clipped to its bound (convergent for such problems; Luo & Tseng 1992).
 *
 * @example
 * boxQP(Float64Array.of(2, 0, 0, 2), Float64Array.of(-2, 2), Float64Array.of(0, 0)); // [1, 0]
 */
export function boxQP(
  q: ArrayLike<number>,
  c: ArrayLike<number>,
  lower: ArrayLike<number>,
  opts: { tol?: number; maxSweeps?: number } = {},
): Float64Array {
  const n = orderOf('boxQP', q);
  const tol = opts.tol ?? 1e-13;
  const maxSweeps = opts.maxSweeps ?? 10000;
  for (let i = 0; i < n; i++) {
    if (!(q[i * n + i]! > 0))
      throw new ValueError('boxQP', `the diagonal must be positive, Q[${i}][${i}] = ${q[i * n + i]}`);
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
export function nashBargaining(
  gram: ArrayLike<number>,
  start?: ArrayLike<number>,
  opts: { tol?: number; maxIter?: number } = {},
): Float64Array {
  const n = orderOf('nashBargaining', gram);
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 100;
  const s = gramScale(gram);
  if (!(s > 0)) throw new ValueError('nashBargaining', 'the Gram matrix is zero: no gradient to bargain over');
  // solve for G/s; α for G is then α_s/√s (G/s·α_s = 1/α_s ⇔ G·(α_s/√s) = √s/α_s)
  const g = Float64Array.from(gram, (v) => v / s);
  let alpha =
    start === undefined || !Array.from(start).every((v) => v > 0 && Number.isFinite(v))
      ? new Float64Array(n).fill(1)
      : Float64Array.from(start, (v) => v * Math.sqrt(s));
  for (let it = 0; it < maxIter; it++) {
    const ga = matVec(g, alpha);
    const r = ga.map((v, i) => v - 1 / alpha[i]!);
    if (Math.max(...r.map((v, i) => Math.abs(v) * alpha[i]!)) <= tol) break;
    const h = Float64Array.from(g);
    for (let i = 0; i < n; i++) h[i * n + i]! += 1 / alpha[i]! ** 2;
    const delta = solveLinear(
      h,
      r.map((v) => -v),
    );
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
