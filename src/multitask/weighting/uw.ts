/**
 * Uncertainty weighting (Kendall, Gal & Cipolla 2018, "Multi-task learning using uncertainty to weigh
 * losses"): each task has a learnable log-variance sᵢ = log σᵢ², and the objective is
 * Σ ½·e^(−sᵢ)·Lᵢ + ½·sᵢ, the negative log-likelihood of a Gaussian with variance σᵢ² (up to a
 * constant) when Lᵢ is a mean squared error. At the optimum e^(sᵢ) = Lᵢ, so a regression task's σᵢ²
 * tracks its residual variance and noisier tasks get smaller weights ½·e^(−sᵢ).
 *
 * The log-variances are parameters the trainer's optimizer must update: add `parameters()` to it.
 * A task absent from the batch (loss exactly 0) contributes no term, so missing labels do not pull
 * its variance to zero.
 *
 * @example
 * const uw = new UncertaintyWeighting(['depth', 'normals']);
 * const opt = new optim.Adam([...model.parameters(), ...uw.parameters()], { lr: 1e-3 });
 * uw.backward(ctx); opt.step();
 * uw.logVariances(); // { depth: …, normals: … }
 */
import { noGrad, stack, tensor, zeros, type Tensor } from '../../tensor/index.js';
import { Parameter } from '../../nn/index.js';
import { stateTensor } from './base.js';
import { LossWeighting, presentTasks, type WeightedObjective } from './loss-weighting.js';
import type { WeightingState } from './types.js';

export class UncertaintyWeighting extends LossWeighting {
  readonly key = 'uw' as const;
  /** sᵢ = log σᵢ², one per task, starting at 0 (σ = 1). */
  readonly logVar: Parameter;

  constructor(tasks: readonly string[]) {
    super(tasks);
    this.logVar = new Parameter(zeros([this.tasks.length]));
  }

  override parameters(): Parameter[] {
    return [this.logVar];
  }

  /** The current log σᵢ² by task. */
  logVariances(): Record<string, number> {
    return this.named(this.logVar.data);
  }

  protected objective(losses: Tensor[]): WeightedObjective {
    const present = presentTasks(losses.map((l) => l.item()));
    const weights = Float64Array.from(this.logVar.data, (s, i) => (present[i] ? 0.5 * Math.exp(-s) : 0));
    // Σ hᵢ·(e^(−sᵢ)·Lᵢ + sᵢ) as one expression over the task vector, a handful of ops for any number
    // of tasks; hᵢ = ½, or 0 for an absent task, whose sᵢ is then not pulled down
    const half = tensor(Float32Array.from(present, (p) => (p ? 0.5 : 0)));
    const s = this.logVar;
    return { objective: s.neg().exp().mul(stack(losses)).add(s).mul(half).sum(), weights };
  }

  override stateDict(): WeightingState {
    return { log_var: stateTensor(this.logVar.data) };
  }

  override loadStateDict(state: Readonly<WeightingState>): void {
    this.checkStateKeys(state, ['log_var']);
    const v = this.stateValues(state, 'log_var', this.tasks.length);
    noGrad(() => this.logVar.data.set(v));
  }
}
