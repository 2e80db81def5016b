/**
 * Shape arithmetic: sizes, row-major strides, NumPy broadcasting, axis normalisation.
 * Shapes are plain `number[]`; a scalar has shape `[]`.
 *
 * @example
 * broadcastShapes('add', [4, 1, 3], [5, 1]); // [4, 5, 3]
 */
import { ShapeError, ValueError } from './errors.js';

export type Shape = readonly number[];

/** `[2,3]` → `'[2,3]'`, the form used in error messages. */
export function fmt(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks that every dimension is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new ShapeError(op, `invalid shape ${fmt(shape)}: dimensions must be non-negative integers`);
  }
}

/** NumPy broadcasting of two shapes; throws naming the op when they do not broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(op, `shapes do not broadcast: ${fmt(a)} and ${fmt(b)}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Turns a possibly negative axis into 0..rank-1. */
export function normAxis(op: string, axis: number, rank: number): number {
  // a 0-d tensor accepts axis 0 and -1, as in PyTorch
  const a = axis < 0 ? axis + Math.max(rank, 1) : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= Math.max(rank, 1)) {
    throw new ValueError(op, `axis ${axis} out of range for rank ${rank}`);
  }
  return a;
}

/** Normalises a list of axes (undefined = all), sorted and without repeats. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  // the axis 0 a 0-d tensor accepts is not a real axis: reducing over it leaves the value as is
  const out = [...new Set(list.map((a) => normAxis(op, a, rank)))].filter((a) => a < rank);
  return out.sort((x, y) => x - y);
}

/**
 * Strides of `inShape` seen through the broadcast to `outShape`: 0 on broadcast dimensions.
 * The result has `outShape.length` entries.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const st = stridesOf(inShape);
  const off = outShape.length - inShape.length;
  const out = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < inShape.length; i++) out[i + off] = inShape[i] === 1 ? 0 : st[i]!;
  return out;
}

/** Sizes [outer, dim, inner] of a shape split around `axis`: the view that axis-wise kernels take. */
export function splitAround(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis] ?? 1, inner];
}
