/**
 * GradNorm (Chen, Badrinarayanan, Lee & Rabinovich 2018, "GradNorm: gradient normalization for
 * adaptive loss balancing in deep multitask networks"). Learnable loss weights wᵢ are moved so that
 * the gradient norm of each weighted loss at the last shared layer W, Gᵢ = ‖∇_W wᵢLᵢ‖, approaches
 * Ḡ·rᵢ^α, where Ḡ is the mean of the Gᵢ and rᵢ = L̃ᵢ/mean(L̃) the task's relative inverse training
 * rate (L̃ᵢ = Lᵢ/Lᵢ(0)): tasks that train slowly get larger gradients.
 *
 * The balancing loss is L_grad = Σ|Gᵢ − Ḡrᵢ^α| with the targets held constant, as in the paper.
 * Since Gᵢ = wᵢ‖∇_W Lᵢ‖, its gradient is analytic, ∂L_grad/∂wᵢ = sign(Gᵢ − targetᵢ)·‖∇_W Lᵢ‖: no
 * second-order autograd. Each step costs one gradient call per task that reaches W only (the
 * engine's `grad` runs the heads and W's layer, not the trunk below it) and one backward of Σ wᵢLᵢ.
 * The weights go to the trainer's optimizer (`parameters()`); each step first renormalises them to
 * sum to the number of tasks, as the paper does after every update.
 *
 * @example
 * const gn = new GradNorm(['a', 'b'], { alpha: 1.5 });
 * const opt = new optim.Adam([...model.parameters(), ...gn.parameters()], { lr: 1e-3 });
 * gn.backward(ctx); opt.step();
 */
import { ValueError } from '../../core/errors.js';
import { grad, noGrad, ones, tensor, type Tensor } from '../../tensor/index.js';
import { Parameter } from '../../nn/index.js';
import { stateTensor } from './base.js';
import { addGrad, trainable } from './gradients.js';
import { dot } from '../../core/linalg.js';
import { LossWeighting, presentTasks, weightedSum, type WeightedObjective } from './loss-weighting.js';
import type { MtlStepContext, WeightingState } from './types.js';

export interface GradNormOptions {
  /** α, the strength of the pull towards equal training rates. Default 1.5. */
  alpha?: number;
  /**
   * The parameters of the last shared layer, where gradient norms are measured. Default: the last
   * shared parameter with two or more dimensions (the last layer's weight, as modules list them).
   */
  layer?: readonly Parameter[];
}

export class GradNorm extends LossWeighting {
  readonly key = 'gradnorm' as const;
  readonly alpha: number;
  /** The loss weights wᵢ, starting at 1. */
  readonly weights: Parameter;
  readonly #layer: readonly Parameter[] | undefined;
  /** Each task's first non-zero loss, Lᵢ(0); NaN until seen. float32 so the state round-trips exactly. */
  readonly #initial: Float32Array;

  constructor(tasks: readonly string[], opts: GradNormOptions = {}) {
    super(tasks);
    this.alpha = opts.alpha ?? 1.5;
    if (!(this.alpha >= 0 && Number.isFinite(this.alpha)))
      throw new ValueError('GradNorm', `alpha must be a finite number >= 0, got ${opts.alpha}`);
    if (opts.layer !== undefined && opts.layer.length === 0)
      throw new ValueError('GradNorm', 'layer must list at least one parameter');
    this.#layer = opts.layer;
    this.weights = new Parameter(ones([this.tasks.length]));
    this.#initial = new Float32Array(this.tasks.length).fill(NaN);
  }

  override parameters(): Parameter[] {
    return [this.weights];
  }

  protected objective(losses: Tensor[], ctx: MtlStepContext): WeightedObjective {
    const n = this.tasks.length;
    const w = this.#renormalize();
    const values = losses.map((l) => l.item());
    const present = presentTasks(values);
    values.forEach((v, i) => {
      if (present[i] && Number.isNaN(this.#initial[i]!)) this.#initial[i] = v;
    });
    const layer = this.#layer === undefined ? lastLayer(ctx) : trainable(this.#layer);
    if (layer.length === 0) throw new ValueError('gradnorm.backward', 'every parameter of { layer } is frozen');
    const norms = losses.map((l, i) => {
      if (!present[i] || !l.requiresGrad) return 0;
      const gs = grad([l], layer, { retainGraph: true, allowUnused: true });
      return Math.sqrt(gs.reduce((acc, g) => acc + dot(g.data, g.data), 0));
    });
    const live = this.tasks.map((_, i) => i).filter((i) => present[i]);
    const dw = new Float32Array(n);
    if (live.length > 0) {
      const mean = (f: (i: number) => number): number => live.reduce((s, i) => s + f(i), 0) / live.length;
      const gNorm = (i: number): number => w[i]! * norms[i]!;
      const meanG = mean(gNorm);
      const rate = (i: number): number => values[i]! / this.#initial[i]!;
      const meanRate = mean(rate);
      for (const i of live) {
        const target = meanG * (rate(i) / meanRate) ** this.alpha;
        dw[i] = Math.sign(gNorm(i) - target) * norms[i]!;
      }
    }
    addGrad(this.weights, tensor(dw));
    return weightedSum(losses, w);
  }

  /** Clips the weights at 0 and rescales them to sum to the number of tasks (all 1 if all are 0). */
  #renormalize(): Float64Array {
    const n = this.tasks.length;
    const w = Float64Array.from(this.weights.data, (v) => Math.max(v, 0));
    const total = w.reduce((a, b) => a + b, 0);
    const scaled = total > 0 ? w.map((v) => (n * v) / total) : w.fill(1);
    noGrad(() => this.weights.data.set(scaled));
    return Float64Array.from(this.weights.data);
  }

  override stateDict(): WeightingState {
    return { weights: stateTensor(this.weights.data), initial_losses: stateTensor(this.#initial) };
  }

  override loadStateDict(state: Readonly<WeightingState>): void {
    this.checkStateKeys(state, ['weights', 'initial_losses']);
    const n = this.tasks.length;
    const w = this.stateValues(state, 'weights', n);
    this.#initial.set(this.stateValues(state, 'initial_losses', n));
    noGrad(() => this.weights.data.set(w));
  }
}

/** The last trainable shared parameter with two or more dimensions (else the last one). */
function lastLayer(ctx: MtlStepContext): Parameter[] {
  const shared = trainable(ctx.sharedParams);
  if (shared.length === 0)
    throw new ValueError('gradnorm.backward', 'needs at least one trainable shared parameter (or { layer })');
  const matrices = shared.filter((p) => p.ndim >= 2);
  return [matrices[matrices.length - 1] ?? shared[shared.length - 1]!];
}
