/**
 * Nash-MTL (Navon, Shamsian, Achituve, Maron, Kawaguchi, Chechik & Fetaya 2022, "Multi-task learning
 * as a bargaining game"). The update Σαᵢgᵢ is the Nash bargaining solution among the tasks: α > 0
 * solves GᵀGα = 1/α (with G the matrix of task gradients, so GᵀG is their Gram matrix), i.e. each
 * task's improvement gᵢ·d is 1/αᵢ. The paper approximates it by a sequence of convex programs; here
 * it is solved exactly by damped Newton steps on the convex function whose stationary point it is
 * (see `nashBargaining`), warm-started from the previous step's α.
 *
 * When the gradients nearly cancel, α and the update grow large along the directions in which they
 * do not (each task must still improve by 1/αᵢ); the paper's implementation clips the shared
 * gradient's norm for that reason. Here clipping is the trainer's (optim.clipGradNorm).
 *
 * @example
 * const nash = new NashMTL(['a', 'b']);
 * nash.backward(ctx).weights; // α: (GᵀGα)ᵢ = 1/αᵢ
 */
import { GradientWeighting, type GradientMethodOptions, type GradientProblem } from './gradient-weighting.js';
import { stateTensor } from './base.js';
import { nashBargaining } from './solvers.js';
import type { WeightingState } from './types.js';

export class NashMTL extends GradientWeighting {
  readonly key = 'nash' as const;
  /** The last α of each task (NaN until solved), the next solve's starting point. */
  readonly #previous: Float32Array;

  /** `space` defaults to 'parameters', as in the paper. */
  constructor(tasks: readonly string[], opts: GradientMethodOptions = {}) {
    super(tasks, opts.space ?? 'parameters');
    this.#previous = new Float32Array(this.tasks.length).fill(NaN);
  }

  protected solve(p: GradientProblem): Float64Array {
    const start = p.tasks.map((i) => this.#previous[i]!);
    const alpha = nashBargaining(p.gram, start.every((v) => v > 0) ? start : undefined);
    p.tasks.forEach((i, k) => {
      this.#previous[i] = alpha[k]!;
    });
    return alpha;
  }

  override stateDict(): WeightingState {
    return { alpha: stateTensor(this.#previous) };
  }

  override loadStateDict(state: Readonly<WeightingState>): void {
    this.checkStateKeys(state, ['alpha']);
    this.#previous.set(this.stateValues(state, 'alpha', this.tasks.length));
  }
}
