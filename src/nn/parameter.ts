/**
 * Parameter: a float32 Tensor that a Module owns and an optimizer updates. It is a Tensor subclass
 * (so `p instanceof Tensor` holds and every op accepts it) that requires gradients by default; the
 * subclass is how modules tell their weights apart from other tensors they keep in fields.
 *
 * @example
 * const w = new Parameter(zeros([3, 4]));
 * w.requiresGrad; // true
 * w.matmul(x);    // any Tensor op
 */
import { DTypeError } from '../core/errors.js';
import { Tensor } from '../tensor/index.js';

/**
 * A trainable tensor owned by a module.
 *
 * @example
 * this.scale = new Parameter(ones([1]));
 */
export class Parameter extends Tensor {
  /** Wraps `value`'s data (shared, not copied). Pass `requiresGrad = false` for a frozen weight. */
  constructor(value: Tensor, requiresGrad = true) {
    if (value.dtype !== 'float32')
      throw new DTypeError('Parameter', `must be float32, got ${value.dtype} of shape [${value.shape.join(',')}]`);
    super(value.data, value.shape);
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter(${this.dtype}, [${this.shape.join(',')}])`;
  }
}
