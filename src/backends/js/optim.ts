/** Fused optimiser updates of the reference backend, following PyTorch's formulas. */
import type { AdamParams, KernelArrays, SgdParams } from '../../backend/backend.js';

export function adamStep({ p, g, m, v }: KernelArrays<'adamStep'>, o: AdamParams): void {
  const bc1 = 1 - Math.pow(o.beta1, o.step);
  const bc2 = 1 - Math.pow(o.beta2, o.step);
  const stepSize = o.lr / bc1;
  const sqrtBc2 = Math.sqrt(bc2);
  const decay = o.decoupled ? 1 - o.lr * o.weightDecay : 1;
  const l2 = o.decoupled ? 0 : o.weightDecay;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + l2 * p[i]!;
    const mi = o.beta1 * m[i]! + (1 - o.beta1) * gi;
    const vi = o.beta2 * v[i]! + (1 - o.beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + o.eps);
  }
}

export function sgdStep({ p, g, buf }: KernelArrays<'sgdStep'>, o: SgdParams): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i]! + o.weightDecay * p[i]!;
    if (buf !== null) {
      const b = o.firstStep ? d : o.momentum * buf[i]! + (1 - o.dampening) * d;
      buf[i] = b;
      d = o.nesterov ? d + o.momentum * b : b;
    }
    p[i] = p[i]! - o.lr * d;
  }
}
