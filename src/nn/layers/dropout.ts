/**
 * Dropout: in training, zeroes each element with probability p and scales the rest by 1/(1−p);
 * in eval, the identity. Dropout1d and Dropout2d drop whole channels. The mask comes from the seeded
 * global stream.
 *
 * @example
 * const drop = new Dropout(0.5);
 * drop.forward(x);        // training
 * drop.eval().forward(x); // x itself
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import { channelDropout, dropout, type Tensor } from '../../tensor/index.js';
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

/**
 * Channel dropout over [N, C, L] (PyTorch's Dropout1d): zeroes whole channels with probability p.
 *
 * @example
 * new Dropout1d(0.1).forward(randn([4, 32, 100]));
 */
export class Dropout1d extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError('Dropout1d', `p must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3) throw new ShapeError('Dropout1d', `expects [N,C,L], got [${x.shape.join(',')}]`);
    return channelDropout(x, this.p, this.training);
  }
}

/**
 * Channel dropout over [N, C, H, W] (PyTorch's Dropout2d): zeroes whole feature maps with
 * probability p.
 *
 * @example
 * new Dropout2d(0.2).forward(randn([4, 16, 8, 8]));
 */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError('Dropout2d', `p must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new ShapeError('Dropout2d', `expects [N,C,H,W], got [${x.shape.join(',')}]`);
    return channelDropout(x, this.p, this.training);
  }
}
