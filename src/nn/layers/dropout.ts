/**
 * Dropout: in training, zeroes each element with probability p and scales the rest by 1/(1−p);
 * in eval, the identity. The mask comes from the seeded global stream.
 *
 * @example
 * const drop = new Dropout(0.5);
 * drop.forward(x);        // training
 * drop.eval().forward(x); // x itself
 */
import { ValueError } from '../../core/errors.js';
import { dropout, type Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

/** Inverted dropout with drop probability p. @example new Dropout(0.1); */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError('Dropout', `p must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}
