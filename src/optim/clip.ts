/**
 * Gradient clipping by global norm: when the norm of all gradients together exceeds maxNorm, every
 * gradient is scaled by maxNorm/(norm + 1e-6), as PyTorch's clip_grad_norm_. Gradients are replaced
 * with scaled copies, never scaled in place, because a `.grad` may be the very tensor another
 * parameter's gradient or a caller's variable holds.
 *
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 */
import { ValueError } from '../core/errors.js';
import { noGrad, type Tensor } from '../tensor/index.js';

export interface ClipGradNormOptions {
  /** The p of the p-norm; Infinity for the largest absolute value. Default 2. */
  normType?: number;
}

/** Returns the total norm of the gradients before clipping. Parameters without a gradient are skipped. */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, opts: ClipGradNormOptions = {}): number {
  const normType = opts.normType ?? 2;
  if (!(maxNorm >= 0)) throw new ValueError('clipGradNorm', `maxNorm must be >= 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new ValueError('clipGradNorm', `normType must be positive (or Infinity), got ${normType}`);
  const withGrad = [...params].filter((p) => p.grad !== null);
  return noGrad(() => {
    let total = 0;
    for (const p of withGrad) {
      const a = p.grad!.abs();
      if (normType === Infinity) total = Math.max(total, a.size === 0 ? 0 : a.max().item());
      else total += a.pow(normType).sum().item();
    }
    if (normType !== Infinity) total = Math.pow(total, 1 / normType);
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) for (const p of withGrad) p.grad = p.grad!.mul(coef);
    return total;
  });
}
