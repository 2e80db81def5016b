/**
 * Small problems for the weighting tests. `makeToy` is a two-layer trunk with one linear head per
 * task and identity ops that count how often the backward pass runs through the trunk and through
 * each head: the cost of a method, measured in passes rather than time. `linearTasks` gives losses
 * Lᵢ = gᵢ·θ whose gradients are exactly the given vectors.
 */
import { Module, Linear, Sequential, Tanh, Parameter, functional as F } from '../../../src/nn/index.js';
import { grad, randn, tensor, Tensor } from '../../../src/tensor/index.js';
import { record } from '../../../src/tensor/autograd.js';
import { manualSeed } from '../../../src/core/rng.js';
import type { MtlStepContext } from '../../../src/multitask/weighting/index.js';

/** Identity whose backward counts its calls. */
export class BackwardCounter extends Module {
  count = 0;
  forward(x: Tensor): Tensor {
    return record(new Tensor(x.data, x.shape), 'count', [x], (g) => {
      this.count++;
      return [g];
    });
  }
}

export interface Toy {
  tasks: string[];
  trunk: Sequential;
  heads: Record<string, Sequential>;
  trunkCounter: BackwardCounter;
  headCounters: Record<string, BackwardCounter>;
  sharedParams: Parameter[];
  taskParams: Record<string, Parameter[]>;
  /** A fresh forward pass (counters reset) as a step context with the representation. */
  ctx(): MtlStepContext;
  zeroGrad(): void;
}

/** Trunk Linear(4,6) → count → tanh → Linear(6,5) → tanh; head t: Linear(5,1) → count; mse losses on targets of different scales. */
export function makeToy(tasks: string[], seed = 0, batch = 8): Toy {
  manualSeed(seed);
  const trunkCounter = new BackwardCounter();
  const trunk = new Sequential(new Linear(4, 6), trunkCounter, new Tanh(), new Linear(6, 5), new Tanh());
  const headCounters: Record<string, BackwardCounter> = {};
  const heads: Record<string, Sequential> = {};
  const targets: Record<string, Tensor> = {};
  tasks.forEach((t, i) => {
    headCounters[t] = new BackwardCounter();
    heads[t] = new Sequential(new Linear(5, 1), headCounters[t]!);
    targets[t] = randn([batch, 1])
      .mul(i + 1)
      .add(i % 2 === 0 ? 1 : -1);
  });
  const x = randn([batch, 4]);
  const sharedParams = trunk.parameters();
  const taskParams = Object.fromEntries(tasks.map((t) => [t, heads[t]!.parameters()]));
  return {
    tasks,
    trunk,
    heads,
    trunkCounter,
    headCounters,
    sharedParams,
    taskParams,
    ctx() {
      trunkCounter.count = 0;
      for (const c of Object.values(headCounters)) c.count = 0;
      const z = trunk.forward(x);
      const taskLosses = Object.fromEntries(tasks.map((t) => [t, F.mse(heads[t]!.forward(z), targets[t]!)]));
      return { taskLosses, sharedParams, taskParams, representation: z };
    },
    zeroGrad() {
      for (const p of [...trunk.parameters(), ...Object.values(heads).flatMap((h) => h.parameters())]) p.grad = null;
    },
  };
}

/** Each task's gradient over the shared parameters (flat) and over its head, from a fresh forward. */
export function referenceGrads(toy: Toy): { shared: Float64Array[]; heads: Record<string, Tensor[]> } {
  const ctx = toy.ctx();
  const shared: Float64Array[] = [];
  const heads: Record<string, Tensor[]> = {};
  for (const t of toy.tasks) {
    const gs = grad([ctx.taskLosses[t]!], [...toy.sharedParams, ...toy.taskParams[t]!], { retainGraph: true });
    shared.push(Float64Array.from(gs.slice(0, toy.sharedParams.length).flatMap((g) => Array.from(g.data))));
    heads[t] = gs.slice(toy.sharedParams.length);
  }
  return { shared, heads };
}

/** The shared parameters' `.grad`, flattened (zeros where null). */
export function sharedGrad(toy: Toy): Float64Array {
  return Float64Array.from(
    toy.sharedParams.flatMap((p) => (p.grad === null ? new Array<number>(p.size).fill(0) : Array.from(p.grad.data))),
  );
}

/** Losses Lᵢ = gᵢ·θ over one shared parameter θ, so that ∇Lᵢ = gᵢ exactly. */
export function linearTasks(
  gradients: readonly (readonly number[])[],
  lossValues?: readonly number[],
): { theta: Parameter; ctx(): MtlStepContext; tasks: string[] } {
  const dim = gradients[0]!.length;
  const theta = new Parameter(tensor(new Array<number>(dim).fill(0)));
  const tasks = gradients.map((_, i) => `t${i}`);
  return {
    theta,
    tasks,
    ctx() {
      theta.grad = null;
      // the offset sets the loss value without changing the gradient
      const taskLosses = Object.fromEntries(
        gradients.map((g, i) => [
          tasks[i]!,
          theta
            .mul(tensor([...g]))
            .sum()
            .add(lossValues?.[i] ?? 1),
        ]),
      );
      return { taskLosses, sharedParams: [theta], taskParams: {} };
    },
  };
}

/** Gram matrix of plain number vectors. */
export function gramOf(vectors: readonly (readonly number[])[]): Float64Array {
  const n = vectors.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = vectors[i]!.reduce((s, v, k) => s + v * vectors[j]![k]!, 0);
  return out;
}

/** Σ wᵢ·vᵢ. */
export function combination(vectors: readonly (readonly number[])[], w: ArrayLike<number>): number[] {
  return vectors[0]!.map((_, k) => vectors.reduce((s, v, i) => s + w[i]! * v[k]!, 0));
}

/** Random vectors from a seeded stream (mulberry32), independent of the global rng. */
export function randomVectors(seed: number, count: number, dim: number): number[][] {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Array.from({ length: dim }, () => uniform() * 2 - 1));
}

/** Asserts |a − b| ≤ atol + rtol·|b| elementwise, naming the first offending index. */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rtol = 1e-5,
  atol = 1e-7,
): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (!(diff <= atol + rtol * Math.abs(expected[i]!))) {
      throw new Error(
        `${what}: [${i}] ${actual[i]} vs ${expected[i]} (|diff| ${diff.toExponential(2)}); actual [${Array.from(actual).join(', ')}], expected [${Array.from(expected).join(', ')}]`,
      );
    }
  }
}
