/**
 * The fused softmax cross-entropy kernel as a differentiable op: logits [rows, classes] and int32
 * targets [rows] → per-row losses [rows]. Masking and averaging are left to `nn.functional`.
 *
 * @example
 * softmaxCrossEntropy(logits, targets, { labelSmoothing: 0.1 }).mean();
 */
import { zerosF32 } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError } from '../../core/errors.js';
import { fmt } from '../../core/shape.js';
import { getBackend } from '../../backend/registry.js';
import { isGradEnabled, record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { requireFloat } from './elementwise.js';

export interface SoftmaxCrossEntropyOptions {
  /** Rows whose target is this value get loss 0 and no gradient. Default -100 (as PyTorch). */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution by this much. Default 0. */
  labelSmoothing?: number;
}

export function softmaxCrossEntropy(logits: Tensor, targets: Tensor, o: SoftmaxCrossEntropyOptions = {}): Tensor {
  requireFloat('crossEntropy', logits);
  if (logits.ndim !== 2)
    throw new ShapeError('crossEntropy', `logits must be [rows, classes], got ${fmt(logits.shape)}`);
  if (targets.dtype !== 'int32')
    throw new DTypeError('crossEntropy', `targets must be int32 class indices, got ${targets.dtype}`);
  const [rows, classes] = logits.shape as [number, number];
  if (targets.ndim !== 1 || targets.shape[0] !== rows) {
    throw new ShapeError(
      'crossEntropy',
      `targets must be [${rows}] for logits ${fmt(logits.shape)}, got ${fmt(targets.shape)}`,
    );
  }
  const ignore = o.ignoreIndex ?? -100;
  const smoothing = o.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1))
    throw new ValueError('crossEntropy', `labelSmoothing must be in [0, 1], got ${smoothing}`);
  const t = targets.data as Int32Array;
  for (let i = 0; i < rows; i++) {
    if (t[i] !== ignore && (t[i]! < 0 || t[i]! >= classes)) {
      throw new ValueError('crossEntropy', `target ${t[i]} at row ${i} out of range [0, ${classes})`);
    }
  }
  const loss = zerosF32(rows);
  const needGrad = logits.requiresGrad && isGradEnabled();
  const grad = needGrad ? zerosF32(logits.size) : null;
  getBackend().softmaxCrossEntropy(
    { logits: logits.data as Float32Array, targets: t, loss, grad },
    { rows, classes, smoothing, ignoreIndex: ignore },
  );
  return record(
    new Tensor(loss, [rows]),
    'crossEntropy',
    [logits],
    (g) => [new Tensor(grad!, logits.shape).mul(g.reshape([rows, 1]))],
    grad === null ? [] : [grad],
  );
}
