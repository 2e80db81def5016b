/**
 * Normalisation layers. BatchNorm1d ([N, C] or [N, C, L]) and BatchNorm2d ([N, C, H, W]) normalise
 * per channel with batch statistics in training and running statistics in eval, keeping PyTorch's
 * state-dict names (`weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`; the last
 * an int32 scalar where PyTorch uses int64). LayerNorm normalises over trailing dimensions.
 *
 * @example
 * const bn = new BatchNorm2d(16);
 * bn.forward(randn([8, 16, 4, 4]));  // training: batch statistics, running ones updated
 * bn.eval().forward(randn([1, 16, 4, 4]));
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import { Tensor, batchNorm, layerNorm, ones, zeros } from '../../tensor/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface BatchNormOptions {
  /** Added to the variance. Default 1e-5. */
  eps?: number;
  /**
   * Weight of the new batch in the running statistics. Default 0.1. null averages over all batches
   * seen so far (PyTorch's momentum=None).
   */
  momentum?: number | null;
  /** Learn a per-channel scale and shift. Default true. */
  affine?: boolean;
  /** Keep running statistics for eval. Default true; without them eval uses batch statistics too. */
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  /** Batches seen in training (int32 scalar). */
  readonly numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;

  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions,
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new ValueError(this.constructor.name, `numFeatures must be a positive integer, got ${numFeatures}`);
    }
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures])) : null;
    const track = opts.trackRunningStats ?? true;
    this.runningMean = track ? this.registerBuffer('running_mean', zeros([numFeatures])) : null;
    this.runningVar = track ? this.registerBuffer('running_var', ones([numFeatures])) : null;
    this.numBatchesTracked = track
      ? this.registerBuffer('num_batches_tracked', new Tensor(new Int32Array(1), []))
      : null;
  }

  /** Scale 1, shift 0, running mean 0, variance 1 and no batches seen: as a new layer. */
  resetParameters(): void {
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
    this.runningMean?.data.fill(0);
    this.runningVar?.data.fill(1);
    this.numBatchesTracked?.data.fill(0);
  }

  /** Throws unless x has the rank this layer accepts. */
  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new ShapeError(
        this.constructor.name,
        `expects ${this.numFeatures} channels in dimension 1, got input [${x.shape.join(',')}]`,
      );
    }
    const track = this.numBatchesTracked !== null;
    let factor = this.momentum ?? 0;
    if (this.training && track) {
      const seen = this.numBatchesTracked.data;
      seen[0] = seen[0]! + 1;
      if (this.momentum === null) factor = 1 / seen[0]!;
    }
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training || !track,
      momentum: factor,
      eps: this.eps,
    });
  }
}

/** Batch norm over [N, C] or [N, C, L]. @example new BatchNorm1d(64, { momentum: 0.01 }); */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts);
  }

  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3)
      throw new ShapeError('BatchNorm1d', `expects [N,C] or [N,C,L], got [${x.shape.join(',')}]`);
  }
}

/** Batch norm over [N, C, H, W]. @example new BatchNorm2d(32, { affine: false }); */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts);
  }

  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new ShapeError('BatchNorm2d', `expects [N,C,H,W], got [${x.shape.join(',')}]`);
  }
}

export interface LayerNormOptions {
  /** Added to the variance. Default 1e-5. */
  eps?: number;
  /** Learn a scale (and a shift unless `bias` is false). Default true. */
  elementwiseAffine?: boolean;
  /** Learn the shift. Default true. */
  bias?: boolean;
}

/**
 * Layer norm over the trailing `normalizedShape` dimensions.
 *
 * @example
 * new LayerNorm(64).forward(randn([8, 10, 64]));
 */
export class LayerNorm extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly normalizedShape: readonly number[];
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = affine && (opts.bias ?? true) ? new Parameter(zeros(this.normalizedShape)) : null;
  }

  /** Scale 1, shift 0. */
  resetParameters(): void {
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
