/**
 * Re-initialising a module as a freshly built one would be: what training from scratch starts
 * from. Each layer with parameters of its own knows its initialisation (`resetParameters()`, as
 * PyTorch's `reset_parameters`): linear and convolution layers as PyTorch initialises them,
 * normalisation layers to scale 1, shift 0 and fresh statistics, embeddings N(0, 1), attention
 * xavier-uniform. A model with a scheme of its own (torchvision's ViT: class token 0, position table
 * N(0, 0.02²), MLP xavier) implements `resetParameters()` too: it resets its children with
 * `resetChildren` and then applies its scheme, the same code its constructor runs. A module with
 * parameters of its own and no `resetParameters()` is refused rather than left pre-trained.
 *
 * @example
 * resetParameters(model);      // every parameter and buffer as at construction (new random draws)
 * class Net extends Module { resetParameters(): void { resetChildren(this); init.zeros(this.scale); } ... }
 */
import { ValueError } from '../core/errors.js';
import type { AnyModule } from './module.js';

/** A module that re-initialises its whole subtree itself. */
export interface Resettable {
  resetParameters(): void;
}

/**
 * Whether `m` re-initialises itself (has a `resetParameters()` method).
 *
 * @example
 * isResettable(new Linear(2, 2)); // true
 */
export function isResettable(m: AnyModule): m is AnyModule & Resettable {
  return typeof (m as Partial<Resettable>).resetParameters === 'function';
}

const join = (prefix: string, name: string): string => (prefix === '' ? name : `${prefix}.${name}`);

function reset(m: AnyModule, path: string): void {
  if (isResettable(m)) {
    m.resetParameters();
    return;
  }
  // parameters and saved buffers (a fixed table that is not saved, a sinusoidal one, needs nothing)
  const own = Object.keys(m.stateDict()).filter((k) => !k.includes('.'));
  if (own.length > 0)
    throw new ValueError(
      'resetParameters',
      `cannot re-initialise ${m.constructor.name} at '${path}' (its ${own.join(', ')}): it has no resetParameters()`,
    );
  for (const [k, c] of m.namedChildren()) reset(c, join(path, k));
}

/**
 * Re-initialises every parameter and buffer of `module` in place, drawing from the seeded stream.
 *
 * @example
 * manualSeed(1);
 * resetParameters(model); // forget the pre-training
 */
export function resetParameters(module: AnyModule): void {
  reset(module, '');
}

/**
 * Re-initialises the children of `module` (not its own parameters): the first half of a model's
 * own `resetParameters()`.
 *
 * @example
 * resetParameters(): void { resetChildren(this); init.zeros(this.classToken); }
 */
export function resetChildren(module: AnyModule): void {
  for (const [k, c] of module.namedChildren()) reset(c, k);
}
