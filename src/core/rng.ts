/**
 * One seedable random stream for initialisation, dropout and shuffling (xoshiro128**, with
 * Box–Muller normals). `manualSeed(n)` resets it: the same seed gives the same numbers.
 *
 * @example
 * manualSeed(42);
 * const u = rng.uniform(); // in [0, 1)
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the state from a 32-bit seed (splitmix32 expands it to 128 bits). */
  seed(seed: number): void {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spare = null;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * Fills `out` with a dropout mask: element i is `value` when the i-th uniform draw is ≥ p, else
   * 0 — the same draws, and so the same mask, as `out[i] = uniform() >= p ? value : 0` in a loop,
   * with the state kept in locals (a third of a small transformer's step went to that loop).
   *
   * @example
   * rng.fillMask(new Float32Array(8), 0.1, 1 / 0.9); // about 1 in 10 zero, the rest 1.111…
   */
  fillMask(out: Float32Array, p: number, value: number): void {
    // uniform() >= p exactly when the 32-bit draw is ≥ p·2^32 (both sides scaled by a power of two)
    const threshold = p * 4294967296;
    let s0 = this.s0,
      s1 = this.s1,
      s2 = this.s2,
      s3 = this.s3;
    for (let i = 0; i < out.length; i++) {
      const m = Math.imul(s1, 5);
      const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = result >= threshold ? value : 0;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3 >>> 0; // as rotl leaves it
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Standard normal. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** The full state, for checkpoints that must resume the same random stream. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spare ?? NaN];
  }

  setState(state: readonly number[]): void {
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v >>> 0) as [number, number, number, number];
    const spare = state[4];
    this.spare = spare === undefined || Number.isNaN(spare) ? null : spare;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The global stream every random op draws from. */
export const rng = new Rng(0);

/** Seeds the global stream: initialisation, dropout and shuffling become reproducible. */
export function manualSeed(seed: number): void {
  rng.seed(seed);
}
