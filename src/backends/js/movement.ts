/** Data-movement kernels of the reference backend (any dtype): permute, slice, gather and their inverses. */
import type { TypedArray } from '../../core/dtype.js';
import { splitAround, stridesOf, sizeOf, type Shape } from '../../core/shape.js';
import type { F32, I32 } from '../../backend/backend.js';

export function permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  if (x.length === 0) return;
  const inStr = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const srcStr = perm.map((p) => inStr[p]!); // stride in x of each out axis
  if (rank === 2 && perm[0] === 1) {
    const [r, c] = shape as [number, number];
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j]!;
    return;
  }
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = x[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      src += srcStr[d]!;
      if (idx[d]! < outShape[d]!) break;
      src -= srcStr[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

/** Copies the box of `boxShape` at `begin` between a big array (shape `big`) and a packed one. */
function copyBox(
  big: TypedArray,
  bigShape: Shape,
  packed: TypedArray,
  boxShape: Shape,
  begin: readonly number[],
  toPacked: boolean,
): void {
  const rank = bigShape.length;
  const total = sizeOf(boxShape);
  if (total === 0) return;
  const str = stridesOf(bigShape);
  let base = 0;
  for (let d = 0; d < rank; d++) base += begin[d]! * str[d]!;
  if (rank === 0) {
    if (toPacked) packed[0] = big[0]!;
    else big[0] = packed[0]!;
    return;
  }
  const len = boxShape[rank - 1]!;
  const rows = total / len;
  const idx = new Array<number>(rank).fill(0);
  let off = base;
  for (let r = 0; r < rows; r++) {
    const p = r * len;
    if (toPacked) packed.set(big.subarray(off, off + len), p);
    else big.set(packed.subarray(p, p + len), off);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      off += str[d]!;
      if (idx[d]! < boxShape[d]!) break;
      off -= str[d]! * boxShape[d]!;
      idx[d] = 0;
    }
  }
}

export function slice(x: TypedArray, shape: Shape, begin: readonly number[], out: TypedArray, outShape: Shape): void {
  copyBox(x, shape, out, outShape, begin, true);
}

export function sliceAssign(
  src: TypedArray,
  srcShape: Shape,
  dst: TypedArray,
  dstShape: Shape,
  begin: readonly number[],
): void {
  copyBox(dst, dstShape, src, srcShape, begin, false);
}

export function indexSelect(x: TypedArray, shape: Shape, axis: number, indices: I32, out: TypedArray): void {
  const [outer, dim, inner] = splitAround(shape, axis);
  const k = indices.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const src = (o * dim + indices[j]!) * inner;
      out.set(x.subarray(src, src + inner), (o * k + j) * inner);
    }
  }
}

export function indexAdd(g: F32, axis: number, indices: I32, out: F32, outShape: Shape): void {
  const [outer, dim, inner] = splitAround(outShape, axis);
  const k = indices.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const dst = (o * dim + indices[j]!) * inner;
      const src = (o * k + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = out[dst + i]! + g[src + i]!;
    }
  }
}

export function gather(
  x: TypedArray,
  shape: Shape,
  axis: number,
  index: I32,
  indexShape: Shape,
  out: TypedArray,
): void {
  const xStr = stridesOf(shape);
  const rank = indexShape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < index.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (d === axis ? index[o]! : idx[d]!) * xStr[d]!;
    out[o] = x[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < indexShape[d]!) break;
      idx[d] = 0;
    }
  }
}

export function scatterAdd(g: F32, indexShape: Shape, axis: number, index: I32, out: F32, outShape: Shape): void {
  const oStr = stridesOf(outShape);
  const rank = indexShape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < index.length; o++) {
    let dst = 0;
    for (let d = 0; d < rank; d++) dst += (d === axis ? index[o]! : idx[d]!) * oStr[d]!;
    out[dst] = out[dst]! + g[o]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < indexShape[d]!) break;
      idx[d] = 0;
    }
  }
}
