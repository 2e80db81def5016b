/**
 * Containers. Sequential chains modules (children named "0", "1", ... as in PyTorch, so state-dict
 * keys read `trunk.0.weight`); ModuleList and ModuleDict hold modules that the owner calls itself,
 * e.g. one head per task, and register them so their parameters are found.
 *
 * @example
 * const trunk = new Sequential(new Linear(4, 8), new ReLU());
 * const heads = new ModuleDict({ digit: new Linear(8, 10), parity: new Linear(8, 2) });
 * const h = trunk.forward(x);
 * const outs = [...heads].map(([task, head]) => [task, head.forward(h)]);
 */
import { PolytaskError, ValueError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/index.js';
import { Module, type AnyModule } from '../module.js';
import { ReLU } from './activation.js';
import { MaxPool2d } from './pool.js';

/**
 * Applies its children in order.
 *
 * @example
 * new Sequential(new Conv2d(1, 8, 3), new ReLU(), new Flatten()).forward(x);
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  /** Appends a module as the next child. Returns this. */
  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  get length(): number {
    return this.children().length;
  }

  /** The child at index i (negative counts from the end). */
  at(i: number): Module {
    return itemAt(this.children() as Module[], i, 'Sequential');
  }

  [Symbol.iterator](): Iterator<Module> {
    return (this.children() as Module[])[Symbol.iterator]();
  }

  /**
   * Applies the children in order. A ReLU followed by a MaxPool2d runs as the pool, then the ReLU:
   * max and ReLU commute (ReLU is nondecreasing), so the values and the gradients are exactly
   * those of the written order (a window whose maximum is not positive gets 0 and sends back 0
   * either way; a NaN is picked and passed on by both), while the ReLU and its gradient touch a
   * quarter of the elements and two activations of the conv's size are never allocated.
   */
  forward(x: Tensor): Tensor {
    const mods = this.children() as Module[];
    let y = x;
    for (let i = 0; i < mods.length; i++) {
      const m = mods[i]!;
      const next = mods[i + 1];
      if (next !== undefined && exactly(m, ReLU) && exactly(next, MaxPool2d)) {
        y = m.forward(next.forward(y));
        i++;
      } else y = m.forward(y);
    }
    return y;
  }
}

/** Whether `m` is an instance of `cls` itself, not of a subclass (which may override forward). */
function exactly(m: Module, cls: abstract new (...args: never[]) => Module): boolean {
  return Object.getPrototypeOf(m) === cls.prototype;
}

/**
 * A list of modules, registered as children "0", "1", ...; it has no forward of its own.
 *
 * @example
 * const blocks = new ModuleList([new Linear(8, 8), new Linear(8, 8)]);
 * for (const b of blocks) h = b.forward(h).relu();
 */
export class ModuleList<M extends AnyModule = Module> extends Module<[], never> {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Appends a module. Returns this. */
  append(module: M): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  get length(): number {
    return this.children().length;
  }

  /** The module at index i (negative counts from the end). */
  at(i: number): M {
    return itemAt(this.children() as M[], i, 'ModuleList');
  }

  [Symbol.iterator](): Iterator<M> {
    return (this.children() as M[])[Symbol.iterator]();
  }

  forward(): never {
    throw new PolytaskError('ModuleList has no forward: iterate it and call each module');
  }
}

/**
 * Modules by name, in insertion order; state-dict keys read `heads.<name>.weight`.
 *
 * @example
 * const heads = new ModuleDict({ age: new Linear(64, 1) });
 * heads.set('gender', new Linear(64, 2));
 * heads.get('age').forward(h);
 */
export class ModuleDict<M extends AnyModule = Module> extends Module<[], never> {
  constructor(modules: Readonly<Record<string, M>> | Iterable<readonly [string, M]> = {}) {
    super();
    const entries =
      Symbol.iterator in modules ? [...(modules as Iterable<readonly [string, M]>)] : Object.entries(modules);
    for (const [name, m] of entries) this.set(name, m);
  }

  /** Adds or replaces the module under `name`. Returns this. */
  set(name: string, module: M): this {
    this.registerModule(name, module);
    return this;
  }

  /** The module under `name`; throws naming the known keys when absent. */
  get(name: string): M {
    const hit = this.namedChildren().find(([k]) => k === name);
    if (hit === undefined)
      throw new ValueError('ModuleDict', `no module '${name}'; keys are ${this.keys().join(', ') || '(none)'}`);
    return hit[1] as M;
  }

  has(name: string): boolean {
    return this.namedChildren().some(([k]) => k === name);
  }

  keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }

  entries(): [string, M][] {
    return this.namedChildren() as [string, M][];
  }

  [Symbol.iterator](): Iterator<[string, M]> {
    return this.entries()[Symbol.iterator]();
  }

  forward(): never {
    throw new PolytaskError('ModuleDict has no forward: look modules up by name and call them');
  }
}

function itemAt<T>(items: readonly T[], i: number, where: string): T {
  const j = i < 0 ? i + items.length : i;
  const item = items[j];
  if (!Number.isInteger(i) || item === undefined)
    throw new ValueError(where, `index ${i} out of range for ${items.length} modules`);
  return item;
}
