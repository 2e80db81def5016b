/**
 * Freezing and unfreezing parameters by glob on their names. A frozen parameter has
 * `requiresGrad = false`: it gets no gradient, so every optimizer skips it, and the backward pass
 * stops early below the lowest trainable layer.
 *
 * @example
 * freeze(model, 'trunk.*');            // linear probe: only the heads train
 * unfreeze(model, 'trunk.7.*');        // then the top trunk layer too
 * trainableNames(model);               // ['trunk.7.weight', 'trunk.7.bias', 'heads.digit.weight', 'heads.digit.bias']
 */
import { ValueError } from '../core/errors.js';
import type { AnyModule } from '../nn/index.js';
import { nameMatcher } from './glob.js';

/**
 * Sets `requiresGrad` on every parameter whose name matches `patterns`; returns their names. Throws
 * when nothing matches, since a pattern that selects nothing is almost always a typo.
 *
 * @example
 * setTrainable(model, ['trunk.*', '!trunk.7.*'], false);
 */
export function setTrainable(model: AnyModule, patterns: string | readonly string[], trainable: boolean): string[] {
  const match = nameMatcher(patterns);
  const hits = model.namedParameters().filter(([name]) => match(name));
  if (hits.length === 0) {
    const names = model.namedParameters().map(([n]) => n);
    throw new ValueError(
      trainable ? 'unfreeze' : 'freeze',
      `${JSON.stringify(patterns)} matches no parameter; names look like ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''}`,
    );
  }
  for (const [, p] of hits) p.requiresGrad = trainable;
  return hits.map(([n]) => n);
}

/**
 * Freezes the parameters matching `patterns` (default: all). Returns their names.
 *
 * @example
 * freeze(model, 'trunk.*');
 */
export function freeze(model: AnyModule, patterns: string | readonly string[] = '**'): string[] {
  return setTrainable(model, patterns, false);
}

/**
 * Unfreezes the parameters matching `patterns` (default: all). Returns their names.
 *
 * @example
 * unfreeze(model, 'heads.*');
 */
export function unfreeze(model: AnyModule, patterns: string | readonly string[] = '**'): string[] {
  return setTrainable(model, patterns, true);
}

/**
 * Names of the parameters that currently require gradients.
 *
 * @example
 * trainableNames(model).length;
 */
export function trainableNames(model: AnyModule): string[] {
  return model
    .namedParameters()
    .filter(([, p]) => p.requiresGrad)
    .map(([n]) => n);
}
