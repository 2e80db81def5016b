/**
 * The shared tail of every loss: which entries are present (mask, NaN targets) and how per-element
 * losses are reduced. Averages run over present entries only, and with none present the loss is 0
 * with a zero gradient: a batch in which a task has no labels must not poison the others with NaN.
 *
 * @example
 * const w = presence('mse', [4, 3], mask, target);
 * reduceLoss(perElement.mul(w!), w, 'mean');
 */
import { DTypeError, ShapeError } from '../../core/errors.js';
import { broadcastShapes, shapesEqual } from '../../core/shape.js';
import { where, type Tensor } from '../../tensor/index.js';

/** 'mean' over present entries (the default), 'sum', or 'none' (per element, missing ones 0). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options every loss takes. */
export interface LossOptions {
  /**
   * Float 0/1 (or weight) tensor broadcastable to the per-element loss: entries with 0 are missing.
   * Non-binary values weight the entries, and the mean divides by their sum.
   */
  mask?: Tensor;
  reduction?: Reduction;
}

const fmtShape = (s: readonly number[]): string => `[${s.join(',')}]`;

/** `mask` broadcast to `shape`, checking that it is float32 and does not widen the loss. */
export function expandMask(op: string, mask: Tensor, shape: readonly number[]): Tensor {
  if (mask.dtype !== 'float32') throw new DTypeError(op, `mask must be a float32 tensor of 0/1, got ${mask.dtype}`);
  const b = broadcastShapes(op, mask.shape, shape);
  if (!shapesEqual(b, shape))
    throw new ShapeError(op, `mask ${fmtShape(mask.shape)} does not broadcast to the loss shape ${fmtShape(shape)}`);
  return mask.expand(shape);
}

/** Whether any element is NaN. */
export function hasNaN(t: Tensor): boolean {
  return t.dtype === 'float32' && t.data.some(Number.isNaN);
}

/**
 * Weights of the entries of a per-element loss of `shape`: the mask, times 0 where `target` is NaN.
 * null when every entry is present with weight 1 (no mask, no NaN), so callers skip the multiply.
 */
export function presence(
  op: string,
  shape: readonly number[],
  mask: Tensor | undefined,
  target: Tensor | null,
): Tensor | null {
  const notNaN = target !== null && hasNaN(target) ? target.eq(target).expand(shape) : null;
  const m = mask === undefined ? null : expandMask(op, mask, shape);
  if (m === null) return notNaN;
  return notNaN === null ? m : m.mul(notNaN);
}

/**
 * Reduces `weighted` (per-element loss already multiplied by its weight). `weight` holds the
 * weights (null: all 1); the mean divides by their sum and is 0, with a zero gradient, when that
 * sum is 0.
 */
export function reduceLoss(weighted: Tensor, weight: Tensor | null, reduction: Reduction): Tensor {
  if (reduction === 'none') return weighted;
  const total = weighted.sum();
  if (reduction === 'sum') return total;
  const count = weight === null ? weighted.size : weight.sum().item();
  return count === 0 ? total : total.div(count);
}

/** `t` with NaN entries replaced by 0 (differentiable elsewhere), so missing entries have finite gradients. */
export function fillNaN(t: Tensor): Tensor {
  return hasNaN(t) ? where(t.eq(t), t, 0) : t;
}
