/**
 * Putting LoRA adapters into a model by module-name glob, counting what trains, and merging the
 * adapters back into plain layers. Injection replaces each matching Linear or Conv2d in its parent
 * (a field, or a Sequential / ModuleList / ModuleDict entry) by its LoRA version, which freezes the
 * base weights; other parameters (a new head) keep their trainability.
 *
 * @example
 * freeze(model, 'trunk.*');
 * const names = injectLora(model, { targets: ['trunk.7'], rank: 8, alpha: 16 });
 * loraSummary(model); // { adapters: 1, loraParameters: 26112, trainable: 26112 + head, total: ... }
 * // ... train ...
 * mergeLora(model);   // plain layers again, same outputs
 */
import { ValueError } from '../../core/errors.js';
import { Conv2d, Linear, type AnyModule, type Parameter } from '../../nn/index.js';
import { nameMatcher } from '../glob.js';
import { LoRAConv2d } from './lora-conv.js';
import { LoRALinear, type LoraOptions } from './lora-linear.js';

export interface InjectLoraOptions extends LoraOptions {
  /** Globs on module names (`trunk.7`, `trunk.*`, `heads.*`) selecting the layers to adapt. */
  targets: string | readonly string[];
}

/** Puts `child` in place of `parent`'s member `key`, keeping its position. */
function replaceChild(parent: AnyModule, key: string, child: AnyModule): void {
  if (Object.hasOwn(parent, key)) {
    Object.defineProperty(parent, key, { value: child, writable: true, configurable: true, enumerable: true });
  } else {
    parent.registerModule(key, child);
  }
}

/** Every module matching `match`, with its parent and key, found before any replacement. */
function locate(
  model: AnyModule,
  match: (name: string) => boolean,
): { name: string; parent: AnyModule; key: string; module: AnyModule }[] {
  const out: { name: string; parent: AnyModule; key: string; module: AnyModule }[] = [];
  for (const [prefix, parent] of model.namedModules()) {
    for (const [key, module] of parent.namedChildren()) {
      const name = prefix === '' ? key : `${prefix}.${key}`;
      if (match(name)) out.push({ name, parent, key, module });
    }
  }
  return out;
}

/**
 * Replaces every Linear and Conv2d whose module name matches `targets` with a LoRA adapter.
 * Returns the names replaced; throws when none matches or a match is another kind of module.
 *
 * @example
 * injectLora(model, { targets: 'trunk.*', rank: 4 }); // every linear and conv layer of the trunk
 */
export function injectLora(model: AnyModule, opts: InjectLoraOptions): string[] {
  const hits = locate(model, nameMatcher(opts.targets)).filter(
    ({ module }) =>
      module instanceof Linear ||
      module instanceof Conv2d ||
      module instanceof LoRALinear ||
      module instanceof LoRAConv2d,
  );
  if (hits.length === 0)
    throw new ValueError('injectLora', `${JSON.stringify(opts.targets)} matches no Linear or Conv2d module`);
  for (const h of hits) {
    if (h.module instanceof LoRALinear || h.module instanceof LoRAConv2d)
      throw new ValueError('injectLora', `'${h.name}' already has an adapter`);
    const lora = h.module instanceof Linear ? new LoRALinear(h.module, opts) : new LoRAConv2d(h.module as Conv2d, opts);
    replaceChild(h.parent, h.key, lora);
  }
  return hits.map((h) => h.name);
}

/**
 * Replaces every LoRA adapter with the plain layer it merges into. Returns the names merged.
 *
 * @example
 * mergeLora(model); // ['trunk.7']
 */
export function mergeLora(model: AnyModule): string[] {
  const hits = locate(model, () => true).filter(
    ({ module }) => module instanceof LoRALinear || module instanceof LoRAConv2d,
  );
  for (const h of hits) replaceChild(h.parent, h.key, (h.module as LoRALinear | LoRAConv2d).merged());
  return hits.map((h) => h.name);
}

/**
 * The frozen base weights and biases of every adapter in `model`: what must stay frozen when the
 * rest of the model is unfrozen for training.
 *
 * @example
 * loraBaseParameters(model).has(model.trunk.parameters()[0]); // true when trunk.0 is adapted
 */
export function loraBaseParameters(model: AnyModule): Set<Parameter> {
  const out = new Set<Parameter>();
  for (const m of model.modules()) {
    if (m instanceof LoRALinear || m instanceof LoRAConv2d) {
      out.add(m.weight);
      if (m.bias !== null) out.add(m.bias);
    }
  }
  return out;
}

/** What adapters a model holds and what trains. */
export interface LoraSummary {
  adapters: number;
  /** Scalars in the adapters' A and B. */
  loraParameters: number;
  /** Scalars that require gradients (adapters and anything else left trainable). */
  trainable: number;
  total: number;
}

/**
 * Counts the adapters and the trainable parameters of a model.
 *
 * @example
 * const { trainable, total } = loraSummary(model); // e.g. 27k of 450k
 */
export function loraSummary(model: AnyModule): LoraSummary {
  const adapters = model
    .modules()
    .filter((m): m is LoRALinear | LoRAConv2d => m instanceof LoRALinear || m instanceof LoRAConv2d);
  return {
    adapters: adapters.length,
    loraParameters: adapters.reduce((s, a) => s + a.loraA.size + a.loraB.size, 0),
    trainable: model.numParameters({ trainableOnly: true }),
    total: model.numParameters(),
  };
}
