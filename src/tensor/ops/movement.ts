/**
 * Shape and indexing ops: reshape, flatten, squeeze, unsqueeze, permute, transpose, expand, slice,
 * concat, stack, indexSelect, gather. Each differentiable (through its inverse movement).
 *
 * @example
 * concat([a, b], 1); // joins along axis 1
 */
import { allocate, allocateEmpty, zerosF32 } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError } from '../../core/errors.js';
import { broadcastShapes, checkShape, fmt, normAxis, shapesEqual, sizeOf } from '../../core/shape.js';
import { getBackend } from '../../backend/registry.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { sumTo } from './elementwise.js';

/** The axis of an op that walks a real dimension; a 0-d tensor has none (normAxis admits 0/-1 for reductions). */
function dimAxis(op: string, axis: number, x: Tensor): number {
  if (x.ndim === 0) throw new ShapeError(op, 'needs a tensor of at least 1 dimension, got a 0-d tensor');
  return normAxis(op, axis, x.ndim);
}

export function reshape(x: Tensor, shapeIn: readonly number[]): Tensor {
  const shape = [...shapeIn];
  const neg = shape.filter((d) => d === -1).length;
  if (neg > 1) throw new ShapeError('reshape', `at most one dimension can be -1, got ${fmt(shapeIn)}`);
  if (neg === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0)
      throw new ShapeError('reshape', `cannot reshape ${fmt(x.shape)} into ${fmt(shapeIn)}`);
    shape[shape.indexOf(-1)] = x.size / known;
  }
  checkShape('reshape', shape);
  if (sizeOf(shape) !== x.size)
    throw new ShapeError('reshape', `cannot reshape ${fmt(x.shape)} (${x.size} elements) into ${fmt(shapeIn)}`);
  if (shapesEqual(shape, x.shape)) return x;
  const res = new Tensor(x.data, shape);
  return record(res, 'reshape', [x], (g) => [g.reshape(x.shape)]);
}

export function flatten(x: Tensor, startAxis: number, endAxis: number): Tensor {
  if (x.ndim === 0) return x.reshape([1]);
  const s = normAxis('flatten', startAxis, x.ndim);
  const e = normAxis('flatten', endAxis, x.ndim);
  if (e < s) throw new ValueError('flatten', `endAxis ${endAxis} comes before startAxis ${startAxis}`);
  const mid = sizeOf(x.shape.slice(s, e + 1));
  return x.reshape([...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return x.reshape(x.shape.filter((d) => d !== 1));
  const a = normAxis('squeeze', axis, x.ndim);
  if (x.shape[a] !== 1) return x;
  return x.reshape(x.shape.filter((_, i) => i !== a));
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis('unsqueeze', axis, x.ndim + 1);
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return x.reshape(s);
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (
    perm.length !== x.ndim ||
    [...perm]
      .map((p) => normAxis('permute', p, x.ndim))
      .sort((a, b) => a - b)
      .some((p, i) => p !== i)
  ) {
    throw new ShapeError('permute', `${fmt(perm)} is not a permutation of the ${x.ndim} axes of ${fmt(x.shape)}`);
  }
  const p = perm.map((a) => normAxis('permute', a, x.ndim));
  if (p.every((a, i) => a === i)) return x;
  const shape = p.map((a) => x.shape[a]!);
  // the kernel writes every element: no zero fill (attention permutes megabytes a layer)
  const out = allocateEmpty(x.dtype, x.size);
  getBackend().permute(x.data, x.shape, p, out);
  const inv = new Array<number>(p.length);
  p.forEach((a, i) => {
    inv[a] = i;
  });
  return record(new Tensor(out, shape), 'permute', [x], (g) => [g.permute(inv)]);
}

export function transpose(x: Tensor, a: number, b: number): Tensor {
  if (x.ndim < 2) return x;
  const i = normAxis('transpose', a, x.ndim);
  const j = normAxis('transpose', b, x.ndim);
  const perm = x.shape.map((_, k) => k);
  perm[i] = j;
  perm[j] = i;
  return permute(x, perm);
}

export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShapes('expand', x.shape, shape);
  if (!shapesEqual(target, shape)) throw new ShapeError('expand', `cannot expand ${fmt(x.shape)} to ${fmt(shape)}`);
  if (shapesEqual(x.shape, shape)) return x;
  const out = allocate(x.dtype, sizeOf(shape));
  const zero = allocate(x.dtype, 1);
  getBackend().binary('add', x.data, x.shape, zero, [], out, shape);
  return record(new Tensor(out, shape), 'expand', [x], (g) => [sumTo(g, x.shape)]);
}

export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  const a = dimAxis('slice', axis, x);
  const dim = x.shape[a]!;
  const clampIdx = (v: number): number => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
  const s = clampIdx(start);
  const e = Math.max(clampIdx(end ?? dim), s);
  if (s === 0 && e === dim) return x;
  const shape = [...x.shape];
  shape[a] = e - s;
  const begin = x.shape.map((_, i) => (i === a ? s : 0));
  const out = allocate(x.dtype, sizeOf(shape));
  getBackend().slice(x.data, x.shape, begin, out, shape);
  return record(new Tensor(out, shape), 'slice', [x], (g) => {
    const gx = zerosF32(x.size);
    getBackend().sliceAssign(g.data, g.shape, gx, x.shape, begin);
    return [new Tensor(gx, x.shape)];
  });
}

/** Joins tensors along an existing axis; all other dimensions must agree. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('concat', 'needs at least one tensor');
  const first = tensors[0]!;
  const a = dimAxis('concat', axis, first);
  for (const t of tensors) {
    if (t.dtype !== first.dtype) throw new DTypeError('concat', `dtypes differ: ${first.dtype} and ${t.dtype}`);
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError('concat', `shapes ${tensors.map((x) => fmt(x.shape)).join(', ')} differ outside axis ${a}`);
    }
  }
  const shape = [...first.shape];
  shape[a] = tensors.reduce((p, t) => p + t.shape[a]!, 0);
  const out = allocate(first.dtype, sizeOf(shape));
  const begins: number[][] = [];
  let off = 0;
  for (const t of tensors) {
    const begin = shape.map((_, i) => (i === a ? off : 0));
    begins.push(begin);
    getBackend().sliceAssign(t.data, t.shape, out, shape, begin);
    off += t.shape[a]!;
  }
  return record(new Tensor(out, shape), 'concat', tensors, (g, needs) =>
    tensors.map((t, i) => {
      if (!needs[i]) return null;
      const gi = zerosF32(t.size);
      getBackend().slice(g.data, g.shape, begins[i]!, gi, t.shape);
      return new Tensor(gi, t.shape);
    }),
  );
}

/** Joins same-shape tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('stack', 'needs at least one tensor');
  const first = tensors[0]!;
  for (const t of tensors) {
    if (!shapesEqual(t.shape, first.shape))
      throw new ShapeError('stack', `shapes differ: ${tensors.map((x) => fmt(x.shape)).join(', ')}`);
  }
  const a = normAxis('stack', axis, first.ndim + 1);
  return concat(
    tensors.map((t) => t.unsqueeze(a)),
    a,
  );
}

function checkIndices(op: string, idx: Tensor, dim: number): Int32Array {
  if (idx.dtype !== 'int32') throw new DTypeError(op, `indices must be int32, got ${idx.dtype}`);
  const d = idx.data as Int32Array;
  for (let i = 0; i < d.length; i++) {
    if (d[i]! < 0 || d[i]! >= dim) throw new ValueError(op, `index ${d[i]} out of range [0, ${dim})`);
  }
  return d;
}

export function indexSelect(x: Tensor, axis: number, indices: Tensor): Tensor {
  const a = dimAxis('indexSelect', axis, x);
  if (indices.ndim !== 1) throw new ShapeError('indexSelect', `indices must be 1-D, got ${fmt(indices.shape)}`);
  const idx = checkIndices('indexSelect', indices, x.shape[a]!);
  const shape = [...x.shape];
  shape[a] = idx.length;
  const out = allocate(x.dtype, sizeOf(shape));
  getBackend().indexSelect(x.data, x.shape, a, idx, out);
  const res = new Tensor(out, shape);
  if (x.dtype !== 'float32') return res;
  return record(res, 'indexSelect', [x], (g) => {
    const gx = zerosF32(x.size);
    getBackend().indexAdd(g.data as Float32Array, a, idx, gx, x.shape);
    return [new Tensor(gx, x.shape)];
  });
}

export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = dimAxis('gather', axis, x);
  if (index.ndim !== x.ndim || index.shape.some((d, i) => i !== a && d > x.shape[i]!)) {
    throw new ShapeError(
      'gather',
      `index shape ${fmt(index.shape)} does not fit input ${fmt(x.shape)} along axis ${a}`,
    );
  }
  const idx = checkIndices('gather', index, x.shape[a]!);
  const out = allocate(x.dtype, index.size);
  getBackend().gather(x.data, x.shape, a, idx, index.shape, out);
  const res = new Tensor(out, index.shape);
  if (x.dtype !== 'float32') return res;
  return record(res, 'gather', [x], (g) => {
    const gx = zerosF32(x.size);
    getBackend().scatterAdd(g.data as Float32Array, index.shape, a, idx, gx, x.shape);
    return [new Tensor(gx, x.shape)];
  });
}
