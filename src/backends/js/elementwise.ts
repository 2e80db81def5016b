/**
 * Elementwise kernels of the reference backend: unary ops and their derivatives, broadcasting
 * binary ops, where, clamp.
 */
import type { TypedArray } from '../../core/dtype.js';
import { broadcastStrides, sizeOf, type Shape } from '../../core/shape.js';
import type { BinaryOp, F32, UnaryOp } from '../../backend/backend.js';

/** The error function, to float64 precision (the exact GELU is built on it, as PyTorch's default). */
function erf(x: number): number {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? x : Math.sign(x);
  // Abramowitz–Stegun 7.1.26 is too coarse for gradient checks; use a series/continued-fraction pair.
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: converges quickly for |x| < 2.5.
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz) for large |x|.
  const t = ax;
  let f = t;
  let c = t;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = t + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = t + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-t * t) / (f * Math.sqrt(Math.PI));
  return x >= 0 ? 1 - erfc : erfc - 1;
}

function unaryFn(op: UnaryOp, alpha: number): (v: number) => number {
  switch (op) {
    case 'neg':
      return (v) => -v;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'sqrt':
      return Math.sqrt;
    case 'abs':
      return Math.abs;
    case 'sign':
      return (v) => (v > 0 ? 1 : v < 0 ? -1 : 0);
    case 'square':
      return (v) => v * v;
    case 'reciprocal':
      return (v) => 1 / v;
    case 'relu':
      return (v) => (v <= 0 ? 0 : v); // NaN passes through, as in PyTorch
    case 'leakyRelu':
      return (v) => (v > 0 ? v : alpha * v);
    case 'sigmoid':
      return (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    case 'tanh':
      return Math.tanh;
    case 'erf':
      return erf;
    case 'log1p':
      return Math.log1p;
    case 'gelu':
      return (v) => v * 0.5 * (1 + erf(v * Math.SQRT1_2));
  }
}

export function unary(op: UnaryOp, x: F32, out: F32, alpha: number): void {
  const f = unaryFn(op, alpha);
  if (op === 'relu') {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v <= 0 ? 0 : v;
    }
    return;
  }
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
}

/** f'(x) given x and y = f(x). */
function derivFn(op: UnaryOp, alpha: number): (x: number, y: number) => number {
  switch (op) {
    case 'neg':
      return () => -1;
    case 'exp':
      return (_x, y) => y;
    case 'log':
      return (x) => 1 / x;
    case 'sqrt':
      return (_x, y) => 0.5 / y;
    case 'abs':
      return (x) => (x > 0 ? 1 : x < 0 ? -1 : 0);
    case 'sign':
      return () => 0;
    case 'square':
      return (x) => 2 * x;
    case 'reciprocal':
      return (_x, y) => -y * y;
    case 'relu':
      return (x) => (x > 0 ? 1 : 0);
    case 'leakyRelu':
      return (x) => (x > 0 ? 1 : alpha);
    case 'sigmoid':
      return (_x, y) => y * (1 - y);
    case 'tanh':
      return (_x, y) => 1 - y * y;
    case 'erf':
      return (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);
    case 'log1p':
      return (x) => 1 / (1 + x);
    case 'gelu': // Φ(x) + x·φ(x), Φ(x) = y/x from the output; 0 or 1 beyond |x| = 10 (NaN stays NaN)
      return (x, y) => {
        if (!(Math.abs(x) <= 10)) return x > 0 ? 1 : x < 0 ? 0 : x;
        return (x === 0 ? 0.5 : y / x) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
      };
  }
}

export function unaryGrad(op: UnaryOp, x: F32, y: F32, gy: F32, gx: F32, alpha: number): void {
  if (op === 'relu') {
    for (let i = 0; i < x.length; i++) gx[i] = x[i]! > 0 ? gy[i]! : 0;
    return;
  }
  const d = derivFn(op, alpha);
  for (let i = 0; i < x.length; i++) gx[i] = gy[i]! * d(x[i]!, y[i]!);
}

function binaryFn(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case 'add':
      return (a, b) => a + b;
    case 'sub':
      return (a, b) => a - b;
    case 'mul':
      return (a, b) => a * b;
    case 'div':
      return (a, b) => a / b;
    case 'pow':
      return Math.pow;
    case 'maximum':
      return (a, b) => (a >= b || Number.isNaN(a) ? a : b);
    case 'minimum':
      return (a, b) => (a <= b || Number.isNaN(a) ? a : b);
    case 'eq':
      return (a, b) => (a === b ? 1 : 0);
    case 'ne':
      return (a, b) => (a !== b ? 1 : 0);
    case 'lt':
      return (a, b) => (a < b ? 1 : 0);
    case 'le':
      return (a, b) => (a <= b ? 1 : 0);
    case 'gt':
      return (a, b) => (a > b ? 1 : 0);
    case 'ge':
      return (a, b) => (a >= b ? 1 : 0);
  }
}

/**
 * Calls `row(offA, strideA, offB, strideB, offOut, len)` for each innermost row of the broadcast
 * of shapes a and b to `outShape`. The shared driver of binary and where.
 */
export function forEachBroadcastRow(
  shapes: readonly Shape[],
  outShape: Shape,
  row: (offs: number[], strides: number[], offOut: number, len: number) => void,
): void {
  const rank = outShape.length;
  const total = sizeOf(outShape);
  if (total === 0) return;
  if (rank === 0) {
    row(
      shapes.map(() => 0),
      shapes.map(() => 0),
      0,
      1,
    );
    return;
  }
  const st = shapes.map((s) => broadcastStrides(s, outShape));
  const len = outShape[rank - 1]!;
  const inner = st.map((s) => s[rank - 1]!);
  const idx = new Array<number>(rank - 1).fill(0);
  const offs = shapes.map(() => 0);
  const rows = total / len;
  for (let r = 0; r < rows; r++) {
    row(offs.slice(), inner, r * len, len);
    // odometer over the outer dimensions
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < st.length; k++) offs[k]! += st[k]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let k = 0; k < st.length; k++) offs[k]! -= st[k]![d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

export function binary(
  op: BinaryOp,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  out: TypedArray,
  outShape: Shape,
): void {
  const f = binaryFn(op);
  const n = out.length;
  if (a.length === n && b.length === n) {
    if (op === 'add') {
      for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
      return;
    }
    if (op === 'mul') {
      for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
      return;
    }
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    return;
  }
  if (b.length === 1 && a.length === n) {
    const bv = b[0]!;
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, bv);
    return;
  }
  forEachBroadcastRow([aShape, bShape], outShape, (offs, strides, o, len) => {
    let ia = offs[0]!;
    let ib = offs[1]!;
    const sa = strides[0]!;
    const sb = strides[1]!;
    for (let i = 0; i < len; i++, ia += sa, ib += sb) out[o + i] = f(a[ia]!, b[ib]!);
  });
}

export function where(
  cond: F32,
  cShape: Shape,
  a: F32,
  aShape: Shape,
  b: F32,
  bShape: Shape,
  out: F32,
  outShape: Shape,
): void {
  forEachBroadcastRow([cShape, aShape, bShape], outShape, (offs, strides, o, len) => {
    let ic = offs[0]!,
      ia = offs[1]!,
      ib = offs[2]!;
    for (let i = 0; i < len; i++, ic += strides[0]!, ia += strides[1]!, ib += strides[2]!) {
      out[o + i] = cond[ic] !== 0 ? a[ia]! : b[ib]!;
    }
  });
}

export function clamp(x: F32, lo: number, hi: number, out: F32): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

export function clampGrad(x: F32, lo: number, hi: number, gy: F32, gx: F32): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    gx[i] = v >= lo && v <= hi ? gy[i]! : 0;
  }
}
