/**
 * matmul with NumPy semantics: 1-D operands are promoted and the added axis removed, batch
 * dimensions broadcast. An N-D input times a 2-D weight (the Linear case) runs as one 2-D GEMM.
 *
 * @example
 * matmul(x, w); // [B, T, C] @ [C, D] → [B, T, D]
 */
import { emptyF32 } from '../../core/dtype.js';
import { ShapeError } from '../../core/errors.js';
import { broadcastShapes, fmt, shapesEqual, sizeOf } from '../../core/shape.js';
import { PLAIN_GEMM } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { requireFloat, sumTo } from './elementwise.js';

export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat('matmul', a);
  requireFloat('matmul', b);
  if (a.ndim === 0 || b.ndim === 0)
    throw new ShapeError('matmul', `needs at least 1-D operands: ${fmt(a.shape)} @ ${fmt(b.shape)}`);
  // checked before 1-D operands are promoted, so the message shows the shapes the caller passed
  if (a.shape[a.ndim - 1] !== b.shape[Math.max(b.ndim - 2, 0)]) {
    throw new ShapeError('matmul', `inner dimensions differ: ${fmt(a.shape)} @ ${fmt(b.shape)}`);
  }
  // b first: for 1-D @ 1-D the a-branch below then sees a 2-D result and both added axes go (→ scalar)
  if (b.ndim === 1) {
    const r = matmul(a, b.reshape([b.shape[0]!, 1]));
    return r.reshape(r.shape.slice(0, -1));
  }
  if (a.ndim === 1) {
    const r = matmul(a.reshape([1, a.shape[0]!]), b);
    return r.reshape([...r.shape.slice(0, -2), r.shape[r.ndim - 1]!]);
  }
  const k = a.shape[a.ndim - 1]!;
  if (b.ndim === 2 && a.ndim > 2) {
    const r = matmul2d(a.reshape([-1, k]), b);
    return r.reshape([...a.shape.slice(0, -1), b.shape[1]!]);
  }
  if (a.ndim === 2 && b.ndim === 2) return matmul2d(a, b);
  return batched(a, b);
}

/** [m,k] @ [k,n]. */
function matmul2d(a: Tensor, b: Tensor): Tensor {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const out = emptyF32(m * n);
  getBackend().matmul({ a: a.data as Float32Array, b: b.data as Float32Array, out }, { ...PLAIN_GEMM, m, n, k });
  return record(new Tensor(out, [m, n]), 'matmul', [a, b], (g, needs) => {
    const be = getBackend();
    const gd = g.data as Float32Array;
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (needs[0]) {
      const d = emptyF32(m * k); // g [m,n] @ b^T [n,k]
      be.matmul({ a: gd, b: b.data as Float32Array, out: d }, { ...PLAIN_GEMM, m, n: k, k: n, transB: true });
      ga = new Tensor(d, [m, k]);
    }
    if (needs[1]) {
      const d = emptyF32(k * n); // a^T [k,m] @ g [m,n]
      be.matmul({ a: a.data as Float32Array, b: gd, out: d }, { ...PLAIN_GEMM, m: k, n, k: m, transA: true });
      gb = new Tensor(d, [k, n]);
    }
    return [ga, gb];
  });
}

/** Broadcast batch dimensions: [...A, m, k] @ [...B, k, n] → [...broadcast(A, B), m, n]. */
function batched(aIn: Tensor, bIn: Tensor): Tensor {
  const m = aIn.shape[aIn.ndim - 2]!;
  const k = aIn.shape[aIn.ndim - 1]!;
  const n = bIn.shape[bIn.ndim - 1]!;
  const batchShape = broadcastShapes('matmul', aIn.shape.slice(0, -2), bIn.shape.slice(0, -2));
  const batch = sizeOf(batchShape);
  // an operand is used as is when it has one matrix (stride 0) or the full batch; else it is expanded
  const fit = (t: Tensor, r: number, c: number): Tensor => {
    const bs = t.shape.slice(0, -2);
    return sizeOf(bs) === 1 || shapesEqual(bs, batchShape) ? t : t.expand([...batchShape, r, c]);
  };
  const a = fit(aIn, m, k);
  const b = fit(bIn, k, n);
  const sa = a.size === m * k ? 0 : m * k;
  const sb = b.size === k * n ? 0 : k * n;
  const out = emptyF32(batch * m * n);
  getBackend().matmul(
    { a: a.data as Float32Array, b: b.data as Float32Array, out },
    { ...PLAIN_GEMM, batch, m, n, k, aBatchStride: sa, bBatchStride: sb },
  );
  return record(new Tensor(out, [...batchShape, m, n]), 'matmul', [a, b], (g, needs) => {
    const be = getBackend();
    const gd = g.data as Float32Array;
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (needs[0]) {
      const d = emptyF32(batch * m * k);
      be.matmul(
        { a: gd, b: b.data as Float32Array, out: d },
        { ...PLAIN_GEMM, batch, m, n: k, k: n, transB: true, aBatchStride: m * n, bBatchStride: sb },
      );
      ga = sumTo(new Tensor(d, [...batchShape, m, k]), a.shape);
    }
    if (needs[1]) {
      const d = emptyF32(batch * k * n);
      be.matmul(
        { a: a.data as Float32Array, b: gd, out: d },
        { ...PLAIN_GEMM, batch, m: k, n, k: m, transA: true, aBatchStride: sa, bBatchStride: m * n },
      );
      gb = sumTo(new Tensor(d, [...batchShape, k, n]), b.shape);
    }
    return [ga, gb];
  });
}

/**
 * x·wᵀ (+ b) with w [out, in], as PyTorch's F.linear: the GEMM reads w transposed in place, so the
 * weight is never copied, forwards or backwards. x is [..., in]; the result is [..., out].
 *
 * @example
 * linear(x, weight, bias); // [B, 784] · [128, 784]ᵀ + [128] → [B, 128]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  requireFloat('linear', x);
  requireFloat('linear', weight);
  if (weight.ndim !== 2) throw new ShapeError('linear', `weight must be [out, in], got ${fmt(weight.shape)}`);
  const [n, k] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== k) {
    throw new ShapeError('linear', `input features differ: input ${fmt(x.shape)} for weight ${fmt(weight.shape)}`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== n))
    throw new ShapeError('linear', `bias must be [${n}], got ${fmt(bias.shape)}`);
  const x2 = x.ndim === 2 ? x : x.reshape([-1, k]);
  const m = x2.shape[0]!;
  const out = emptyF32(m * n);
  getBackend().matmul(
    { a: x2.data as Float32Array, b: weight.data as Float32Array, out },
    { ...PLAIN_GEMM, m, n, k, transB: true },
  );
  // the bias is added into the GEMM's output in place (no second [m, n] array), its gradient is the
  // column sums of g
  if (bias !== null) getBackend().binary('add', out, [m, n], bias.data as Float32Array, [n], out, [m, n]);
  const inputs = bias === null ? [x2, weight] : [x2, weight, bias];
  const y = record(new Tensor(out, [m, n]), 'linear', inputs, (g, needs) => {
    const be = getBackend();
    const gd = g.data as Float32Array;
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    if (needs[0]) {
      const d = emptyF32(m * k); // g [m,n] @ w [n,k]
      be.matmul({ a: gd, b: weight.data as Float32Array, out: d }, { ...PLAIN_GEMM, m, n: k, k: n });
      gx = new Tensor(d, [m, k]);
    }
    if (needs[1]) {
      const d = emptyF32(n * k); // gᵀ [n,m] @ x [m,k]
      be.matmul({ a: gd, b: x2.data as Float32Array, out: d }, { ...PLAIN_GEMM, m: n, n: k, k: m, transA: true });
      gw = new Tensor(d, [n, k]);
    }
    let gb: Tensor | null = null;
    if (bias !== null && needs[2]) {
      const d = emptyF32(n);
      be.reduce('sum', gd, [m, n], [0], d);
      gb = new Tensor(d, bias.shape);
    }
    return bias === null ? [gx, gw] : [gx, gw, gb];
  });
  return x.ndim === 2 ? y : y.reshape([...x.shape.slice(0, -1), n]);
}
