/**
 * LambdaLR: lr = base·f(t), with one function for all groups or one per group.
 *
 * @example
 * const sched = new LambdaLR(opt, (t) => 0.95 ** t);
 */
import { ValueError } from '../../core/errors.js';
import { LRScheduler, type Schedulable } from './scheduler.js';

export type LrLambda = (epoch: number) => number;

/** lr = base·f(t). @example new LambdaLR(opt, [(t) => 1, (t) => 0.9 ** t]); // per group */
export class LambdaLR extends LRScheduler {
  readonly lambdas: LrLambda[];

  constructor(optimizer: Schedulable, lrLambda: LrLambda | readonly LrLambda[]) {
    super(optimizer);
    const n = optimizer.paramGroups.length;
    if (typeof lrLambda !== 'function' && lrLambda.length !== n) {
      throw new ValueError('LambdaLR', `got ${lrLambda.length} functions for ${n} parameter groups`);
    }
    this.lambdas = typeof lrLambda === 'function' ? Array.from({ length: n }, () => lrLambda) : [...lrLambda];
    this.apply();
  }

  lrAt(epoch: number, baseLr: number, group: number): number {
    return baseLr * this.lambdas[group]!(epoch);
  }
}
