/**
 * conv2d with stride, padding, dilation and groups. x is (N,C,H,W), weight is (O,C/groups,KH,KW),
 * bias is (O); the result is (N,O,OH,OW) with OH = floor((H + 2·pad − dil·(KH−1) − 1)/stride) + 1.
 *
 * @example
 * conv2d(x, w, b, { padding: 1 }); // same-size 3×3 convolution
 */
import { emptyF32, zerosF32 } from '../../core/dtype.js';
import { ShapeError, ValueError } from '../../core/errors.js';
import { fmt } from '../../core/shape.js';
import type { Conv2dGeometry } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { requireFloat } from './elementwise.js';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/** Expands `3` to `[3, 3]`, checking each is an integer ≥ min. */
export function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  for (const x of p) {
    if (!Number.isInteger(x) || x < min)
      throw new ValueError(op, `${name} must be an integer >= ${min}, got ${String(v)}`);
  }
  return p;
}

export function conv2dGeometry(x: readonly number[], w: readonly number[], o: Conv2dOptions): Conv2dGeometry {
  if (x.length !== 4) throw new ShapeError('conv2d', `input must be [N,C,H,W], got ${fmt(x)}`);
  if (w.length !== 4) throw new ShapeError('conv2d', `weight must be [O,C/groups,KH,KW], got ${fmt(w)}`);
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1)
    throw new ValueError('conv2d', `groups must be a positive integer, got ${groups}`);
  const [n, c, h, wd] = x as [number, number, number, number];
  const [oc, cg, kh, kw] = w as [number, number, number, number];
  if (c % groups !== 0 || oc % groups !== 0)
    throw new ShapeError('conv2d', `channels ${c} in and ${oc} out must both divide by groups=${groups}`);
  if (cg * groups !== c)
    throw new ShapeError('conv2d', `weight ${fmt(w)} expects ${cg * groups} input channels, input ${fmt(x)} has ${c}`);
  const [strideH, strideW] = pair('conv2d', 'stride', o.stride ?? 1, 1);
  const [padH, padW] = pair('conv2d', 'padding', o.padding ?? 0, 0);
  const [dilationH, dilationW] = pair('conv2d', 'dilation', o.dilation ?? 1, 1);
  const oh = Math.floor((h + 2 * padH - dilationH * (kh - 1) - 1) / strideH) + 1;
  const ow = Math.floor((wd + 2 * padW - dilationW * (kw - 1) - 1) / strideW) + 1;
  if (oh < 1 || ow < 1)
    throw new ShapeError('conv2d', `kernel ${kh}x${kw} does not fit input ${fmt(x)} with padding ${padH},${padW}`);
  return { n, c, h, w: wd, o: oc, kh, kw, oh, ow, strideH, strideW, padH, padW, dilationH, dilationW, groups };
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  requireFloat('conv2d', x);
  requireFloat('conv2d', weight);
  const g = conv2dGeometry(x.shape, weight.shape, opts);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== g.o)) {
    throw new ShapeError('conv2d', `bias must be [${g.o}], got ${fmt(bias.shape)}`);
  }
  const y = emptyF32(g.n * g.o * g.oh * g.ow);
  getBackend().conv2d(
    {
      x: x.data as Float32Array,
      w: weight.data as Float32Array,
      bias: bias === null ? null : (bias.data as Float32Array),
      y,
    },
    g,
  );
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(new Tensor(y, [g.n, g.o, g.oh, g.ow]), 'conv2d', inputs, (gy, needs) => {
    const be = getBackend();
    const gyd = gy.data as Float32Array;
    let gx: Tensor | null = null;
    if (needs[0]) {
      const d = emptyF32(x.size);
      be.conv2dBackwardInput({ gy: gyd, w: weight.data as Float32Array, gx: d }, g);
      gx = new Tensor(d, x.shape);
    }
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (needs[1] || needs[2]) {
      const dw = emptyF32(weight.size);
      const db = bias === null ? null : zerosF32(g.o);
      be.conv2dBackwardWeight({ gy: gyd, x: x.data as Float32Array, gw: dw, gb: db }, g);
      gw = new Tensor(dw, weight.shape);
      gb = db === null ? null : new Tensor(db, [g.o]);
    }
    return [gx, gw, gb];
  });
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
  groups?: number;
}

/**
 * 1-D convolution (raw audio, sequences): x is (N,C,L), weight is (O,C/groups,K), bias is (O); the
 * result is (N,O,OL) with OL = floor((L + 2·pad − dil·(K−1) − 1)/stride) + 1. Written as conv2d over
 * a height of 1, so it shares conv2d's kernels and gradients.
 *
 * @example
 * conv1d(wave, w, b, { stride: 16 }); // wave [N,1,8000], w [32,1,80] -> [N,32,496]
 */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  if (x.ndim !== 3) throw new ShapeError('conv1d', `input must be [N,C,L], got ${fmt(x.shape)}`);
  if (weight.ndim !== 3) throw new ShapeError('conv1d', `weight must be [O,C/groups,K], got ${fmt(weight.shape)}`);
  const [n, c, l] = x.shape as [number, number, number];
  const [o, cg, k] = weight.shape as [number, number, number];
  const y = conv2d(x.reshape([n, c, 1, l]), weight.reshape([o, cg, 1, k]), bias, {
    stride: [1, opts.stride ?? 1],
    padding: [0, opts.padding ?? 0],
    dilation: [1, opts.dilation ?? 1],
    groups: opts.groups ?? 1,
  });
  return y.reshape([n, o, y.shape[3]!]);
}
