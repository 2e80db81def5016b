/**
 * LinearWarmup: ramps the lr linearly from startFactor·base to base over `warmupSteps` steps
 * (PyTorch's LinearLR with end_factor 1), then hands over to an optional `after` scheduler, whose
 * step 0 is the end of the warm-up (PyTorch's SequentialLR of the two). Step only the warm-up.
 *
 * @example
 * const sched = new LinearWarmup(opt, {
 *   warmupSteps: 500,
 *   after: new CosineAnnealingLR(opt, { tMax: 9500 }),
 * });
 */
import { ValueError } from '../../core/errors.js';
import { checkSteps, LRScheduler, type Schedulable } from './scheduler.js';

export interface LinearWarmupOptions {
  warmupSteps: number;
  /** Fraction of the base lr at step 0, in [0, 1]. Default 0. */
  startFactor?: number;
  /** The schedule after the warm-up, built on the same optimizer. Default: the base lr. */
  after?: LRScheduler;
}

/** Linear warm-up, optionally followed by another schedule. @example new LinearWarmup(opt, { warmupSteps: 100, startFactor: 0.1 }); */
export class LinearWarmup extends LRScheduler {
  readonly warmupSteps: number;
  readonly startFactor: number;
  readonly after: LRScheduler | null;

  constructor(optimizer: Schedulable, opts: LinearWarmupOptions) {
    super(optimizer);
    checkSteps('LinearWarmup', 'warmupSteps', opts.warmupSteps);
    const f = opts.startFactor ?? 0;
    if (!(f >= 0 && f <= 1)) throw new ValueError('LinearWarmup', `startFactor must be in [0, 1], got ${f}`);
    if (opts.after !== undefined && opts.after.optimizer !== optimizer) {
      throw new ValueError('LinearWarmup', 'the `after` scheduler must drive the same optimizer');
    }
    this.warmupSteps = opts.warmupSteps;
    this.startFactor = f;
    this.after = opts.after ?? null;
    this.apply();
  }

  lrAt(epoch: number, baseLr: number, group: number): number {
    if (epoch >= this.warmupSteps)
      return this.after === null ? baseLr : this.after.lrAt(epoch - this.warmupSteps, baseLr, group);
    return baseLr * (this.startFactor + ((1 - this.startFactor) * epoch) / this.warmupSteps);
  }
}
