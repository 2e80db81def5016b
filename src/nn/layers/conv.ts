/**
 * Conv2d and Conv1d: convolution over [N, C, H, W] or [N, C, L] with stride, padding, dilation and groups. The weight
 * is [outChannels, inChannels/groups, KH, KW] (or [.., K]) as in PyTorch.
 *
 * @example
 * const conv = new Conv2d(3, 16, 3, { padding: 1 });
 * conv.forward(randn([8, 3, 32, 32])).shape; // [8, 16, 32, 32]
 */
import { ValueError } from '../../core/errors.js';
import { conv1d, conv2d, zeros, type Pair, type Tensor } from '../../tensor/index.js';
import { initLinearLike } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/**
 * `groups` when it is a positive integer dividing both channel counts; a ValueError naming `layer`
 * otherwise.
 *
 * @example
 * checkGroups('Conv2d', 32, 64, 4); // 4
 */
function checkGroups(layer: string, inChannels: number, outChannels: number, groups: number): number {
  if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new ValueError(
      layer,
      `groups=${groups} must be a positive integer dividing inChannels=${inChannels} and outChannels=${outChannels}`,
    );
  }
  return groups;
}

export interface Conv2dLayerOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  /** Add a learned bias per output channel. Default true. */
  bias?: boolean;
}

/**
 * 2-D convolution layer, initialised as PyTorch's.
 *
 * @example
 * new Conv2d(16, 16, 3, { padding: 1, groups: 16, bias: false }); // depthwise
 */
export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: Pair,
    opts: Conv2dLayerOptions = {},
  ) {
    super();
    this.groups = checkGroups('Conv2d', inChannels, outChannels, opts.groups ?? 1);
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    if (!Number.isInteger(kh) || !Number.isInteger(kw) || kh < 1 || kw < 1) {
      throw new ValueError('Conv2d', `kernelSize must be positive integers, got ${String(kernelSize)}`);
    }
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.weight = new Parameter(zeros([outChannels, inChannels / this.groups, kh, kw]));
    this.bias = (opts.bias ?? true) ? new Parameter(zeros([outChannels])) : null;
    this.resetParameters();
  }

  /** Weight kaiming-uniform (a = √5), bias U(±1/√fan-in), as PyTorch's `reset_parameters`. */
  resetParameters(): void {
    initLinearLike(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

export interface Conv1dLayerOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
  groups?: number;
  /** Add a learned bias per output channel. Default true. */
  bias?: boolean;
}

/**
 * 1-D convolution layer over [N, C, L] (raw audio, sequences); weight [out, in/groups, K] as in
 * PyTorch, initialised as PyTorch's.
 *
 * @example
 * new Conv1d(1, 32, 80, { stride: 16 }).forward(randn([4, 1, 8000])).shape; // [4, 32, 496]
 */
export class Conv1d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    opts: Conv1dLayerOptions = {},
  ) {
    super();
    this.groups = checkGroups('Conv1d', inChannels, outChannels, opts.groups ?? 1);
    if (!Number.isInteger(kernelSize) || kernelSize < 1)
      throw new ValueError('Conv1d', `kernelSize must be a positive integer, got ${kernelSize}`);
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.weight = new Parameter(zeros([outChannels, inChannels / this.groups, kernelSize]));
    this.bias = (opts.bias ?? true) ? new Parameter(zeros([outChannels])) : null;
    this.resetParameters();
  }

  /** Weight kaiming-uniform (a = √5), bias U(±1/√fan-in), as PyTorch's `reset_parameters`. */
  resetParameters(): void {
    initLinearLike(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}
