/**
 * Regression losses: mse, l1 and huber. NaN targets count as missing, as do entries the mask
 * zeroes; the mean runs over the present entries only.
 *
 * @example
 * mse(pred, tensor([[1.5, NaN], [0.2, 3]])); // averages the three present entries
 */
import { DTypeError, ValueError } from '../../core/errors.js';
import { broadcastShapes } from '../../core/shape.js';
import { where, type Tensor } from '../../tensor/index.js';
import { fillNaN, presence, reduceLoss, type LossOptions } from './reduction.js';

/** Shared frame: checks, presence weights, NaN-free targets, reduction. `f` gives the per-element loss. */
function elementwise(op: string, input: Tensor, target: Tensor, o: LossOptions, f: (diff: Tensor) => Tensor): Tensor {
  for (const [name, t] of [
    ['input', input],
    ['target', target],
  ] as const) {
    if (t.dtype !== 'float32') throw new DTypeError(op, `${name} must be float32, got ${t.dtype}`);
  }
  const shape = broadcastShapes(op, input.shape, target.shape);
  const w = presence(op, shape, o.mask, target);
  const loss = f(input.sub(fillNaN(target)));
  return reduceLoss(w === null ? loss : loss.mul(w), w, o.reduction ?? 'mean');
}

/**
 * Mean squared error, (input − target)².
 *
 * @example
 * mse(pred, target, { mask });
 */
export function mse(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  return elementwise('mse', input, target, opts, (d) => d.square());
}

/**
 * Mean absolute error, |input − target|.
 *
 * @example
 * l1(pred, target, { reduction: 'sum' });
 */
export function l1(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  return elementwise('l1', input, target, opts, (d) => d.abs());
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/**
 * Huber loss (PyTorch's huber_loss): ½d² for |d| < δ, else δ(|d| − ½δ).
 *
 * @example
 * huber(pred, target, { delta: 0.5 });
 */
export function huber(input: Tensor, target: Tensor, opts: HuberOptions = {}): Tensor {
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new ValueError('huber', `delta must be positive, got ${delta}`);
  return elementwise('huber', input, target, opts, (d) => {
    const a = d.abs();
    return where(a.lt(delta), d.square().mul(0.5), a.sub(0.5 * delta).mul(delta));
  });
}
