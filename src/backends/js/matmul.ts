/**
 * Batched GEMM of the reference backend: operands are packed row-major, then an i-k-j loop keeps
 * the inner loop contiguous in both B and C. In bf16 precision (src/backend/precision.ts) both
 * operands are first rounded to bfloat16; each product of two bf16 values is exact, and the sums
 * stay fp32 (a Float32Array row), as the native bf16 GEMM computes. The convolutions of this
 * backend are GEMMs, so they follow.
 *
 * @example
 * matmul({ a, b, out }, { ...PLAIN_GEMM, m: 2, n: 4, k: 3 });
 */
import type { F32, MatmulArrays, MatmulAttrs } from '../../backend/backend.js';
import { computePrecision } from '../../backend/precision.js';
import { roundToBf16 } from '../../core/bf16.js';

/** Row-major copy of the [rows, cols] matrix stored transposed ([cols, rows]) at `off`. */
function packTransposed(src: F32, off: number, rows: number, cols: number, dst: F32): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[r * cols + c] = src[off + c * rows + r]!;
}

export function matmul(arrays: MatmulArrays, attrs: MatmulAttrs): void {
  const bf16 = computePrecision() === 'bf16';
  const a = bf16 ? roundToBf16(arrays.a) : arrays.a;
  const b = bf16 ? roundToBf16(arrays.b) : arrays.b;
  const out = arrays.out;
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride, accumulate } = attrs;
  const pa = transA ? new Float32Array(m * k) : null;
  const pb = transB ? new Float32Array(k * n) : null;
  const row = new Float32Array(n);
  for (let bi = 0; bi < batch; bi++) {
    let A = a;
    let aOff = bi * aBatchStride;
    if (pa !== null) {
      packTransposed(a, aOff, m, k, pa);
      A = pa;
      aOff = 0;
    }
    let B = b;
    let bOff = bi * bBatchStride;
    if (pb !== null) {
      packTransposed(b, bOff, k, n, pb);
      B = pb;
      bOff = 0;
    }
    const cOff = bi * m * n;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      const ai = aOff + i * k;
      for (let p = 0; p < k; p++) {
        const av = A[ai + p]!;
        if (av === 0) continue;
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) row[j] = row[j]! + av * B[bp + j]!;
      }
      const ci = cOff + i * n;
      if (accumulate) for (let j = 0; j < n; j++) out[ci + j] = out[ci + j]! + row[j]!;
      else out.set(row, ci);
    }
  }
}
