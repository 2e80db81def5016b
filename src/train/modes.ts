/**
 * Running code with a model's training flags put back afterwards. Evaluation switches the model to
 * eval mode; restoring each module's own flag (rather than calling train()) keeps a submodule the
 * user froze in eval mode (a batch-norm trunk being fine-tuned) frozen.
 *
 * @example
 * const out = withModesRestored(model, () => { model.eval(); return model.forward(x); });
 */
import type { AnyModule } from '../nn/index.js';

/**
 * Calls `fn` and then restores the `training` flag of `model` and every descendant, even when
 * `fn` throws. A promise is awaited before the flags are restored.
 *
 * @example
 * await withModesRestored(model, async () => { model.eval(); await validate(); });
 */
export function withModesRestored<T>(model: AnyModule, fn: () => T): T {
  const saved = model.modules().map((m) => [m, m.training] as const);
  const restore = (): void => {
    for (const [m, flag] of saved) m.training = flag;
  };
  let result: T;
  try {
    result = fn();
  } catch (err) {
    restore();
    throw err;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}
