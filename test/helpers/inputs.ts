/**
 * Test inputs drawn from a private seeded stream (never the global `rng`, so a test's inputs do
 * not depend on what ran before it), with helpers that keep values away from kinks and ties:
 * finite differences across a kink (relu at 0, a max tie, a clamp bound) measure the wrong slope.
 *
 * @example
 * const g = new Inputs(1);
 * g.uniform([3, 4], 0.5, 2);         // positive: safe for log, sqrt, div
 * g.awayFrom([3, 4], [0], 0.1);      // |x| >= 0.1: safe for relu, abs
 * g.distinct([2, 3, 4], 0.05);       // pairwise gaps >= 0.05: safe for max, maxPool
 */
import { Rng } from '../../src/core/rng.js';
import { sizeOf } from '../../src/core/shape.js';
import { tensor, type Tensor } from '../../src/tensor/index.js';

export class Inputs {
  private readonly r: Rng;

  constructor(seed: number) {
    this.r = new Rng(seed);
  }

  /** Standard normal float32. */
  normal(shape: readonly number[], scale = 1): Tensor {
    const d = new Float32Array(sizeOf(shape));
    for (let i = 0; i < d.length; i++) d[i] = scale * this.r.normal();
    return tensor(d, shape);
  }

  /** Uniform in [lo, hi). */
  uniform(shape: readonly number[], lo = -1, hi = 1): Tensor {
    const d = new Float32Array(sizeOf(shape));
    for (let i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * this.r.uniform();
    return tensor(d, shape);
  }

  /** Uniform in [-spread, spread) but at least `gap` from every point in `kinks`. */
  awayFrom(shape: readonly number[], kinks: readonly number[], gap = 0.1, spread = 2): Tensor {
    const d = new Float32Array(sizeOf(shape));
    for (let i = 0; i < d.length; i++) {
      let v: number;
      do v = -spread + 2 * spread * this.r.uniform();
      while (kinks.some((k) => Math.abs(v - k) < gap));
      d[i] = v;
    }
    return tensor(d, shape);
  }

  /** A shuffled grid of values `gap` apart (plus jitter below gap/4), centred on 0: no two are close. */
  distinct(shape: readonly number[], gap = 0.05): Tensor {
    const n = sizeOf(shape);
    const perm = this.r.permutation(n);
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) d[i] = (perm[i]! - (n - 1) / 2) * gap + (this.r.uniform() - 0.5) * (gap / 4);
    return tensor(d, shape);
  }

  /** int32 values in [0, n). */
  ints(shape: readonly number[], n: number): Tensor {
    const d = new Int32Array(sizeOf(shape));
    for (let i = 0; i < d.length; i++) d[i] = this.r.int(n);
    return tensor(d, shape);
  }
}
