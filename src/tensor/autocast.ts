/**
 * Mixed precision: `autocast('bf16', fn)` runs fn with matmuls and convolutions in bf16 (operands
 * rounded to bfloat16, products summed in fp32, fp32 results); everything else, the stored
 * tensors, gradients, master weights and optimizer state stay fp32. The tape remembers the
 * precision each op ran at, and its backward runs at the same one, wherever `backward()` is
 * called (as PyTorch's autocast does). Scopes nest and are restored when fn returns or throws.
 * autocast scopes synchronous code: a callback that returns a Promise is refused, because the
 * code after its first `await` would run outside the scope; a whole program (the CLI's
 * `--precision bf16`) uses `setDefaultPrecision`.
 *
 * On a CPU with AMX-BF16 the native backend runs TDPBF16PS on tile registers, on one with
 * AVX512-BF16 VDPBF16PS; elsewhere it rounds the operands and runs the fp32 kernels: the same numbers up to the
 * order of the fp32 sums, without the speed.
 *
 * @example
 * const loss = autocast('bf16', () => lossFn(model.forward(x), y));
 * loss.backward(); // the matmuls of the backward run in bf16 too; w.grad is fp32
 */
import { computePrecision, parsePrecision, setComputePrecision, type Precision } from '../backend/precision.js';
import { ValueError } from '../core/errors.js';

export { PRECISIONS, type Precision } from '../backend/precision.js';

/**
 * Runs `fn` with matmuls and convolutions at `precision` ('bf16' or 'fp32'), then restores the
 * precision in force before, also when fn throws.
 *
 * @example
 * const y = autocast('bf16', () => model.forward(x));
 */
export function autocast<T>(precision: Precision, fn: () => T): T {
  const p = parsePrecision(precision, 'autocast');
  const prev = setComputePrecision(p);
  try {
    const result = fn();
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      throw new ValueError(
        'autocast',
        'the callback returned a Promise; autocast scopes synchronous code (wrap each step), setDefaultPrecision a whole program',
      );
    }
    return result;
  } finally {
    setComputePrecision(prev);
  }
}

/**
 * Sets the precision outside any autocast scope, for the rest of the program (an enclosing
 * autocast restores its own when it ends).
 *
 * @example
 * setDefaultPrecision('bf16'); // what `polytask train --precision bf16` does
 */
export function setDefaultPrecision(precision: Precision): void {
  setComputePrecision(parsePrecision(precision, 'setDefaultPrecision'));
}

/** The precision matmuls and convolutions run at now. */
export function currentPrecision(): Precision {
  return computePrecision();
}
