/**
 * Shared pieces of the native-backend tests: the loaded backend (or why it is missing), seeded
 * inputs, a NaN-aware closeness check, and `compare`, which runs one kernel call on the JS
 * reference and on the native backend and checks every output.
 *
 * @example
 * nativeTest('relu', (native) => {
 *   const x = gen.f32(17);
 *   compare(native, 'relu', EXACT, (be) => { const out = new Float32Array(17); be.unary('relu', x, out, 0); return [out]; });
 * });
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backends/js/index.js';
import {
  loadNativeAddon,
  loadNativeBackend,
  nativeRequired,
  type NativeAddon,
} from '../../src/backends/native/index.js';
import { Rng } from '../../src/core/rng.js';

export interface Tol {
  rtol: number;
  atol: number;
}

/** For kernels that must agree bit for bit (copies, comparisons, float +-x/). */
export const EXACT: Tol = { rtol: 0, atol: 0 };
/** For kernels evaluated in double precision on both sides and rounded once. */
export const ROUNDED: Tol = { rtol: 1e-6, atol: 1e-7 };
/** For sums whose order differs (float vs double accumulation). */
export const SUMMED: Tol = { rtol: 1e-5, atol: 1e-5 };

/** GEMM-like results: relative 1e-4, growing with the reduction length k beyond 32. */
export function gemmTol(k: number): Tol {
  const t = 1e-4 * Math.max(1, k / 32);
  return { rtol: t, atol: t };
}

const load = loadNativeBackend();
export const native: Backend | null = load.backend;
export const addon: NativeAddon | null = loadNativeAddon();
export const unavailable = `native backend unavailable: ${load.reason}`;

/**
 * A test that receives the native backend and addon, skipped with the reason when they are missing,
 * or failed with it under POLYTASK_REQUIRE_NATIVE=1 (CI: a broken addon build must not pass unseen).
 */
export function nativeTest(name: string, body: (be: Backend, raw: NativeAddon, t: TestContext) => void): void {
  test(name, (t) => {
    if (native === null || addon === null) {
      if (nativeRequired()) assert.fail(`POLYTASK_REQUIRE_NATIVE=1: ${unavailable}`);
      t.skip(unavailable);
      return;
    }
    body(native, addon, t);
  });
}

/** Seeded inputs. */
export class Gen {
  private readonly r: Rng;
  constructor(seed: number) {
    this.r = new Rng(seed);
  }
  /** Uniform float32 in [lo, hi). */
  f32(n: number, lo = -1, hi = 1): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * this.r.uniform();
    return a;
  }
  /** Uniform integers in [lo, hi). */
  i32(n: number, lo: number, hi: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + this.r.int(hi - lo);
    return a;
  }
  /** Small integers as float32: many exact ties, for max/argmax/comparison rules. */
  ties(n: number, levels = 4): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.r.int(levels) - 1;
    return a;
  }
  int(n: number): number {
    return this.r.int(n);
  }
}

/** Values where implementations tend to differ. */
export const SPECIAL = Float32Array.from([
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  20,
  -20,
  30,
  -30,
  88,
  -88,
  1e-30,
  -1e-30,
  3e38,
  -3e38,
  Infinity,
  -Infinity,
  NaN,
]);

function sameSpecial(a: number, e: number): boolean {
  return (Number.isNaN(a) && Number.isNaN(e)) || a === e;
}

/** |a - e| <= atol + rtol |e| elementwise; NaN matches NaN and infinities match exactly. */
export function assertArraysClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tol,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const bad: string[] = [];
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (sameSpecial(a, e)) continue;
    const diff = Math.abs(a - e);
    if (!(diff <= tol.atol + tol.rtol * Math.abs(e))) {
      worst = Number.isNaN(diff) ? NaN : Math.max(worst, diff);
      if (bad.length < 5) bad.push(`[${i}] native ${a} vs js ${e}`);
    }
  }
  if (bad.length > 0)
    assert.fail(`${what}: not within rtol ${tol.rtol}, atol ${tol.atol} (worst ${worst}): ${bad.join(', ')}`);
}

/**
 * Runs `call` on the JS reference and on the native backend and compares every array it returns.
 * `call` must allocate its outputs (and copy any input a kernel updates in place).
 */
export function compare(be: Backend, what: string, tol: Tol, call: (b: Backend) => ArrayLike<number>[]): void {
  const expected = call(jsBackend);
  const actual = call(be);
  expected.forEach((e, i) => assertArraysClose(actual[i]!, e, tol, `${what} (output ${i})`));
}
