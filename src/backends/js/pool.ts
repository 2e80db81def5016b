/** Pooling kernels of the reference backend. x is (N,C,H,W), y is (N,C,OH,OW). */
import type { AdaptivePool2dGeometry, KernelArrays, Pool2dGeometry } from '../../backend/backend.js';

export function maxPool2d({ x, y, argmax }: KernelArrays<'maxPool2d'>, g: Pool2dGeometry): void {
  const { h, w, oh, ow, kh, kw, strideH, strideW, padH, padW } = g;
  const planes = g.n * g.c;
  for (let p = 0; p < planes; p++) {
    const xo = p * h * w;
    const yo = p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity;
        let bi = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * strideH - padH + ki;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * strideW - padW + kj;
            if (ix < 0 || ix >= w) continue;
            const v = x[xo + iy * w + ix]!;
            if (v > best || bi < 0 || Number.isNaN(v)) {
              best = v;
              bi = iy * w + ix;
              if (Number.isNaN(v)) break;
            }
          }
        }
        y[yo + oy * ow + ox] = best;
        argmax[yo + oy * ow + ox] = bi;
      }
    }
  }
}

export function maxPool2dBackward({ gy, argmax, gx }: KernelArrays<'maxPool2dBackward'>, g: Pool2dGeometry): void {
  gx.fill(0);
  const planes = g.n * g.c;
  const ohw = g.oh * g.ow;
  const hw = g.h * g.w;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < ohw; i++) {
      const a = argmax[p * ohw + i]!;
      if (a >= 0) gx[p * hw + a] = gx[p * hw + a]! + gy[p * ohw + i]!;
    }
  }
}

/** Calls visit(inputIndexWithinPlane, divisor) for every input cell of output cell (oy, ox). */
function window(g: Pool2dGeometry, oy: number, ox: number, visit: (i: number, div: number) => void): void {
  const y0 = oy * g.strideH - g.padH;
  const x0 = ox * g.strideW - g.padW;
  const y1 = Math.min(y0 + g.kh, g.h + g.padH);
  const x1 = Math.min(x0 + g.kw, g.w + g.padW);
  const ys = Math.max(y0, 0),
    xs = Math.max(x0, 0);
  const ye = Math.min(y1, g.h),
    xe = Math.min(x1, g.w);
  const div = g.countIncludePad ? (y1 - y0) * (x1 - x0) : (ye - ys) * (xe - xs);
  for (let iy = ys; iy < ye; iy++) for (let ix = xs; ix < xe; ix++) visit(iy * g.w + ix, div);
}

export function avgPool2d({ x, y }: KernelArrays<'avgPool2d'>, g: Pool2dGeometry): void {
  const planes = g.n * g.c;
  for (let p = 0; p < planes; p++) {
    const xo = p * g.h * g.w;
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        let s = 0;
        let d = 1;
        window(g, oy, ox, (i, div) => {
          s += x[xo + i]!;
          d = div;
        });
        y[(p * g.oh + oy) * g.ow + ox] = d > 0 ? s / d : 0;
      }
    }
  }
}

export function avgPool2dBackward({ gy, gx }: KernelArrays<'avgPool2dBackward'>, g: Pool2dGeometry): void {
  const planes = g.n * g.c;
  for (let p = 0; p < planes; p++) {
    const xo = p * g.h * g.w;
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        const gv = gy[(p * g.oh + oy) * g.ow + ox]!;
        window(g, oy, ox, (i, div) => {
          gx[xo + i] = gx[xo + i]! + gv / div;
        });
      }
    }
  }
}

function bounds(i: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)];
}

export function adaptiveAvgPool2d(
  { x, y }: KernelArrays<'adaptiveAvgPool2d'>,
  { n, c, h, w, oh, ow }: AdaptivePool2dGeometry,
): void {
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const [y0, y1] = bounds(oy, h, oh);
      for (let ox = 0; ox < ow; ox++) {
        const [x0, x1] = bounds(ox, w, ow);
        let s = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += x[p * h * w + iy * w + ix]!;
        y[(p * oh + oy) * ow + ox] = s / ((y1 - y0) * (x1 - x0));
      }
    }
  }
}

export function adaptiveAvgPool2dBackward(
  { gy, gx }: KernelArrays<'adaptiveAvgPool2dBackward'>,
  { n, c, h, w, oh, ow }: AdaptivePool2dGeometry,
): void {
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < oh; oy++) {
      const [y0, y1] = bounds(oy, h, oh);
      for (let ox = 0; ox < ow; ox++) {
        const [x0, x1] = bounds(ox, w, ow);
        const gv = gy[(p * oh + oy) * ow + ox]! / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++)
          for (let ix = x0; ix < x1; ix++) gx[p * h * w + iy * w + ix] = gx[p * h * w + iy * w + ix]! + gv;
      }
    }
  }
}
