/**
 * The training losses and the error measures of the study, on values of the task's output type:
 * probabilities over classes (negative log-likelihood; error = share of wrong answers) or scalar
 * values (squared error on a normalised scale; error = mean absolute error in the task's units).
 * The same loss serves the end-to-end model and the hybrid, so they differ only in what they are.
 *
 * @example
 * const loss = classNll(model.forward(x), y);     // y: int32 classes
 * errorRate(predict(model, xTest), yTest);         // 0.12
 */
import { ShapeError } from '../core/errors.js';
import type { Tensor } from '../tensor/index.js';

/**
 * Mean negative log-probability of the target class: p [B, C] probabilities, y [B] int32. The
 * probabilities are floored at 1e-6 so a confident mistake costs a bounded loss.
 *
 * @example
 * classNll(tensor([[0.5, 0.5]]), tensor(Int32Array.of(1))).item(); // 0.693
 */
export function classNll(p: Tensor, y: Tensor): Tensor {
  if (p.ndim !== 2 || y.ndim !== 1 || p.shape[0] !== y.shape[0]) {
    throw new ShapeError(
      'classNll',
      `expected probabilities [B,C] and classes [B], got [${p.shape.join(',')}] and [${y.shape.join(',')}]`,
    );
  }
  return p.gather(1, y.unsqueeze(1)).clamp(1e-6, 1).log().mean().neg();
}

/**
 * Mean squared error of (pred − y) / scale: a regression loss near 1 whatever the target's range.
 *
 * @example
 * scaledMse(tensor([500]), tensor([400]), 1000).item(); // 0.01
 */
export function scaledMse(pred: Tensor, y: Tensor, scale: number): Tensor {
  if (pred.ndim !== 1 || y.ndim !== 1 || pred.shape[0] !== y.shape[0]) {
    throw new ShapeError(
      'scaledMse',
      `expected values [B] and targets [B], got [${pred.shape.join(',')}] and [${y.shape.join(',')}]`,
    );
  }
  return pred.sub(y.toFloat()).div(scale).square().mean();
}

/**
 * Share of rows whose most probable class is not the target.
 *
 * @example
 * errorRate(tensor([[0.9, 0.1], [0.2, 0.8]]), tensor(Int32Array.of(0, 0))); // 0.5
 */
export function errorRate(p: Tensor, y: Tensor): number {
  const guess = p.argmax(1).data;
  const target = y.data;
  let wrong = 0;
  for (let i = 0; i < target.length; i++) if (guess[i] !== target[i]) wrong++;
  return target.length === 0 ? 0 : wrong / target.length;
}

/**
 * Mean |pred − y|.
 *
 * @example
 * meanAbsoluteError(tensor([1, 5]), tensor([2, 2])); // 2
 */
export function meanAbsoluteError(pred: Tensor, y: Tensor): number {
  const a = pred.data;
  const b = y.data;
  let sum = 0;
  for (let i = 0; i < b.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return b.length === 0 ? 0 : sum / b.length;
}
