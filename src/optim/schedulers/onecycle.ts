/**
 * OneCycleLR (Smith & Topin), PyTorch's formulation: the lr rises from maxLr/divFactor to maxLr over
 * the first pctStart of `totalSteps`, then anneals to maxLr/(divFactor·finalDivFactor); with
 * `threePhase` it first returns to the initial lr and anneals from there. Momentum (SGD's momentum or
 * Adam's beta1) cycles inversely between maxMomentum and baseMomentum when `cycleMomentum` (default
 * true, as PyTorch). Stepping past `totalSteps` throws.
 *
 * @example
 * const sched = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: epochs * batchesPerEpoch });
 */
import { ValueError } from '../../core/errors.js';
import { checkSteps, LRScheduler, type Schedulable } from './scheduler.js';

export interface OneCycleOptions {
  /** Peak lr, for all groups or one per group. */
  maxLr: number | readonly number[];
  totalSteps: number;
  /** Fraction of the steps spent rising. Default 0.3. */
  pctStart?: number;
  /** Default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  /** Initial lr = maxLr/divFactor. Default 25. */
  divFactor?: number;
  /** Final lr = initial lr/finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Default false. */
  threePhase?: boolean;
  /** Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak lr. Default 0.85. */
  baseMomentum?: number;
  /** Momentum at the lowest lr. Default 0.95. */
  maxMomentum?: number;
}

type Level = 'initial' | 'max' | 'min';
type MomentumLevel = 'base' | 'max';

/** One stretch of the cycle: lr and momentum anneal from their start to their end level by endStep. */
interface Phase {
  endStep: number;
  startLr: Level;
  endLr: Level;
  startMomentum: MomentumLevel;
  endMomentum: MomentumLevel;
}

/** The 1cycle policy. @example new OneCycleLR(opt, { maxLr: 0.01, totalSteps: 1000, cycleMomentum: false }); */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly #levels: Record<Level, number>[];
  readonly #phases: Phase[];
  readonly #anneal: (start: number, end: number, pct: number) => number;
  readonly #momentum: Record<MomentumLevel, number>;

  constructor(optimizer: Schedulable, opts: OneCycleOptions) {
    const n = optimizer.paramGroups.length;
    const maxLrs =
      typeof opts.maxLr === 'number' ? Array.from({ length: n }, () => opts.maxLr as number) : [...opts.maxLr];
    if (maxLrs.length !== n)
      throw new ValueError('OneCycleLR', `got ${maxLrs.length} maxLr values for ${n} parameter groups`);
    const div = opts.divFactor ?? 25;
    // the cycle starts at maxLr/divFactor whatever lr the optimizer was built with (as PyTorch)
    optimizer.paramGroups.forEach((g, i) => {
      g.initialLr = maxLrs[i]! / div;
    });
    super(optimizer);
    checkSteps('OneCycleLR', 'totalSteps', opts.totalSteps);
    const pct = opts.pctStart ?? 0.3;
    if (!(pct > 0 && pct < 1)) throw new ValueError('OneCycleLR', `pctStart must be in (0, 1), got ${pct}`);
    this.totalSteps = opts.totalSteps;
    const finalDiv = opts.finalDivFactor ?? 1e4;
    this.#levels = maxLrs.map((m) => ({ initial: m / div, max: m, min: m / div / finalDiv }));
    const t = this.totalSteps;
    this.#phases = opts.threePhase
      ? [
          { endStep: pct * t - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: 2 * pct * t - 2, startLr: 'max', endLr: 'initial', startMomentum: 'base', endMomentum: 'max' },
          { endStep: t - 1, startLr: 'initial', endLr: 'min', startMomentum: 'max', endMomentum: 'max' },
        ]
      : [
          { endStep: pct * t - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: t - 1, startLr: 'max', endLr: 'min', startMomentum: 'base', endMomentum: 'max' },
        ];
    this.#anneal =
      (opts.annealStrategy ?? 'cos') === 'cos'
        ? (start, end, p) => end + ((start - end) / 2) * (Math.cos(Math.PI * p) + 1)
        : (start, end, p) => (end - start) * p + start;
    this.cycleMomentum = opts.cycleMomentum ?? true;
    this.#momentum = { base: opts.baseMomentum ?? 0.85, max: opts.maxMomentum ?? 0.95 };
    if (this.cycleMomentum) {
      for (const g of optimizer.paramGroups) {
        if (!('betas' in g) && !('momentum' in g)) {
          throw new ValueError(
            'OneCycleLR',
            'cycleMomentum needs an optimizer with momentum or betas; pass cycleMomentum: false',
          );
        }
      }
    }
    this.apply();
  }

  lrAt(epoch: number, _baseLr: number, group: number): number {
    const { phase, pct } = this.#locate(epoch);
    const lv = this.#levels[group]!;
    return this.#anneal(lv[phase.startLr], lv[phase.endLr], pct);
  }

  /** The momentum (or beta1) at `epoch`. */
  momentumAt(epoch: number): number {
    const { phase, pct } = this.#locate(epoch);
    return this.#anneal(this.#momentum[phase.startMomentum], this.#momentum[phase.endMomentum], pct);
  }

  protected override apply(): void {
    super.apply();
    if (!this.cycleMomentum) return;
    const m = this.momentumAt(this.lastEpoch);
    for (const g of this.optimizer.paramGroups as Record<string, unknown>[]) {
      if (Array.isArray(g['betas'])) g['betas'] = [m, g['betas'][1]];
      else g['momentum'] = m;
    }
  }

  #locate(epoch: number): { phase: Phase; pct: number } {
    if (epoch > this.totalSteps) {
      throw new ValueError('OneCycleLR', `stepped ${epoch} times, past totalSteps = ${this.totalSteps}`);
    }
    // the first phase whose end is not passed; the last one also takes the final step
    let start = 0;
    for (const phase of this.#phases.slice(0, -1)) {
      if (epoch <= phase.endStep) return { phase, pct: (epoch - start) / (phase.endStep - start) };
      start = phase.endStep;
    }
    const last = this.#phases[this.#phases.length - 1]!;
    return { phase: last, pct: (epoch - start) / (last.endStep - start) };
  }
}
