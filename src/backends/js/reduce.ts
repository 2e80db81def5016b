/** Reductions of the reference backend: sum/max/min over any set of axes, argmax/argmin over one. */
import { splitAround, type Shape } from '../../core/shape.js';
import type { F32, I32, ReduceOp } from '../../backend/backend.js';

/**
 * Views `shape` reduced over `axes` as alternating kept/reduced blocks and walks x once, in order,
 * accumulating into out. out has the size of shape with the axes set to 1.
 */
export function reduce(op: ReduceOp, x: F32, shape: Shape, axes: readonly number[], out: F32): void {
  const init = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
  out.fill(init);
  if (x.length === 0) return;
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(false);
  for (const a of axes) reduced[a] = true;
  // stride of each axis in `out` (0 on reduced axes)
  const outStr = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (!reduced[d]) {
      outStr[d] = acc;
      acc *= shape[d]!;
    }
  }
  const last = rank - 1;
  const len = rank === 0 ? 1 : shape[last]!;
  const innerStride = rank === 0 ? 0 : outStr[last]!;
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let o = 0;
  const rows = x.length / len;
  let xi = 0;
  for (let r = 0; r < rows; r++) {
    if (op === 'sum') {
      if (innerStride === 0) {
        let s = 0;
        for (let i = 0; i < len; i++) s += x[xi + i]!;
        out[o] = out[o]! + s;
      } else {
        for (let i = 0; i < len; i++) out[o + i] = out[o + i]! + x[xi + i]!;
      }
    } else if (op === 'max') {
      for (let i = 0, oi = o; i < len; i++, oi += innerStride) {
        const v = x[xi + i]!;
        if (v > out[oi]! || Number.isNaN(v)) out[oi] = v;
      }
    } else {
      for (let i = 0, oi = o; i < len; i++, oi += innerStride) {
        const v = x[xi + i]!;
        if (v < out[oi]! || Number.isNaN(v)) out[oi] = v;
      }
    }
    xi += len;
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      o += outStr[d]!;
      if (idx[d]! < shape[d]!) break;
      o -= outStr[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function argReduce(op: 'argmax' | 'argmin', x: F32, shape: Shape, axis: number, out: I32): void {
  const [outer, dim, inner] = splitAround(shape, axis);
  const better = op === 'argmax' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let best = x[base]!;
      let bi = 0;
      for (let k = 1; k < dim; k++) {
        const v = x[base + k * inner]!;
        if (Number.isNaN(best)) break;
        if (better(v, best) || Number.isNaN(v)) {
          best = v;
          bi = k;
        }
      }
      out[o * inner + i] = bi;
    }
  }
}
