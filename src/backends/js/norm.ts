/** Layer and batch normalisation of the reference backend (statistics in float64). */
import type {
  BatchNormArrays,
  BatchNormAttrs,
  BatchNormBackwardArrays,
  BatchNormLayout,
  LayerNormArrays,
  LayerNormAttrs,
  LayerNormBackwardArrays,
  LayerNormLayout,
} from '../../backend/backend.js';

export function layerNorm(
  { x, gamma, beta, y, mean, rstd }: LayerNormArrays,
  { rows, cols, eps }: LayerNormAttrs,
): void {
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    let m = 0;
    for (let c = 0; c < cols; c++) m += x[b + c]!;
    m /= cols;
    let v = 0;
    for (let c = 0; c < cols; c++) {
      const d = x[b + c]! - m;
      v += d * d;
    }
    v /= cols;
    const rs = 1 / Math.sqrt(v + eps);
    mean[r] = m;
    rstd[r] = rs;
    for (let c = 0; c < cols; c++) {
      const xh = (x[b + c]! - m) * rs;
      y[b + c] = xh * (gamma === null ? 1 : gamma[c]!) + (beta === null ? 0 : beta[c]!);
    }
  }
}

export function layerNormBackward(
  { gy, x, gamma, mean, rstd, gx, ggamma, gbeta }: LayerNormBackwardArrays,
  { rows, cols }: LayerNormLayout,
): void {
  if (ggamma !== null) ggamma.fill(0);
  if (gbeta !== null) gbeta.fill(0);
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    const m = mean[r]!;
    const rs = rstd[r]!;
    let sg = 0;
    let sgx = 0;
    for (let c = 0; c < cols; c++) {
      const xh = (x[b + c]! - m) * rs;
      const g = gy[b + c]! * (gamma === null ? 1 : gamma[c]!);
      sg += g;
      sgx += g * xh;
      if (ggamma !== null) ggamma[c] = ggamma[c]! + gy[b + c]! * xh;
      if (gbeta !== null) gbeta[c] = gbeta[c]! + gy[b + c]!;
    }
    for (let c = 0; c < cols; c++) {
      const xh = (x[b + c]! - m) * rs;
      const g = gy[b + c]! * (gamma === null ? 1 : gamma[c]!);
      gx[b + c] = (rs / cols) * (cols * g - sg - xh * sgx);
    }
  }
}

export function batchNorm(
  { x, gamma, beta, runningMean, runningVar, y, mean, rstd }: BatchNormArrays,
  { n, c, s, training, momentum, eps }: BatchNormAttrs,
): void {
  const count = n * s;
  for (let ch = 0; ch < c; ch++) {
    let m: number;
    let v: number;
    if (training) {
      m = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < s; j++) m += x[(i * c + ch) * s + j]!;
      m /= count;
      v = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < s; j++) {
          const d = x[(i * c + ch) * s + j]! - m;
          v += d * d;
        }
      v /= count;
      if (runningMean !== null && runningVar !== null) {
        const unbiased = count > 1 ? (v * count) / (count - 1) : v;
        runningMean[ch] = (1 - momentum) * runningMean[ch]! + momentum * m;
        runningVar[ch] = (1 - momentum) * runningVar[ch]! + momentum * unbiased;
      }
    } else {
      m = runningMean === null ? 0 : runningMean[ch]!;
      v = runningVar === null ? 1 : runningVar[ch]!;
    }
    const rs = 1 / Math.sqrt(v + eps);
    mean[ch] = m;
    rstd[ch] = rs;
    const ga = gamma === null ? 1 : gamma[ch]!;
    const be = beta === null ? 0 : beta[ch]!;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < s; j++) {
        const k = (i * c + ch) * s + j;
        y[k] = (x[k]! - m) * rs * ga + be;
      }
    }
  }
}

export function batchNormBackward(
  { gy, x, gamma, mean, rstd, gx, ggamma, gbeta }: BatchNormBackwardArrays,
  { n, c, s, training }: BatchNormLayout,
): void {
  const count = n * s;
  for (let ch = 0; ch < c; ch++) {
    const m = mean[ch]!;
    const rs = rstd[ch]!;
    let sg = 0;
    let sgx = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < s; j++) {
        const k = (i * c + ch) * s + j;
        sg += gy[k]!;
        sgx += gy[k]! * (x[k]! - m) * rs;
      }
    }
    if (ggamma !== null) ggamma[ch] = sgx;
    if (gbeta !== null) gbeta[ch] = sg;
    const ga = gamma === null ? 1 : gamma[ch]!;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < s; j++) {
        const k = (i * c + ch) * s + j;
        gx[k] = training ? ((ga * rs) / count) * (count * gy[k]! - sg - (x[k]! - m) * rs * sgx) : ga * rs * gy[k]!;
      }
    }
  }
}
