/**
 * Classification losses: crossEntropy (fused softmax cross-entropy, with ignoreIndex, label
 * smoothing and class weights as in PyTorch) and binaryCrossEntropyWithLogits (multi-label, with
 * pos_weight). Both take a mask, and average over the entries present only (see reduction.ts).
 *
 * @example
 * crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 * binaryCrossEntropyWithLogits(logits, targetsWithNaNForMissing);
 */
import { DTypeError, ShapeError, ValueError } from '../../core/errors.js';
import { broadcastShapes } from '../../core/shape.js';
import { Tensor, softmaxCrossEntropy, where } from '../../tensor/index.js';
import { expandMask, fillNaN, presence, reduceLoss, type LossOptions } from './reduction.js';

export interface CrossEntropyOptions extends LossOptions {
  /** Entries with this target are missing (loss 0, no gradient, not counted). Default -100. */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution by this much. Default 0. */
  labelSmoothing?: number;
  /** Float32 [C] weight per class; the mean divides by the summed weights of the targets, as PyTorch. */
  weight?: Tensor;
}

const fmt = (s: readonly number[]): string => `[${s.join(',')}]`;

/**
 * Cross-entropy of logits [N, C] (or [N, C, d1, ...]) against int32 class indices [N] (or
 * [N, d1, ...]). Masked-out entries are treated as ignored, so their targets may hold any value.
 *
 * @example
 * const loss = crossEntropy(model.forward(x), y, { ignoreIndex: -1 });
 * loss.backward();
 */
export function crossEntropy(logits: Tensor, targets: Tensor, o: CrossEntropyOptions = {}): Tensor {
  if (logits.dtype !== 'float32') throw new DTypeError('crossEntropy', `logits must be float32, got ${logits.dtype}`);
  if (logits.ndim < 2)
    throw new ShapeError('crossEntropy', `logits must be [N,C] or [N,C,d...], got ${fmt(logits.shape)}`);
  if (targets.dtype !== 'int32')
    throw new DTypeError('crossEntropy', `targets must be int32 class indices, got ${targets.dtype}`);
  const classes = logits.shape[1]!;
  const elemShape = [logits.shape[0]!, ...logits.shape.slice(2)];
  if (targets.ndim !== elemShape.length || targets.shape.some((d, i) => d !== elemShape[i])) {
    throw new ShapeError(
      'crossEntropy',
      `targets must be ${fmt(elemShape)} for logits ${fmt(logits.shape)}, got ${fmt(targets.shape)}`,
    );
  }
  const ignore = o.ignoreIndex ?? -100;
  const smoothing = o.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1))
    throw new ValueError('crossEntropy', `labelSmoothing must be in [0, 1], got ${smoothing}`);
  const classWeight = o.weight === undefined ? null : checkClassWeight(o.weight, classes);

  // one row per (sample, position): [rows, C] with classes last
  const rows = targets.size;
  const perm = [0, ...logits.shape.slice(2).map((_, i) => i + 2), 1];
  const flat = logits.ndim === 2 ? logits : logits.permute(perm).reshape([rows, classes]);
  const mask = o.mask === undefined ? null : (expandMask('crossEntropy', o.mask, elemShape).data as Float32Array);
  const { target, weight, uniform } = rowWeights(targets.data as Int32Array, mask, classWeight, ignore);
  const targetT = new Tensor(target, [rows]);
  const weightT = new Tensor(weight, [rows]);

  let weighted: Tensor;
  if (classWeight !== null && smoothing > 0) {
    weighted = weightedSmoothed(flat, target, weight, mask, classWeight, smoothing, ignore);
  } else {
    const perRow = softmaxCrossEntropy(flat, targetT, { ignoreIndex: ignore, labelSmoothing: smoothing });
    weighted = uniform ? perRow : perRow.mul(weightT);
  }
  return reduceLoss(weighted.reshape(elemShape), uniform ? null : weightT, o.reduction ?? 'mean');
}

function checkClassWeight(w: Tensor, classes: number): Float32Array {
  if (w.dtype !== 'float32' || w.ndim !== 1 || w.shape[0] !== classes) {
    throw new ShapeError(
      'crossEntropy',
      `weight must be float32 [${classes}] (one per class), got ${w.dtype} ${fmt(w.shape)}`,
    );
  }
  return w.data as Float32Array;
}

/**
 * Per-row targets (masked-out rows turned into ignored ones) and weights: 0 for ignored rows, else
 * mask × class weight of the target. `uniform` when every weight is 1.
 */
function rowWeights(
  targets: Int32Array,
  mask: Float32Array | null,
  classWeight: Float32Array | null,
  ignore: number,
): { target: Int32Array; weight: Float32Array; uniform: boolean } {
  const target = Int32Array.from(targets);
  const weight = new Float32Array(target.length);
  let uniform = true;
  for (let r = 0; r < target.length; r++) {
    if (mask !== null && mask[r] === 0) target[r] = ignore;
    const t = target[r]!;
    // out-of-range targets keep weight 1 here; the fused op reports them
    const w = t === ignore ? 0 : (mask === null ? 1 : mask[r]!) * (classWeight === null ? 1 : (classWeight[t] ?? 1));
    weight[r] = w;
    if (w !== 1) uniform = false;
  }
  return { target, weight, uniform };
}

/**
 * Class weights with label smoothing, PyTorch's formula: per row
 * (1−ε)·w[t]·(−log p_t) + ε/C·Σ_c w_c·(−log p_c), rows scaled by their mask.
 */
function weightedSmoothed(
  flat: Tensor,
  target: Int32Array,
  weight: Float32Array,
  mask: Float32Array | null,
  classWeight: Float32Array,
  smoothing: number,
  ignore: number,
): Tensor {
  const [rows, classes] = flat.shape as [number, number];
  const nll = softmaxCrossEntropy(flat, new Tensor(target, [rows]), { ignoreIndex: ignore });
  const logp = flat.logSoftmax(1);
  const smooth = logp
    .mul(new Tensor(classWeight, [1, classes]))
    .sum(1)
    .neg();
  const rowScale = Float32Array.from(target, (t, r) => (t === ignore ? 0 : mask === null ? 1 : mask[r]!));
  return nll
    .mul(new Tensor(weight, [rows]).mul(1 - smoothing))
    .add(smooth.mul(new Tensor(rowScale, [rows]).mul(smoothing / classes)));
}

export interface BceWithLogitsOptions extends LossOptions {
  /** Weight of the positive term, a number or a tensor broadcastable to the loss (e.g. [C]). */
  posWeight?: Tensor | number;
}

/**
 * Binary cross-entropy on logits, for multi-label targets in [0, 1]; NaN targets count as missing.
 * Computed stably for any logit: each branch of max(x,0) − x·y + log(1+e^−|x|) is written smoothly
 * so that the gradient at x = 0 is σ(0) − y, as in PyTorch.
 *
 * @example
 * binaryCrossEntropyWithLogits(logits, tensor([[1, NaN, 0]]), { posWeight: 3 });
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, o: BceWithLogitsOptions = {}): Tensor {
  for (const [name, t] of [
    ['logits', logits],
    ['targets', targets],
  ] as const) {
    if (t.dtype !== 'float32')
      throw new DTypeError('binaryCrossEntropyWithLogits', `${name} must be float32, got ${t.dtype}`);
  }
  const shape = broadcastShapes('binaryCrossEntropyWithLogits', logits.shape, targets.shape);
  const w = presence('binaryCrossEntropyWithLogits', shape, o.mask, targets);
  const x = logits;
  const y = fillNaN(targets);
  const xy = x.mul(y);
  const pw = o.posWeight;
  let atLeast0: Tensor;
  let below0: Tensor;
  if (pw === undefined) {
    atLeast0 = x.sub(xy).add(x.neg().softplus()); // (1−y)x + log(1+e^−x)
    below0 = x.softplus().sub(xy); //                 log(1+e^x) − xy
  } else {
    // l = (1−y)x + L·log(1+e^−x) with L = 1 + (pw−1)y; for x < 0 rewritten as L·log(1+e^x) − pw·xy
    const big = y.mul(typeof pw === 'number' ? pw - 1 : pw.sub(1)).add(1);
    atLeast0 = x.sub(xy).add(big.mul(x.neg().softplus()));
    below0 = big.mul(x.softplus()).sub(xy.mul(pw));
  }
  const loss = where(x.ge(0), atLeast0, below0);
  return reduceLoss(w === null ? loss : loss.mul(w), w, o.reduction ?? 'mean');
}
