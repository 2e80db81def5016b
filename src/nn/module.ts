/**
 * Module: the base class of layers and models. A module's children and parameters are the fields
 * that hold a Module or a Parameter, found in declaration order (as PyTorch finds attributes in
 * assignment order), plus any registered by name with `registerModule`/`registerParameter` for names
 * that are not identifiers ("0", task names). Buffers (state that is saved but not trained, such as
 * batch-norm running statistics) are always registered by name, since their PyTorch names
 * (`running_mean`) are not the fields' names. Fields in `#private` slots are not discovered, which
 * is how a module keeps a reference to another module without owning it.
 *
 * @example
 * class Net extends Module {
 *   trunk = new Sequential(new Linear(4, 8), new ReLU());
 *   head = new Linear(8, 2);
 *   forward(x: Tensor): Tensor { return this.head.forward(this.trunk.forward(x)); }
 * }
 * const net = new Net();
 * net.namedParameters().map(([n]) => n); // ['trunk.0.weight', 'trunk.0.bias', 'head.weight', 'head.bias']
 * net.eval();
 */
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../tensor/index.js';
import { Parameter } from './parameter.js';
import { loadState, type LoadStateDictOptions, type StateDictReport } from './state.js';
import { nullRecord } from '../core/safe-keys.js';

/** A module of any forward signature: the type of children. */
// `any[]`, not `unknown[]`: a module's forward parameters are contravariant, so only `any` admits them all.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModule = Module<any[], unknown>;

interface BufferSlot {
  tensor: Tensor;
  /** Whether stateDict includes it. */
  persistent: boolean;
}

export interface RegisterBufferOptions {
  /** Include the buffer in stateDict. Default true. */
  persistent?: boolean;
}

/**
 * Base class of layers and models: subclasses declare children and parameters as fields and
 * implement `forward`. `In`/`Out` type forward's arguments and result (default Tensor → Tensor).
 *
 * @example
 * class Head extends Module {
 *   fc = new Linear(64, 10);
 *   forward(h: Tensor): Tensor { return this.fc.forward(h).logSoftmax(1); }
 * }
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (dropout active, batch norm on batch statistics); switch with train()/eval(). */
  training = true;
  readonly #registered = new Map<string, AnyModule | Parameter | null>();
  readonly #buffers = new Map<string, BufferSlot>();

  abstract forward(...args: In): Out;

  /** Registers a child under `name` (a name that need not be an identifier). Returns the child. */
  registerModule<M extends AnyModule>(name: string, module: M): M {
    this.#checkName(name, 'module');
    this.#registered.set(name, module);
    return module;
  }

  /** Registers a parameter under `name`; null records an absent optional parameter. Returns it. */
  registerParameter<P extends Parameter | null>(name: string, param: P): P {
    this.#checkName(name, 'parameter');
    this.#registered.set(name, param);
    return param;
  }

  /**
   * Registers a buffer: a tensor saved in the state dict (unless not persistent) and loaded in place,
   * but not trained. Returns it, so a field can keep a typed reference.
   *
   * @example
   * this.runningMean = this.registerBuffer('running_mean', zeros([c]));
   */
  registerBuffer(name: string, tensor: Tensor, opts: RegisterBufferOptions = {}): Tensor {
    this.#checkName(name, 'buffer');
    this.#buffers.set(name, { tensor, persistent: opts.persistent ?? true });
    return tensor;
  }

  /** Direct children, with their names. */
  namedChildren(): [string, AnyModule][] {
    return this.#members().filter((e): e is [string, AnyModule] => e[1] instanceof Module);
  }

  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module (named '') and every descendant once, depth first, with dotted names. */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const visit = (m: AnyModule, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [k, c] of m.namedChildren()) visit(c, name === '' ? k : `${name}.${k}`);
    };
    visit(this, prefix);
    return out;
  }

  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter once (a shared one under its first name), as [dotted name, parameter]. */
  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, p] of m.#ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([join(prefix, k), p]);
      }
    }
    return out;
  }

  /** Every parameter once: what an optimizer takes. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer once, persistent or not, as [dotted name, tensor]. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, b] of m.#buffers) out.push([join(prefix, k), b.tensor]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /**
   * The child at a dotted path ('' is this module).
   *
   * @example
   * model.getSubmodule('trunk.0');
   */
  getSubmodule(path: string): AnyModule {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the walk starts at this module
    let cur: AnyModule = this;
    if (path === '') return cur;
    for (const part of path.split('.')) {
      const next = cur.namedChildren().find(([k]) => k === part);
      if (next === undefined)
        throw new ValueError('getSubmodule', `'${path}' not found: ${cur.constructor.name} has no child '${part}'`);
      cur = next[1];
    }
    return cur;
  }

  /** Sets training mode on this module and every descendant. Returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, batch norm on running statistics. Returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Calls fn on every descendant, children before parents (as PyTorch), then on this. Returns this.
   *
   * @example
   * model.apply((m) => { if (m instanceof Linear) init.zeros(m.weight); });
   */
  apply(fn: (m: AnyModule) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Sets requiresGrad on every parameter: `requiresGrad_(false)` freezes the module (its parameters
   * get no gradient, so optimizers skip them). Returns this.
   *
   * @example
   * model.getSubmodule('trunk').requiresGrad_(false);
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Drops every parameter's gradient (sets `.grad` to null). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Number of scalar parameters, counting shared ones once; only trainable ones with `trainableOnly`. */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    return this.parameters()
      .filter((p) => !opts.trainableOnly || p.requiresGrad)
      .reduce((n, p) => n + p.size, 0);
  }

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order and with its names, so that
   * the dict saves to and loads from PyTorch checkpoints. The tensors share memory with the module:
   * serialise or clone them before training further if a snapshot is wanted.
   *
   * @example
   * new BatchNorm1d(4).stateDict(); // weight, bias, running_mean, running_var, num_batches_tracked
   */
  stateDict(): Record<string, Tensor> {
    const out = nullRecord<Tensor>();
    for (const [k, t] of this.#stateTargets()) out[k] = t.detach();
    return out;
  }

  /**
   * Copies a state dict into this module's parameters and buffers in place. Strict by default:
   * throws a StateDictError listing missing, unexpected and shape-mismatched keys, copying nothing.
   * With `{ strict: false }` copies what matches and returns the report.
   *
   * @example
   * const { missing, mismatched } = model.loadStateDict(pretrained, { strict: false });
   */
  loadStateDict(stateDict: Readonly<Record<string, Tensor>>, opts: LoadStateDictOptions = {}): StateDictReport {
    return loadState(this.#stateTargets(), stateDict, opts.strict ?? true);
  }

  /** Live tensors behind the state dict, walking children without de-duplication (as PyTorch). */
  #stateTargets(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const visit = (m: AnyModule, prefix: string): void => {
      for (const [k, p] of m.#ownParameters()) out.set(prefix + k, p);
      for (const [k, b] of m.#buffers) if (b.persistent) out.set(prefix + k, b.tensor);
      for (const [k, c] of m.namedChildren()) visit(c, `${prefix}${k}.`);
    };
    visit(this, '');
    return out;
  }

  #ownParameters(): [string, Parameter][] {
    return this.#members().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /** Own fields in declaration order, then registered members in registration order. */
  #members(): [string, unknown][] {
    const out: [string, unknown][] = [];
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(self)) {
      const v = self[key];
      if (Array.isArray(v) && v.some((x) => x instanceof Module || x instanceof Parameter)) {
        throw new ValueError(
          `${this.constructor.name}.${key}`,
          'a plain array of modules or parameters is not registered; use nn.ModuleList (or registerParameter for each)',
        );
      }
      out.push([key, v]);
    }
    for (const entry of this.#registered) out.push(entry);
    return out;
  }

  #checkName(name: string, kind: string): void {
    if (name === '' || name.includes('.'))
      throw new ValueError(`register ${kind}`, `name must be non-empty without '.', got '${name}'`);
    if (Object.hasOwn(this, name))
      throw new ValueError(`register ${kind}`, `'${name}' is already a field of ${this.constructor.name}`);
    const taken = kind === 'buffer' ? this.#registered.has(name) : this.#buffers.has(name);
    if (taken)
      throw new ValueError(
        `register ${kind}`,
        `'${name}' is already registered on ${this.constructor.name} as another kind of member`,
      );
  }
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}
