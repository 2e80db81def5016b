/**
 * Flatten: collapses dimensions startDim..endDim into one (by default all but the batch dimension).
 *
 * @example
 * new Flatten().forward(randn([8, 16, 4, 4])).shape; // [8, 256]
 */
import type { Tensor } from '../../tensor/index.js';
import { Module } from '../module.js';

/** Flattens dimensions startDim..endDim. @example new Flatten(0); // everything */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}
