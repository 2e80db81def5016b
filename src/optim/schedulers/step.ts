/**
 * StepLR: multiplies the lr by `gamma` every `stepSize` steps: lr = base·gamma^⌊t/stepSize⌋.
 *
 * @example
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
import { checkSteps, LRScheduler, type Schedulable } from './scheduler.js';

export interface StepLROptions {
  stepSize: number;
  /** Default 0.1. */
  gamma?: number;
}

/** Step decay. @example new StepLR(opt, { stepSize: 10 }); */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Schedulable, opts: StepLROptions) {
    super(optimizer);
    checkSteps('StepLR', 'stepSize', opts.stepSize);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.apply();
  }

  lrAt(epoch: number, baseLr: number): number {
    return baseLr * Math.pow(this.gamma, Math.floor(epoch / this.stepSize));
  }
}
