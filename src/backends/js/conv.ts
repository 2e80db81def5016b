/**
 * 2-D convolution of the reference backend by im2col + GEMM, per image and group.
 * x is (N,C,H,W), w is (O,C/groups,KH,KW), y is (N,O,OH,OW); the column matrix of one image and
 * group is (C/groups·KH·KW, OH·OW).
 */
import { PLAIN_GEMM, type Conv2dGeometry, type F32, type KernelArrays } from '../../backend/backend.js';
import { matmul } from './matmul.js';

function im2col(x: F32, xOff: number, cg: number, g: Conv2dGeometry, col: F32): void {
  const { h, w, kh, kw, oh, ow, strideH, strideW, padH, padW, dilationH, dilationW } = g;
  let r = 0;
  for (let c = 0; c < cg; c++) {
    const plane = xOff + c * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, r++) {
        const rowOff = r * oh * ow;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * strideH - padH + ki * dilationH;
          const dst = rowOff + oy * ow;
          if (iy < 0 || iy >= h) {
            col.fill(0, dst, dst + ow);
            continue;
          }
          const src = plane + iy * w;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * strideW - padW + kj * dilationW;
            col[dst + ox] = ix >= 0 && ix < w ? x[src + ix]! : 0;
          }
        }
      }
    }
  }
}

/** Adds the column matrix back into the image (the adjoint of im2col). */
function col2im(col: F32, cg: number, g: Conv2dGeometry, gx: F32, xOff: number): void {
  const { h, w, kh, kw, oh, ow, strideH, strideW, padH, padW, dilationH, dilationW } = g;
  let r = 0;
  for (let c = 0; c < cg; c++) {
    const plane = xOff + c * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, r++) {
        const rowOff = r * oh * ow;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * strideH - padH + ki * dilationH;
          if (iy < 0 || iy >= h) continue;
          const src = rowOff + oy * ow;
          const dst = plane + iy * w;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * strideW - padW + kj * dilationW;
            if (ix >= 0 && ix < w) gx[dst + ix] = gx[dst + ix]! + col[src + ox]!;
          }
        }
      }
    }
  }
}

interface Dims {
  cg: number;
  og: number;
  kk: number;
  sp: number;
}
function dims(g: Conv2dGeometry): Dims {
  const cg = g.c / g.groups;
  return { cg, og: g.o / g.groups, kk: cg * g.kh * g.kw, sp: g.oh * g.ow };
}

export function conv2d({ x, w, bias, y }: KernelArrays<'conv2d'>, g: Conv2dGeometry): void {
  const { cg, og, kk, sp } = dims(g);
  const col = new Float32Array(kk * sp);
  const tmp = new Float32Array(og * sp);
  for (let n = 0; n < g.n; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      im2col(x, (n * g.c + gr * cg) * g.h * g.w, cg, g, col);
      // (og, kk) @ (kk, sp)
      matmul(
        { a: w.subarray(gr * og * kk, (gr + 1) * og * kk), b: col, out: tmp },
        { ...PLAIN_GEMM, m: og, n: sp, k: kk },
      );
      const yOff = (n * g.o + gr * og) * sp;
      for (let o = 0; o < og; o++) {
        const bv = bias === null ? 0 : bias[gr * og + o]!;
        for (let s = 0; s < sp; s++) y[yOff + o * sp + s] = tmp[o * sp + s]! + bv;
      }
    }
  }
}

export function conv2dBackwardInput({ gy, w, gx }: KernelArrays<'conv2dBackwardInput'>, g: Conv2dGeometry): void {
  const { cg, og, kk, sp } = dims(g);
  gx.fill(0);
  const col = new Float32Array(kk * sp);
  for (let n = 0; n < g.n; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const gyOff = (n * g.o + gr * og) * sp;
      // col (kk, sp) = w_g^T (kk, og) @ gy (og, sp)
      matmul(
        { a: w.subarray(gr * og * kk, (gr + 1) * og * kk), b: gy.subarray(gyOff, gyOff + og * sp), out: col },
        { ...PLAIN_GEMM, m: kk, n: sp, k: og, transA: true },
      );
      col2im(col, cg, g, gx, (n * g.c + gr * cg) * g.h * g.w);
    }
  }
}

export function conv2dBackwardWeight({ gy, x, gw, gb }: KernelArrays<'conv2dBackwardWeight'>, g: Conv2dGeometry): void {
  const { cg, og, kk, sp } = dims(g);
  gw.fill(0);
  if (gb !== null) gb.fill(0);
  const col = new Float32Array(kk * sp);
  for (let n = 0; n < g.n; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      im2col(x, (n * g.c + gr * cg) * g.h * g.w, cg, g, col);
      const gyOff = (n * g.o + gr * og) * sp;
      const gyg = gy.subarray(gyOff, gyOff + og * sp);
      // gw_g (og, kk) += gy (og, sp) @ col^T (sp, kk)
      matmul(
        { a: gyg, b: col, out: gw.subarray(gr * og * kk, (gr + 1) * og * kk) },
        { ...PLAIN_GEMM, m: og, n: kk, k: sp, transB: true, accumulate: true },
      );
      if (gb !== null) {
        for (let o = 0; o < og; o++) {
          let s = 0;
          for (let i = 0; i < sp; i++) s += gyg[o * sp + i]!;
          gb[gr * og + o] = gb[gr * og + o]! + s;
        }
      }
    }
  }
}
