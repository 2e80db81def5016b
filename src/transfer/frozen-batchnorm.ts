/**
 * Frozen batch-norm statistics: batch-norm layers stay in eval mode (normalising with the running
 * statistics of the source data, and not updating them) while the rest of the model trains. With
 * few target labels, batch statistics are noisy and the running ones drift away from what the
 * pre-trained weights expect; freezing them is the usual fix.
 *
 * `Module.train()` sets the flag of every descendant directly, so a flag set once would be undone by
 * the next `model.train()`. The layers' `training` property is therefore pinned to false until
 * released; their affine scale and shift still train unless frozen separately.
 *
 * @example
 * const release = freezeBatchNormStats(model);
 * model.train();           // BN layers stay in eval mode
 * // ... fine-tune ...
 * release();               // BN layers follow train()/eval() again
 */
import { BatchNorm1d, BatchNorm2d, type AnyModule } from '../nn/index.js';
import { nameMatcher } from './glob.js';

/**
 * Pins every batch-norm layer whose module name matches `patterns` (default: all) to eval mode.
 * Returns a function that releases them (leaving them in the mode of their model).
 *
 * @example
 * const release = freezeBatchNormStats(model, 'trunk.*');
 */
export function freezeBatchNormStats(model: AnyModule, patterns: string | readonly string[] = '**'): () => void {
  const match = nameMatcher(patterns);
  const pinned = model
    .namedModules()
    .filter(([name, m]) => (m instanceof BatchNorm1d || m instanceof BatchNorm2d) && match(name))
    .map(([, m]) => m);
  for (const m of pinned) {
    Object.defineProperty(m, 'training', {
      get: () => false,
      set: () => undefined,
      configurable: true,
      enumerable: true,
    });
  }
  return () => {
    for (const m of pinned)
      Object.defineProperty(m, 'training', {
        value: model.training,
        writable: true,
        configurable: true,
        enumerable: true,
      });
  };
}
