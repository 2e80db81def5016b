/**
 * The lr scheduler base. A scheduler is a closed-form lr per step (`lrAt`), applied to every
 * parameter group from that group's `initialLr` (its lr when the first scheduler was attached, as
 * PyTorch's `initial_lr`), so schedulers compose and a resumed run needs only the step count.
 * Construction applies step 0; call `step()` once per optimizer step (or epoch), after `opt.step()`.
 *
 * @example
 * const sched = new CosineAnnealingLR(opt, { tMax: 100 });
 * for (...) { opt.zeroGrad(); loss.backward(); opt.step(); sched.step(); }
 * sched.getLr(); // current lr of each group
 */
import { ValueError } from '../../core/errors.js';

/** What a scheduler drives: any optimizer (groups with an lr). */
export interface Schedulable {
  readonly paramGroups: { lr: number; initialLr?: number }[];
}

/** A scheduler's resumable state. */
export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
}

/**
 * Base of lr schedulers: subclasses give `lrAt` in closed form and call `apply()` at the end of
 * their constructor.
 *
 * @example
 * class Halving extends LRScheduler {
 *   constructor(opt: Schedulable) { super(opt); this.apply(); }
 *   lrAt(t: number, base: number): number { return base / 2 ** t; }
 * }
 */
export abstract class LRScheduler {
  /** Steps taken since construction (PyTorch's last_epoch). */
  lastEpoch = 0;
  /** Each group's lr at step 0. */
  baseLrs: number[];
  #lastLrs: number[] = [];

  constructor(readonly optimizer: Schedulable) {
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The lr of group `group` (whose lr at step 0 is `baseLr`) after `epoch` steps. */
  abstract lrAt(epoch: number, baseLr: number, group: number): number;

  /** Advances one step and sets every group's lr. */
  step(): void {
    this.lastEpoch += 1;
    this.apply();
  }

  /** The lrs this scheduler last set, one per group. */
  getLr(): number[] {
    return [...this.#lastLrs];
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  /** Restores the step count (and base lrs) and sets the lrs of that step. */
  loadStateDict(sd: SchedulerStateDict): void {
    if (sd.baseLrs.length !== this.optimizer.paramGroups.length) {
      throw new ValueError(
        `${this.constructor.name}.loadStateDict`,
        `state has ${sd.baseLrs.length} groups, the optimizer ${this.optimizer.paramGroups.length}`,
      );
    }
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = [...sd.baseLrs];
    this.apply();
  }

  /** Sets every group's lr for `lastEpoch`. Subclass constructors call it once their fields are set. */
  protected apply(): void {
    this.#lastLrs = this.optimizer.paramGroups.map((g, i) => {
      g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]!, i);
      return g.lr;
    });
  }
}

/** Throws unless v is a positive integer. */
export function checkSteps(where: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(where, `${name} must be a positive integer, got ${v}`);
}
