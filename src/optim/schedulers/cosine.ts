/**
 * CosineAnnealingLR: lr = etaMin + (base − etaMin)·(1 + cos(π·t/tMax))/2 (periodic past tMax, as
 * PyTorch's).
 *
 * @example
 * const sched = new CosineAnnealingLR(opt, { tMax: epochs, etaMin: 1e-5 });
 */
import { checkSteps, LRScheduler, type Schedulable } from './scheduler.js';

export interface CosineAnnealingOptions {
  /** Steps from the base lr down to etaMin. */
  tMax: number;
  /** Default 0. */
  etaMin?: number;
}

/** Cosine annealing. @example new CosineAnnealingLR(opt, { tMax: 50 }); */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Schedulable, opts: CosineAnnealingOptions) {
    super(optimizer);
    checkSteps('CosineAnnealingLR', 'tMax', opts.tMax);
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
    this.apply();
  }

  lrAt(epoch: number, baseLr: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
