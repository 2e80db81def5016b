/**
 * The optimizer base: parameter groups (each with its own lr and weight decay), per-parameter state,
 * zeroGrad, and a state dict from which training resumes bit-exactly. Subclasses implement `step`
 * with the backend's fused update kernels, which write the parameter data in place.
 *
 * @example
 * const opt = new Adam([
 *   { params: model.getSubmodule('trunk').parameters(), lr: 1e-4 },
 *   { params: model.getSubmodule('head').parameters() },   // the defaults below
 * ], { lr: 1e-3, weightDecay: 0 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
import { ShapeError, ValueError } from '../core/errors.js';
import { Tensor } from '../tensor/index.js';
import { recordFrom } from '../core/safe-keys.js';

/** Hyperparameters every optimizer's groups carry. */
export interface GroupOptions {
  lr: number;
  weightDecay: number;
}

/** One parameter group: its tensors, its hyperparameters, and the lr schedulers start from. */
export type ParamGroup<O extends GroupOptions> = O & {
  params: Tensor[];
  /** The lr before any scheduler changed it; set by the first scheduler attached. */
  initialLr?: number;
};

/** A group as given to the constructor: tensors plus any hyperparameters that differ from the defaults. */
export type ParamGroupSpec<O extends GroupOptions> = Partial<O> & { params: Iterable<Tensor> };

/** What an optimizer takes: tensors (one group) or group specs. */
export type ParamsArg<O extends GroupOptions> = Iterable<Tensor> | readonly ParamGroupSpec<O>[];

/** Per-parameter optimizer state: tensors (moments) and numbers (step counts). */
export type ParamState = Record<string, Tensor | number>;

/**
 * An optimizer's state. Parameters are numbered in group order; `state` is keyed by that number and
 * `paramGroups` lists each group's hyperparameters with the numbers of its parameters. Tensors share
 * memory with the live state: serialise or clone them before stepping again if a snapshot is wanted.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * Base of optimizers: groups, state, zeroGrad, state dicts. `O` is the group hyperparameters, `S` the
 * per-parameter state.
 *
 * @example
 * opt.paramGroups[0].lr = 1e-4; // what schedulers do
 */
export abstract class Optimizer<O extends GroupOptions, S extends ParamState = ParamState> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** State of each parameter that has been stepped. */
  protected readonly state = new Map<Tensor, S>();

  constructor(
    params: ParamsArg<O>,
    readonly defaults: O,
  ) {
    this.checkOptions(defaults);
    const list = [...params];
    if (list.length === 0) throw new ValueError(this.constructor.name, 'got an empty parameter list');
    if (list.every((p) => p instanceof Tensor)) this.#addGroup(list as Tensor[], {});
    else if (list.every((g) => !(g instanceof Tensor) && typeof g === 'object' && 'params' in g)) {
      for (const g of list as ParamGroupSpec<O>[]) this.addParamGroup(g);
    } else {
      throw new ValueError(
        this.constructor.name,
        'params must be tensors or parameter groups ({ params, ...options }), not a mix',
      );
    }
  }

  /** Updates every parameter that has a gradient; those with `.grad === null` are skipped. */
  abstract step(): void;

  /** Throws when a hyperparameter is out of range. */
  protected abstract checkOptions(o: O): void;

  /**
   * Adds a group; options it omits come from the defaults.
   *
   * @example
   * opt.addParamGroup({ params: newHead.parameters(), lr: 1e-2 });
   */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    this.#addGroup([...spec.params], spec);
  }

  /** `options` may carry a `params` entry; the checked `params` replace it. */
  #addGroup(params: Tensor[], options: Partial<O>): void {
    const name = this.constructor.name;
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new ValueError(name, 'a parameter group holds something that is not a Tensor');
      if (p.dtype !== 'float32') throw new ValueError(name, `can only optimise float32 tensors, got ${p.dtype}`);
      if (p.gradFn !== null)
        throw new ValueError(name, `can only optimise leaf tensors, got the output of '${p.gradFn.name}'`);
      if (taken.has(p)) throw new ValueError(name, 'a parameter appears in more than one group (or twice in one)');
      taken.add(p);
    }
    // arrays (betas) are copied so that a scheduler cycling beta1 in one group leaves the others alone
    const group = { ...copyValues({ ...this.defaults, ...options }), params } as ParamGroup<O>;
    this.checkOptions(group);
    this.paramGroups.push(group);
  }

  /** Drops every parameter's gradient (sets `.grad` to null); gradients are never zeroed in place. */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /**
   * The state (moments, step counts) and group hyperparameters, for checkpoints.
   *
   * @example
   * const saved = opt.stateDict();
   * // ... later, with a freshly built model and optimizer:
   * opt2.loadStateDict(saved);
   */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const paramGroups: OptimizerStateDict['paramGroups'] = [];
    let index = 0;
    for (const g of this.paramGroups) {
      const ids: number[] = [];
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = { ...s };
        ids.push(index++);
      }
      const { params: _params, ...hyper } = g;
      paramGroups.push({ ...copyValues(hyper), params: ids });
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from an optimizer built the same way (same groups, same parameter
   * shapes): hyperparameters and state are copied, so later steps match the saved run exactly.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(
        name,
        `the state dict has ${sd.paramGroups.length} parameter groups, this optimizer ${this.paramGroups.length}`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi]!;
      if (saved.params.length !== group.params.length) {
        throw new ValueError(
          name,
          `group ${gi} has ${saved.params.length} parameters in the state dict, ${group.params.length} here`,
        );
      }
      saved.params.forEach((id, pi) => byIndex.set(id, group.params[pi]!));
    });
    const restored = new Map<Tensor, S>();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new ValueError(name, `state for parameter ${key}, which no group lists`);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor && v.size !== p.size) {
          throw new ShapeError(
            name,
            `state '${k}' of parameter ${key} has shape [${v.shape.join(',')}], the parameter [${p.shape.join(',')}]`,
          );
        }
        copy[k] = v instanceof Tensor ? new Tensor(Float32Array.from(v.data), p.shape) : v;
      }
      restored.set(p, copy as S);
    }
    sd.paramGroups.forEach((saved, gi) => {
      const { params: _params, ...hyper } = saved;
      Object.assign(this.paramGroups[gi]!, copyValues(hyper));
    });
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }
}

/** A shallow copy in which array values (betas) are copied too. */
function copyValues(o: Record<string, unknown>): Record<string, unknown> {
  return recordFrom(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
}

/** Throws unless `v` is a finite number ≥ 0 (< 1 when `belowOne`). */
export function checkRange(where: string, name: string, v: number, belowOne = false): void {
  if (!(Number.isFinite(v) && v >= 0 && (!belowOne || v < 1))) {
    throw new ValueError(where, `${name} must be ${belowOne ? 'in [0, 1)' : 'a finite number >= 0'}, got ${v}`);
  }
}

/** Throws unless p.grad is float32 with p's size (optimizers call it before a fused update). */
export function checkGrad(where: string, p: Tensor): void {
  const g = p.grad!;
  if (g.dtype !== 'float32' || g.size !== p.size) {
    throw new ShapeError(
      where,
      `gradient ${g.dtype} [${g.shape.join(',')}] does not fit parameter [${p.shape.join(',')}]`,
    );
  }
}
