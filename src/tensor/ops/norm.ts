/**
 * layerNorm over trailing dimensions and batchNorm over (N, C, *) with running statistics.
 *
 * @example
 * layerNorm(x, [64], gamma, beta);
 * batchNorm(x, runMean, runVar, gamma, beta, { training: true });
 */
import { emptyF32, zerosF32 } from '../../core/dtype.js';
import { ShapeError, ValueError } from '../../core/errors.js';
import { fmt, sizeOf } from '../../core/shape.js';
import type { LayerNormBackwardArrays } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { requireFloat } from './elementwise.js';

const f32 = (t: Tensor | null): Float32Array | null => (t === null ? null : (t.data as Float32Array));

export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps = 1e-5,
): Tensor {
  requireFloat('layerNorm', x);
  if (!(eps > 0 && Number.isFinite(eps)))
    throw new ValueError('layerNorm', `eps must be a positive finite number, got ${eps}`);
  const tail = x.shape.slice(x.ndim - normalizedShape.length);
  if (normalizedShape.length > x.ndim || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new ShapeError(
      'layerNorm',
      `normalized shape ${fmt(normalizedShape)} is not the tail of input ${fmt(x.shape)}`,
    );
  }
  const cols = sizeOf(normalizedShape);
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (p !== null && p.size !== cols)
      throw new ShapeError('layerNorm', `${name} must have ${cols} elements, got ${fmt(p.shape)}`);
  }
  const rows = cols === 0 ? 0 : x.size / cols;
  const y = emptyF32(x.size);
  const mean = emptyF32(rows);
  const rstd = emptyF32(rows);
  const attrs = { rows, cols, eps };
  getBackend().layerNorm({ x: x.data as Float32Array, gamma: f32(weight), beta: f32(bias), y, mean, rstd }, attrs);
  return recordNorm('layerNorm', { x, weight, bias, y, mean, rstd }, (arrays) =>
    getBackend().layerNormBackward(arrays, attrs),
  );
}

export interface BatchNormOptions {
  /** Use batch statistics (and update the running ones). */
  training: boolean;
  momentum?: number;
  eps?: number;
}

/** x is [N, C] or [N, C, ...]; statistics are per channel C. */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  o: BatchNormOptions,
): Tensor {
  requireFloat('batchNorm', x);
  const eps = o.eps ?? 1e-5;
  const momentum = o.momentum ?? 0.1;
  if (!(eps > 0 && Number.isFinite(eps)))
    throw new ValueError('batchNorm', `eps must be a positive finite number, got ${eps}`);
  if (!(momentum >= 0 && momentum <= 1))
    throw new ValueError('batchNorm', `momentum must be in [0, 1], got ${momentum}`);
  if (x.ndim < 2) throw new ShapeError('batchNorm', `input must be [N,C,...], got ${fmt(x.shape)}`);
  const n = x.shape[0]!;
  const c = x.shape[1]!;
  const s = sizeOf(x.shape.slice(2));
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
    ['runningMean', runningMean],
    ['runningVar', runningVar],
  ] as const) {
    if (p !== null && p.size !== c)
      throw new ShapeError(
        'batchNorm',
        `${name} must have ${c} elements (channels of ${fmt(x.shape)}), got ${fmt(p.shape)}`,
      );
  }
  if (o.training && n * s <= 1)
    throw new ShapeError('batchNorm', `training needs more than one value per channel, got input ${fmt(x.shape)}`);
  const y = emptyF32(x.size);
  const mean = emptyF32(c);
  const rstd = emptyF32(c);
  const attrs = { n, c, s, training: o.training, momentum, eps };
  getBackend().batchNorm(
    {
      x: x.data as Float32Array,
      gamma: f32(weight),
      beta: f32(bias),
      runningMean: f32(runningMean),
      runningVar: f32(runningVar),
      y,
      mean,
      rstd,
    },
    attrs,
  );
  return recordNorm('batchNorm', { x, weight, bias, y, mean, rstd }, (arrays) =>
    getBackend().batchNormBackward(arrays, attrs),
  );
}

/** What a normalisation's forward pass leaves for its backward: input, affine parameters, statistics. */
interface NormSaved {
  x: Tensor;
  weight: Tensor | null;
  bias: Tensor | null;
  y: Float32Array;
  mean: Float32Array;
  rstd: Float32Array;
}

/**
 * Records a normalisation (layer or batch norm): output y from x and its affine parameters, whose
 * backward `kernel` fills gx and the parameters' gradients from the saved statistics, which go back
 * to the storage pool with the graph (autograd.ts, `record`'s `saved`).
 *
 * @example
 * return recordNorm('layerNorm', { x, weight, bias, y, mean, rstd }, (a) => getBackend().layerNormBackward(a, attrs));
 */
function recordNorm(name: string, s: NormSaved, kernel: (arrays: LayerNormBackwardArrays) => void): Tensor {
  const { x, weight, bias, mean, rstd } = s;
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return record(
    new Tensor(s.y, x.shape),
    name,
    inputs,
    (g) => {
      const gx = emptyF32(x.size);
      const gw = weight === null ? null : zerosF32(weight.size);
      const gb = bias === null ? null : zerosF32(bias.size);
      kernel({
        gy: g.data as Float32Array,
        x: x.data as Float32Array,
        gamma: f32(weight),
        mean,
        rstd,
        gx,
        ggamma: gw,
        gbeta: gb,
      });
      const out: Tensor[] = [new Tensor(gx, x.shape)];
      if (gw !== null) out.push(new Tensor(gw, weight!.shape));
      if (gb !== null) out.push(new Tensor(gb, bias!.shape));
      return out;
    },
    [mean, rstd],
  );
}
