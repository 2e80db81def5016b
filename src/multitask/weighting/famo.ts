/**
 * FAMO, fast adaptive multitask optimization (Liu, Liu, Jin, Stone & Liu 2023). Task weights come
 * from learnable logits ξ, z = softmax(ξ), and the step descends Σ zᵢ·log Lᵢ / c with
 * c = Σ zᵢ/Lᵢ, i.e. it weights the losses by wᵢ = zᵢ/(c·Lᵢ) (one backward, as equal weights). After
 * the step, the logits learn from how much each log-loss fell, δᵢ = log Lᵢ(before) − log Lᵢ(after):
 * ξ moves by a descent step on ξ ↦ Σ δᵢ·softmax(ξ)ᵢ, with Adam and weight decay as the paper's
 * implementation does, so tasks that improved least gain weight and all losses fall at a similar rate.
 *
 * "After" is the loss on the same batch after the optimizer step when the trainer calls `afterStep`
 * (one extra forward), else the next batch's loss at the next `backward`. Losses must be ≥ 0; a loss
 * of exactly 0 marks a task absent from the batch, which gets weight 0 and no logit update.
 *
 * @example
 * const famo = new FAMO(['a', 'b']);
 * famo.backward(ctx); opt.step();
 * famo.afterStep({ a: lossAAfter, b: lossBAfter }); // optional
 */
import { ValueError } from '../../core/errors.js';
import { noGrad, tensor, zeros, type Tensor } from '../../tensor/index.js';
import { Parameter } from '../../nn/index.js';
import { Adam } from '../../optim/index.js';
import { stateTensor } from './base.js';
import { LossWeighting, presentTasks, weightedSum, type WeightedObjective } from './loss-weighting.js';
import { softmax } from './solvers.js';
import type { WeightingState } from './types.js';

export interface FamoOptions {
  /** Learning rate of the logits (β). Default 0.025. */
  lr?: number;
  /** Weight decay of the logits (γ), which keeps them from drifting far apart. Default 0.001. */
  weightDecay?: number;
}

/** Keeps log finite and the weights bounded when a loss nears 0 (the paper's implementation adds the same). */
const EPS = 1e-8;

export class FAMO extends LossWeighting {
  readonly key = 'famo' as const;
  /** The logits ξ, starting at 0 (equal weights). Updated by FAMO itself, not the trainer. */
  readonly logits: Parameter;
  readonly #opt: Adam;
  /** The losses of the last backward, waiting for their "after" values; null when none wait. */
  #pending: Float32Array | null = null;

  constructor(tasks: readonly string[], opts: FamoOptions = {}) {
    super(tasks);
    this.logits = new Parameter(zeros([this.tasks.length]));
    this.#opt = new Adam([this.logits], { lr: opts.lr ?? 0.025, weightDecay: opts.weightDecay ?? 0.001 });
  }

  /** softmax(ξ) by task: the share of each task before the division by its loss. */
  shares(): Record<string, number> {
    return this.named(softmax(this.logits.data));
  }

  afterStep(newLosses: Readonly<Record<string, number>>): void {
    const after = this.#checked(this.taskValues('newLosses', newLosses));
    if (this.#pending !== null) this.#learn(this.#pending, after);
    this.#pending = null;
  }

  protected objective(losses: Tensor[]): WeightedObjective {
    const values = this.#checked(Float64Array.from(losses, (l) => l.item()));
    if (this.#pending !== null) this.#learn(this.#pending, values);
    const present = presentTasks(values);
    const z = softmax(this.logits.data);
    const c = z.reduce((acc, zi, i) => acc + (present[i] ? zi / (values[i]! + EPS) : 0), 0);
    const weights = z.map((zi, i) => (present[i] ? zi / (c * (values[i]! + EPS)) : 0));
    this.#pending = Float32Array.from(values);
    return weightedSum(losses, weights);
  }

  #checked(values: Float64Array): Float64Array {
    const bad = values.findIndex((v) => !(v >= 0));
    if (bad >= 0)
      throw new ValueError(
        'famo',
        `losses must be >= 0 (FAMO weighs log-losses); task '${this.tasks[bad]}' has ${values[bad]}`,
      );
    return values;
  }

  /** One Adam step of the logits on δ = log before − log after, through the softmax's Jacobian. */
  #learn(before: ArrayLike<number>, after: ArrayLike<number>): void {
    const delta = Float64Array.from(before, (b, i) =>
      b > 0 && after[i]! > 0 ? Math.log(b + EPS) - Math.log(after[i]! + EPS) : 0,
    );
    const z = softmax(this.logits.data);
    const zDelta = z.reduce((acc, zi, i) => acc + zi * delta[i]!, 0);
    this.logits.grad = tensor(Float32Array.from(z, (zi, i) => zi * (delta[i]! - zDelta)));
    this.#opt.step();
    this.logits.grad = null;
  }

  override stateDict(): WeightingState {
    const n = this.tasks.length;
    const s = this.#opt.stateDict().state[0];
    return {
      logits: stateTensor(this.logits.data),
      pending: stateTensor(this.#pending ?? new Float32Array(n).fill(NaN)),
      adam_step: stateTensor([s === undefined ? 0 : (s['step'] as number)]),
      adam_exp_avg: stateTensor(s === undefined ? new Float32Array(n) : (s['expAvg'] as Tensor).data),
      adam_exp_avg_sq: stateTensor(s === undefined ? new Float32Array(n) : (s['expAvgSq'] as Tensor).data),
    };
  }

  override loadStateDict(state: Readonly<WeightingState>): void {
    this.checkStateKeys(state, ['logits', 'pending', 'adam_step', 'adam_exp_avg', 'adam_exp_avg_sq']);
    const n = this.tasks.length;
    const logits = this.stateValues(state, 'logits', n);
    const pending = this.stateValues(state, 'pending', n);
    const step = this.stateValues(state, 'adam_step', 1)[0]!;
    const moments = {
      expAvg: tensor(Float32Array.from(this.stateValues(state, 'adam_exp_avg', n))),
      expAvgSq: tensor(Float32Array.from(this.stateValues(state, 'adam_exp_avg_sq', n))),
    };
    this.#opt.loadStateDict({
      state: step > 0 ? { 0: { step, ...moments } } : {},
      paramGroups: this.#opt.stateDict().paramGroups,
    });
    noGrad(() => this.logits.data.set(logits));
    this.#pending = pending.some(Number.isNaN) ? null : Float32Array.from(pending);
  }
}
