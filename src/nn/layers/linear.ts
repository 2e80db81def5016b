/**
 * Linear: y = x·Wᵀ + b over the last dimension. W is [out, in] as in PyTorch, so PyTorch weights
 * load without transposing.
 *
 * @example
 * const fc = new Linear(784, 10);
 * fc.forward(randn([32, 784])).shape; // [32, 10]
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import { linear, zeros, type Tensor } from '../../tensor/index.js';
import { initLinearLike } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface LinearOptions {
  /** Add a learned bias. Default true. */
  bias?: boolean;
}

/**
 * Fully connected layer, initialised as PyTorch's (kaiming-uniform weight, U(±1/√in) bias).
 *
 * @example
 * new Linear(8, 2, { bias: false }).forward(x);
 */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    for (const [name, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v < 0)
        throw new ValueError('Linear', `${name} must be a non-negative integer, got ${v}`);
    }
    this.weight = new Parameter(zeros([outFeatures, inFeatures]));
    this.bias = (opts.bias ?? true) ? new Parameter(zeros([outFeatures])) : null;
    this.resetParameters();
  }

  /** Weight kaiming-uniform (a = √5), bias U(±1/√in), as PyTorch's `reset_parameters`. */
  resetParameters(): void {
    initLinearLike(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError('Linear', `expects input [..., ${this.inFeatures}], got [${x.shape.join(',')}]`);
    }
    return linear(x, this.weight, this.bias);
  }
}
