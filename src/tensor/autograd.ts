/**
 * Reverse-mode autograd over a dynamic tape. Each op output that needs a gradient holds a `GradFn`
 * naming its inputs and a closure from the output's gradient to the inputs' gradients. `backward`
 * walks the graph in reverse topological order; `grad` does the same but returns the gradients
 * instead of accumulating them into `.grad`, so several losses can be differentiated over one graph.
 *
 * @example
 * const w = randn([3], { requiresGrad: true });
 * const [gw] = grad([w.mul(w).sum()], [w], { retainGraph: true });
 */
import { computePrecision, setComputePrecision, type Precision } from '../backend/precision.js';
import { releaseStorage, type TypedArray } from '../core/dtype.js';
import { PolytaskError, ShapeError } from '../core/errors.js';
import { fmt, shapesEqual } from '../core/shape.js';
import { BackwardStorage } from './backward-storage.js';
import type { Tensor } from './tensor.js';

/** Backward closure: gradient of the output → gradients of the inputs (null where not needed). */
export type BackwardFn = (gradOutput: Tensor, needsGrad: readonly boolean[]) => readonly (Tensor | null)[];

export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  backward: BackwardFn | null; // null once the graph is freed
  /** Arrays only `backward` reads (pooling indices, saved statistics): handed back when the graph is freed. */
  saved: readonly TypedArray[];
  /** The precision of matmuls and convolutions when the op ran; its backward runs at it too (autocast.ts). */
  readonly precision: Precision;
}

let gradEnabled = true;

/** Whether ops currently record the tape. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording gradients (evaluation, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

const NOTHING_SAVED: readonly TypedArray[] = Object.freeze([]);

/**
 * Marks `out` as produced by op `name` from `inputs` when any input needs a gradient. Returns out.
 * Every differentiable op ends with this call. `saved`: arrays the op allocated for `backward`
 * alone (no tensor, output or other, views them): their storage goes back to the pool when the
 * graph is freed (a backward without retainGraph), or at once when nothing is recorded.
 *
 * @example
 * return record(new Tensor(y, shape), 'maxPool2d', [x], (gy) => [...], [argmax]);
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: BackwardFn,
  saved: readonly TypedArray[] = NOTHING_SAVED,
): Tensor {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) {
    for (const a of saved) releaseStorage(a);
    return out;
  }
  out.requiresGrad = true;
  out.gradFn = { name, inputs, backward, saved, precision: computePrecision() };
  return out;
}

/**
 * For a composite op's own intermediate (an array no tensor outside the op views): hands `data`
 * back once the node that produced `reader` is freed, when that node is the last one whose
 * backward reads `data`; at once when that node was not recorded (no gradient, or noGrad: the
 * forward has read it already).
 *
 * @example
 * const scores = qs.matmul(kt);        // matmul's backward reads qs and kt, nothing later does
 * releaseAfter(qs.data, scores);
 */
export function releaseAfter(data: TypedArray, reader: Tensor): void {
  const fn = reader.gradFn;
  if (fn === null || fn.backward === null) releaseStorage(data);
  else fn.saved = [...fn.saved, data];
}

/** Nodes reachable from roots through tensors that require grad, in reverse topological order (roots first). */
function reverseTopo(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // iterative post-order DFS: deep graphs (long training loops unrolled) must not overflow the stack
  const stack: Array<[Tensor, number]> = [];
  for (const r of roots) {
    if (seen.has(r) || !r.requiresGrad) continue;
    seen.add(r);
    stack.push([r, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [t, i] = top;
      const inputs = t.gradFn?.inputs ?? [];
      if (i < inputs.length) {
        top[1] = i + 1;
        const child = inputs[i]!;
        if (child.requiresGrad && !seen.has(child)) {
          seen.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(t);
      }
    }
  }
  return order.reverse();
}

/**
 * Propagates `seeds` (tensor → its gradient) back through the graph; returns the gradient of every
 * tensor reached that the caller may need: the leaves', and the targets' when given (the other
 * nodes' gradients are dropped as soon as their node has run, and `storage` hands back the memory
 * of those, and of each node's temporaries, that nothing else views). Frees the graph unless
 * retainGraph, handing back the arrays an op saved for its backward alone (`record`'s `saved`).
 */
function propagate(
  seeds: Map<Tensor, Tensor>,
  retainGraph: boolean,
  add: (a: Tensor, b: Tensor) => Tensor,
  storage: BackwardStorage,
  targets?: readonly Tensor[],
): Map<Tensor, Tensor> {
  const grads = new Map(seeds);
  for (const g of grads.values()) storage.hold(g);
  const order = reverseTopo([...seeds.keys()]);
  const live = targets === undefined ? null : leadingTo(order, targets);
  const kept = new Set(targets);
  const prev = gradEnabled;
  gradEnabled = false;
  const precision = computePrecision();
  try {
    for (const t of order) {
      const fn = t.gradFn;
      const g = grads.get(t);
      if (fn === null || g === undefined) continue;
      const needs = fn.inputs.map((x) => x.requiresGrad && (live === null || live.has(x)));
      // a node none of whose inputs leads to a target is skipped (and kept): grad w.r.t. a trunk output
      // then runs the heads only, as torch.autograd.grad does
      if (!needs.includes(true)) continue;
      if (fn.backward === null) {
        throw new PolytaskError(
          `backward: the graph through '${fn.name}' was already freed; pass { retainGraph: true } to the earlier backward/grad call`,
        );
      }
      setComputePrecision(fn.precision);
      const ins = fn.backward(g, needs);
      if (!retainGraph) freeNode(fn);
      const dropped: Tensor[] = [g];
      fn.inputs.forEach((x, i) => {
        const gi = ins[i];
        if (!needs[i] || gi === null || gi === undefined) return;
        if (!shapesEqual(gi.shape, x.shape)) {
          throw new ShapeError(
            `${fn.name} backward`,
            `gradient of shape ${fmt(gi.shape)} for input of shape ${fmt(x.shape)}`,
          );
        }
        const old = grads.get(x);
        // accumulation is out of place: a backward may hand back the very tensor it was given
        const sum = old === undefined ? gi : add(old, gi);
        grads.set(x, sum);
        storage.hold(sum);
        if (old !== undefined) {
          storage.drop(old);
          dropped.push(old, gi);
        }
      });
      if (!kept.has(t)) {
        grads.delete(t);
        storage.drop(g);
      }
      storage.sweep(dropped);
    }
  } finally {
    gradEnabled = prev;
    setComputePrecision(precision);
  }
  return grads;
}

/** Frees a node's part of the graph: its backward closure, and the arrays it saved for that alone. */
function freeNode(fn: GradFn): void {
  fn.backward = null;
  for (const a of fn.saved) releaseStorage(a);
  fn.saved = NOTHING_SAVED;
}

/** The nodes of `order` (reverse topological) from which some target can be reached, targets included. */
function leadingTo(order: readonly Tensor[], targets: readonly Tensor[]): Set<Tensor> {
  const live = new Set(targets);
  // inputs come after their consumers in `order`, so walking it backwards settles inputs first
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i]!;
    if (t.gradFn?.inputs.some((x) => live.has(x))) live.add(t);
  }
  return live;
}

export interface BackwardHooks {
  add: (a: Tensor, b: Tensor) => Tensor;
  onesLike: (t: Tensor) => Tensor;
  zerosLike: (t: Tensor) => Tensor;
}

/**
 * Implements `Tensor.backward`: accumulates into `.grad` of every leaf that requires grad. `.grad` is
 * replaced, never mutated in place, so it may alias a gradient the caller passed in.
 */
export function runBackward(root: Tensor, gradient: Tensor | undefined, retainGraph: boolean, h: BackwardHooks): void {
  if (!root.requiresGrad) {
    throw new PolytaskError(
      'backward: tensor does not require grad (no input of the computation had requiresGrad set)',
    );
  }
  const storage = new BackwardStorage();
  let kept: Tensor[] | null = null;
  try {
    const seed = seedFor('backward', root, gradient, h);
    const grads = propagate(new Map([[root, seed]]), retainGraph, h.add, storage);
    const leaves: Tensor[] = [];
    for (const [t, g] of grads) {
      if (t.gradFn !== null) continue;
      t.grad = t.grad === null ? g : h.add(t.grad, g);
      leaves.push(t.grad);
    }
    kept = leaves;
  } finally {
    storage.finish(kept);
  }
}

export interface GradOptions {
  /** Keep the graph so that another backward/grad can run through it. Default false. */
  retainGraph?: boolean;
  /** Gradients of the outputs (default: ones; required for non-scalar outputs). */
  gradOutputs?: readonly (Tensor | undefined)[];
  /** Return zeros for inputs the outputs do not depend on, instead of throwing. Default false. */
  allowUnused?: boolean;
}

/** Implements the functional `grad`: d(sum of outputs)/d(inputs), leaving `.grad` untouched. */
export function runGrad(
  outputs: readonly Tensor[],
  inputs: readonly Tensor[],
  opts: GradOptions,
  h: BackwardHooks,
): Tensor[] {
  const storage = new BackwardStorage();
  let kept: Tensor[] | null = null;
  try {
    const seeds = new Map<Tensor, Tensor>();
    outputs.forEach((o, i) => {
      if (!o.requiresGrad) throw new PolytaskError(`grad: output ${i} does not require grad`);
      const s = seedFor('grad', o, opts.gradOutputs?.[i], h);
      const old = seeds.get(o);
      seeds.set(o, old === undefined ? s : h.add(old, s));
    });
    const grads = propagate(seeds, opts.retainGraph ?? false, h.add, storage, inputs);
    kept = inputs.map((x, i) => {
      const g = grads.get(x);
      if (g !== undefined) return g;
      if (opts.allowUnused) return h.zerosLike(x);
      // a constant never receives a gradient: say so rather than blame the graph
      if (!x.requiresGrad) throw new PolytaskError(`grad: input ${i} (shape ${fmt(x.shape)}) does not require grad`);
      throw new PolytaskError(
        `grad: input ${i} (shape ${fmt(x.shape)}) is not used by the outputs; pass { allowUnused: true } to get zeros`,
      );
    });
    return kept;
  } finally {
    storage.finish(kept);
  }
}

function seedFor(op: string, root: Tensor, gradient: Tensor | undefined, h: BackwardHooks): Tensor {
  if (gradient !== undefined) {
    if (!shapesEqual(gradient.shape, root.shape)) {
      throw new ShapeError(op, `gradient shape ${fmt(gradient.shape)} does not match output shape ${fmt(root.shape)}`);
    }
    return gradient;
  }
  if (root.size !== 1) {
    throw new ShapeError(
      op,
      `an implicit gradient needs a scalar output, got shape ${fmt(root.shape)}; pass the gradient explicitly`,
    );
  }
  return h.onesLike(root);
}
