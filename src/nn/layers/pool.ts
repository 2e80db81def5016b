/**
 * Pooling layers over [N, C, H, W]: MaxPool2d, AvgPool2d (stride defaults to the kernel size, as in
 * PyTorch), AdaptiveAvgPool2d (fixed output size), and MaxPool1d over [N, C, L].
 *
 * @example
 * new MaxPool2d(2).forward(randn([1, 3, 8, 8])).shape;          // [1, 3, 4, 4]
 * new AdaptiveAvgPool2d(1).forward(randn([1, 3, 7, 7])).shape;  // [1, 3, 1, 1]
 */
import { ShapeError } from '../../core/errors.js';
import {
  adaptiveAvgPool2d,
  avgPool2d,
  maxPool2d,
  type Pair,
  type Pool2dOptions,
  type Tensor,
} from '../../tensor/index.js';
import { Module } from '../module.js';

/** Max pooling. @example new MaxPool2d(3, { stride: 2, padding: 1 }); */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly opts: Omit<Pool2dOptions, 'countIncludePad'> = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }
}

/** Average pooling. @example new AvgPool2d(2, { countIncludePad: false }); */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly opts: Pool2dOptions = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }
}

/** Average pooling to a fixed output size. @example new AdaptiveAvgPool2d([7, 7]); */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/**
 * Max pooling over [N, C, L] (stride defaults to the kernel size).
 *
 * @example
 * new MaxPool1d(4).forward(randn([2, 8, 100])).shape; // [2, 8, 25]
 */
export class MaxPool1d extends Module {
  constructor(
    readonly kernelSize: number,
    readonly opts: { stride?: number; padding?: number } = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3) throw new ShapeError('MaxPool1d', `expects [N,C,L], got [${x.shape.join(',')}]`);
    const [n, c, l] = x.shape as [number, number, number];
    const y = maxPool2d(x.reshape([n, c, 1, l]), [1, this.kernelSize], {
      stride: [1, this.opts.stride ?? this.kernelSize],
      padding: [0, this.opts.padding ?? 0],
    });
    return y.reshape([n, c, y.shape[3]!]);
  }
}
