/**
 * The base of methods that combine per-task gradients. It computes one gradient per task, over the
 * shared parameters or over the shared representation, forms their Gram matrix, asks the subclass
 * for the weights of a linear combination Σ cᵢgᵢ (every method here is such a combination, with
 * weights that depend on the gradients only through their inner products, and on the loss values),
 * and writes the combination into `.grad`.
 *
 * Costs. Over the parameters: one gradient call per task through the trunk, whose task's head
 * gradient comes from the same call, and nothing more. Over the representation z: one call per task
 * through that task's head only (the engine's `grad` skips the trunk, which does not lead to z),
 * then one backward of Σ cᵢ∂Lᵢ/∂z through the trunk.
 *
 * A task whose gradient is zero (no label of it in the batch) gets weight 0 and the method solves
 * for the others: the solvers of MGDA, IMTL-G, Aligned-MTL and Nash-MTL would otherwise read a zero
 * gradient as a reason to stop, or divide by it.
 *
 * @example
 * class Mean extends GradientWeighting {
 *   readonly key = 'upgrad';
 *   protected solve(p: GradientProblem) { return new Float64Array(p.size).fill(1 / p.size); }
 * }
 */
import { ValueError } from '../../core/errors.js';
import { Tensor } from '../../tensor/index.js';
import { WeightingBase } from './base.js';
import { accumulateGrad, combine, gramMatrix, taskGradients, trainable } from './gradients.js';
import type { MtlStepContext, WeightingStep } from './types.js';

/** Where per-task gradients are taken. */
export type GradientSpace = 'parameters' | 'representation';

export interface GradientMethodOptions {
  /**
   * 'parameters' (the shared parameters; the methods' original form) or 'representation' (the
   * trunk's output, needing `ctx.representation`: much cheaper, as MGDA-UB does). Each method states
   * its default.
   */
  space?: GradientSpace;
}

/** The tasks with a non-zero gradient in one step, as a subclass sees them. */
export interface GradientProblem {
  /** Number of such tasks. */
  size: number;
  /** Their Gram matrix, row-major size×size, float64. */
  gram: Float64Array;
  /** Their loss values. */
  losses: Float64Array;
  /** Their indices in the method's task list. */
  tasks: readonly number[];
}

export abstract class GradientWeighting extends WeightingBase {
  readonly needs: 'sharedGrads' | 'representationGrads';

  constructor(tasks: readonly string[], space: GradientSpace) {
    super(tasks);
    if (space !== 'parameters' && space !== 'representation') {
      throw new ValueError(new.target.name, `space must be 'parameters' or 'representation', got '${String(space)}'`);
    }
    this.needs = space === 'parameters' ? 'sharedGrads' : 'representationGrads';
  }

  backward(ctx: MtlStepContext): WeightingStep {
    const losses = this.checkContext(ctx);
    const heads = this.tasks.map((t) => trainable(ctx.taskParams[t] ?? []));
    const z = this.needs === 'representationGrads' ? this.representation(ctx) : null;
    const wrt = z === null ? trainable(ctx.sharedParams) : [z];
    const vectors = taskGradients(losses, wrt, heads, z !== null);
    const gram = gramMatrix(vectors);
    const n = this.tasks.length;
    const active = this.tasks.map((_, i) => i).filter((i) => gram[i * n + i]! > 0);
    const weights = new Float64Array(n);
    if (active.length > 0) {
      const c = this.solve({
        size: active.length,
        gram: subMatrix(gram, n, active),
        losses: Float64Array.from(active, (i) => losses[i]!.item()),
        tasks: active,
      });
      active.forEach((i, k) => {
        weights[i] = c[k]!;
      });
    }
    const combined = combine(vectors, weights);
    if (z === null) accumulateGrad(wrt, combined);
    else z.backward(new Tensor(combined, z.shape));
    return { weights: this.named(weights) };
  }

  /** The weights cᵢ of the combination, one per task of the problem. */
  protected abstract solve(problem: GradientProblem): Float64Array;

  private representation(ctx: MtlStepContext): Tensor {
    const z = ctx.representation;
    if (z === undefined) {
      throw new ValueError(
        `${this.key}.backward`,
        "works on the shared representation: pass ctx.representation (the trunk's output that every head reads), or build it with { space: 'parameters' }",
      );
    }
    if (!z.requiresGrad || z.gradFn === null) {
      throw new ValueError(
        `${this.key}.backward`,
        'ctx.representation must be the output of the shared trunk in the current graph (it has no recorded graph)',
      );
    }
    return z;
  }
}

/** The rows and columns `keep` of an n×n row-major matrix. */
function subMatrix(m: Float64Array, n: number, keep: readonly number[]): Float64Array {
  const k = keep.length;
  return Float64Array.from({ length: k * k }, (_, idx) => m[keep[Math.floor(idx / k)]! * n + keep[idx % k]!]!);
}
