/**
 * 2-D pooling on (N,C,H,W): max, average and adaptive average.
 *
 * @example
 * maxPool2d(x, 2); // halves H and W
 */
import { allocateEmpty, emptyF32, zerosF32 } from '../../core/dtype.js';
import { ShapeError } from '../../core/errors.js';
import { fmt } from '../../core/shape.js';
import type { Pool2dGeometry } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { requireFloat } from './elementwise.js';
import { pair, type Pair } from './conv.js';

export interface Pool2dOptions {
  /** Default: the kernel size. */
  stride?: Pair;
  padding?: Pair;
  /** Average pooling only: count padded cells in the divisor (PyTorch's default, true). */
  countIncludePad?: boolean;
}

function geometry(op: string, x: Tensor, kernel: Pair, o: Pool2dOptions): Pool2dGeometry {
  if (x.ndim !== 4) throw new ShapeError(op, `input must be [N,C,H,W], got ${fmt(x.shape)}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [kh, kw] = pair(op, 'kernel', kernel, 1);
  const [strideH, strideW] = pair(op, 'stride', o.stride ?? [kh, kw], 1);
  const [padH, padW] = pair(op, 'padding', o.padding ?? 0, 0);
  if (padH * 2 > kh || padW * 2 > kw)
    throw new ShapeError(op, `padding ${padH},${padW} must be at most half the kernel ${kh}x${kw}`);
  const oh = Math.floor((h + 2 * padH - kh) / strideH) + 1;
  const ow = Math.floor((w + 2 * padW - kw) / strideW) + 1;
  if (oh < 1 || ow < 1) throw new ShapeError(op, `kernel ${kh}x${kw} does not fit input ${fmt(x.shape)}`);
  return { n, c, h, w, oh, ow, kh, kw, strideH, strideW, padH, padW, countIncludePad: o.countIncludePad ?? true };
}

export function maxPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  requireFloat('maxPool2d', x);
  const g = geometry('maxPool2d', x, kernel, opts);
  const size = g.n * g.c * g.oh * g.ow;
  const y = emptyF32(size);
  const arg = allocateEmpty('int32', size) as Int32Array;
  getBackend().maxPool2d({ x: x.data as Float32Array, y, argmax: arg }, g);
  return record(
    new Tensor(y, [g.n, g.c, g.oh, g.ow]),
    'maxPool2d',
    [x],
    (gy) => {
      const gx = emptyF32(x.size);
      getBackend().maxPool2dBackward({ gy: gy.data as Float32Array, argmax: arg, gx }, g);
      return [new Tensor(gx, x.shape)];
    },
    [arg],
  );
}

export function avgPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  requireFloat('avgPool2d', x);
  const g = geometry('avgPool2d', x, kernel, opts);
  const y = emptyF32(g.n * g.c * g.oh * g.ow);
  getBackend().avgPool2d({ x: x.data as Float32Array, y }, g);
  return record(new Tensor(y, [g.n, g.c, g.oh, g.ow]), 'avgPool2d', [x], (gy) => {
    const gx = zerosF32(x.size);
    getBackend().avgPool2dBackward({ gy: gy.data as Float32Array, gx }, g);
    return [new Tensor(gx, x.shape)];
  });
}

/** Average pooling to a fixed output size, with PyTorch's cell boundaries. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  requireFloat('adaptiveAvgPool2d', x);
  if (x.ndim !== 4) throw new ShapeError('adaptiveAvgPool2d', `input must be [N,C,H,W], got ${fmt(x.shape)}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [oh, ow] = pair('adaptiveAvgPool2d', 'outputSize', outputSize, 1);
  const y = emptyF32(n * c * oh * ow);
  const g = { n, c, h, w, oh, ow };
  getBackend().adaptiveAvgPool2d({ x: x.data as Float32Array, y }, g);
  return record(new Tensor(y, [n, c, oh, ow]), 'adaptiveAvgPool2d', [x], (gy) => {
    const gx = zerosF32(x.size);
    getBackend().adaptiveAvgPool2dBackward({ gy: gy.data as Float32Array, gx }, g);
    return [new Tensor(gx, x.shape)];
  });
}
