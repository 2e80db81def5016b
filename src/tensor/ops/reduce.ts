/**
 * Reductions over axes with keepDim: sum, mean, max, min, logSumExp, argmax, argmin.
 *
 * @example
 * sum(x, [0, 2], true); // shape [1, C, 1] for x of shape [N, C, L]
 */
import { emptyF32 } from '../../core/dtype.js';
import { ShapeError } from '../../core/errors.js';
import { fmt, normAxes, normAxis, sizeOf } from '../../core/shape.js';
import { getBackend } from '../../backend/registry.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { requireFloat, where } from './elementwise.js';

type Axes = number | readonly number[] | undefined;

/** Shape with reduced axes set to 1 (keepDim) or removed. */
function reducedShape(shape: readonly number[], axes: readonly number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDim) out.push(1);
  });
  return out;
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reduceRaw(op: 'sum' | 'max' | 'min', x: Tensor, axes: readonly number[]): Float32Array {
  const out = emptyF32(sizeOf(keptShape(x.shape, axes)));
  getBackend().reduce(op, x.data as Float32Array, x.shape, axes, out);
  return out;
}

export function sum(x: Tensor, axesIn: Axes, keepDim: boolean): Tensor {
  requireFloat('sum', x);
  const axes = normAxes('sum', axesIn, x.ndim);
  const res = new Tensor(reduceRaw('sum', x, axes), reducedShape(x.shape, axes, keepDim));
  return record(res, 'sum', [x], (g) => [g.reshape(keptShape(x.shape, axes)).expand(x.shape)]);
}

export function mean(x: Tensor, axesIn: Axes, keepDim: boolean): Tensor {
  requireFloat('mean', x);
  const axes = normAxes('mean', axesIn, x.ndim);
  const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
  return sum(x, axes, keepDim).div(count);
}

/** max/min over axes; the gradient is shared evenly among tied extremes (as PyTorch's amax). */
export function extreme(op: 'max' | 'min', x: Tensor, axesIn: Axes, keepDim: boolean): Tensor {
  requireFloat(op, x);
  const axes = normAxes(op, axesIn, x.ndim);
  const kept = keptShape(x.shape, axes);
  const raw = reduceRaw(op, x, axes);
  const res = new Tensor(raw, reducedShape(x.shape, axes, keepDim));
  return record(res, op, [x], (g) => {
    const hit = x.eq(new Tensor(raw, kept));
    const count = hit.sum(axes, true);
    return [hit.div(count).mul(g.reshape(kept))];
  });
}

/** log(sum(exp(x))) over axes, stable: the max is subtracted first. */
export function logSumExp(x: Tensor, axesIn: Axes, keepDim: boolean): Tensor {
  requireFloat('logSumExp', x);
  const axes = normAxes('logSumExp', axesIn, x.ndim);
  const mRaw = new Tensor(reduceRaw('max', x, axes), keptShape(x.shape, axes));
  // an all -inf slice has max -inf: shift by 0 there so the result is -inf, not NaN
  const m = where(mRaw.eq(-Infinity), 0, mRaw);
  const out = x.sub(m).exp().sum(axes, true).log().add(m);
  return keepDim ? out : out.reshape(reducedShape(x.shape, axes, false));
}

export function argReduce(op: 'argmax' | 'argmin', x: Tensor, axisIn: number | undefined, keepDim: boolean): Tensor {
  requireFloat(op, x);
  // an empty slice has no index to return (PyTorch refuses too); checked here for a message that says so
  const empty = (): ShapeError => new ShapeError(op, `cannot reduce over an empty axis of ${fmt(x.shape)}`);
  if (axisIn === undefined) {
    if (x.size === 0) throw empty();
    const flat = x.reshape([x.size]);
    const out = argReduce(op, flat, 0, false);
    return keepDim ? out.reshape(x.shape.map(() => 1)) : out;
  }
  const axis = normAxis(op, axisIn, x.ndim);
  if (x.shape[axis] === 0) throw empty();
  const out = new Int32Array(x.size / (x.shape[axis] ?? 1));
  getBackend().argReduce(op, x.data as Float32Array, x.shape, axis, out);
  return new Tensor(out, reducedShape(x.shape, [axis], keepDim));
}
