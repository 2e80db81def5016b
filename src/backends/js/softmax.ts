/** Softmax, log-softmax and fused softmax cross-entropy of the reference backend. */
import type { CrossEntropyAttrs, KernelArrays, SoftmaxAttrs } from '../../backend/backend.js';

export function softmax({ x, out }: KernelArrays<'softmax'>, { outer, dim, inner, log }: SoftmaxAttrs): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let mx = -Infinity;
      for (let k = 0; k < dim; k++) mx = Math.max(mx, x[base + k * inner]!);
      if (mx === -Infinity) mx = 0;
      let s = 0;
      for (let k = 0; k < dim; k++) s += Math.exp(x[base + k * inner]! - mx);
      if (log) {
        const lse = mx + Math.log(s);
        for (let k = 0; k < dim; k++) out[base + k * inner] = x[base + k * inner]! - lse;
      } else {
        for (let k = 0; k < dim; k++) out[base + k * inner] = Math.exp(x[base + k * inner]! - mx) / s;
      }
    }
  }
}

export function softmaxBackward(
  { y, gy, gx }: KernelArrays<'softmaxBackward'>,
  { outer, dim, inner, log }: SoftmaxAttrs,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let s = 0;
      if (log) {
        // y = log p: gx = gy - p * sum(gy)
        for (let k = 0; k < dim; k++) s += gy[base + k * inner]!;
        for (let k = 0; k < dim; k++) {
          const j = base + k * inner;
          gx[j] = gy[j]! - Math.exp(y[j]!) * s;
        }
      } else {
        // y = p: gx = p * (gy - sum(gy * p))
        for (let k = 0; k < dim; k++) s += gy[base + k * inner]! * y[base + k * inner]!;
        for (let k = 0; k < dim; k++) {
          const j = base + k * inner;
          gx[j] = y[j]! * (gy[j]! - s);
        }
      }
    }
  }
}

export function softmaxCrossEntropy(
  { logits, targets, loss, grad }: KernelArrays<'softmaxCrossEntropy'>,
  { rows, classes, smoothing, ignoreIndex }: CrossEntropyAttrs,
): void {
  const off = smoothing / classes;
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    const t = targets[r]!;
    if (t === ignoreIndex) {
      loss[r] = 0;
      if (grad !== null) grad.fill(0, base, base + classes);
      continue;
    }
    let mx = -Infinity;
    for (let c = 0; c < classes; c++) mx = Math.max(mx, logits[base + c]!);
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(logits[base + c]! - mx);
    const lse = mx + Math.log(s);
    let l = 0;
    for (let c = 0; c < classes; c++) {
      const q = (c === t ? 1 - smoothing : 0) + off;
      if (q !== 0) l -= q * (logits[base + c]! - lse);
      if (grad !== null) grad[base + c] = Math.exp(logits[base + c]! - lse) - q;
    }
    loss[r] = l;
  }
}
