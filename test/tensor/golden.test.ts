/**
 * Replays every case of test/fixtures/ops_golden.json (written by scripts/golden_ops.py from
 * PyTorch) through polytask: same inputs, op and params; the forward output, the gradients of
 * sum(out * R) and, for batchNorm, the updated running statistics must match.
 *
 * Tolerances (|diff| <= atol + rtol·|expected|):
 *  - default 1e-5 / 1e-6: elementwise ops, movement, reductions, softmax, logSumExp, pooling,
 *    cross-entropy.
 *  - matmul, linear, conv2d, conv1d, scaledDotProductAttention: 1e-4 / 1e-5. Each output sums K products; PyTorch (OpenBLAS, its own conv
 *    loops) adds them in another order, so float32 results differ by a few ulps of the *terms*,
 *    which is large relative to a small (cancelling) sum.
 *  - layerNorm, batchNorm: 1e-5 / 1e-5. The JS backend keeps statistics in float64, PyTorch (and
 *    possibly another backend) in float32; the gradients subtract nearly equal terms (means of g
 *    and of g·x̂), so the absolute error follows the terms' size (~1), not the result's. Measured
 *    on the JS backend: under 1e-6.
 *  - float64 cases (PyTorch in double on the same float32 inputs) use the same bounds: polytask
 *    must be as close to the exact answer as to PyTorch's float32 one.
 */
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/index.js';
import {
  adaptiveAvgPool2d,
  avgPool2d,
  batchNorm,
  concat,
  conv1d,
  conv2d,
  grad,
  layerNorm,
  linear,
  maxPool2d,
  scaledDotProductAttention,
  softmaxCrossEntropy,
  stack,
  tensor,
  where,
  type Pair,
} from '../../src/tensor/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { assertClose, type Tolerance } from '../helpers/close.js';

interface Stored {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  data: number[];
  grad?: boolean;
}
interface Params {
  scalar?: number;
  slope?: number;
  min?: number;
  max?: number;
  a?: number;
  b?: number;
  perm?: number[];
  shape?: number[];
  axis?: number;
  start?: number;
  end?: number | null;
  axes?: number[] | null;
  keepDim?: boolean;
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  kernel?: Pair;
  countIncludePad?: boolean;
  outputSize?: Pair;
  normalizedShape?: number[];
  eps?: number;
  training?: boolean;
  momentum?: number;
  ignoreIndex?: number;
  labelSmoothing?: number;
  causal?: boolean;
  scale?: number | null;
}
interface Case {
  name: string;
  op: string;
  params: Params;
  dtype: 'float32' | 'float64';
  inputs: Stored[];
  R: { shape: number[]; data: number[] };
  output: { shape: number[]; data: number[] };
  grads: Record<string, { shape: number[]; data: number[] }>;
  state: Record<string, number[]>;
}

type Named = Record<string, Tensor>;
const req = (t: Named, k: string): Tensor => {
  const v = t[k];
  if (v === undefined) throw new Error(`golden case lacks input '${k}'`);
  return v;
};
const opt = (t: Named, k: string): Tensor | null => t[k] ?? null;
const listed = (t: Named): Tensor[] =>
  Object.keys(t)
    .filter((k) => /^x\d+$/.test(k))
    .sort()
    .map((k) => t[k]!);
const axesOf = (p: Params): number[] | undefined => p.axes ?? undefined;

/** polytask's side of each op name the generator uses. */
const OPS: Record<string, (t: Named, p: Params) => Tensor> = {
  add: (t, p) => req(t, 'a').add(t['b'] ?? p.scalar!),
  sub: (t, p) => req(t, 'a').sub(t['b'] ?? p.scalar!),
  mul: (t, p) => req(t, 'a').mul(t['b'] ?? p.scalar!),
  div: (t, p) => req(t, 'a').div(t['b'] ?? p.scalar!),
  pow: (t, p) => req(t, 'a').pow(t['b'] ?? p.scalar!),
  maximum: (t) => req(t, 'a').maximum(req(t, 'b')),
  minimum: (t) => req(t, 'a').minimum(req(t, 'b')),
  neg: (t) => req(t, 'x').neg(),
  exp: (t) => req(t, 'x').exp(),
  log: (t) => req(t, 'x').log(),
  sqrt: (t) => req(t, 'x').sqrt(),
  abs: (t) => req(t, 'x').abs(),
  square: (t) => req(t, 'x').square(),
  reciprocal: (t) => req(t, 'x').reciprocal(),
  relu: (t) => req(t, 'x').relu(),
  leakyRelu: (t, p) => req(t, 'x').leakyRelu(p.slope),
  gelu: (t) => req(t, 'x').gelu(),
  sigmoid: (t) => req(t, 'x').sigmoid(),
  tanh: (t) => req(t, 'x').tanh(),
  softplus: (t) => req(t, 'x').softplus(),
  silu: (t) => req(t, 'x').silu(),
  relu6: (t) => req(t, 'x').relu6(),
  hardsigmoid: (t) => req(t, 'x').hardsigmoid(),
  hardswish: (t) => req(t, 'x').hardswish(),
  clamp: (t, p) => req(t, 'x').clamp(p.min!, p.max!),
  matmul: (t) => req(t, 'a').matmul(req(t, 'b')),
  linear: (t) => linear(req(t, 'x'), req(t, 'weight'), opt(t, 'bias')),
  transpose: (t, p) => req(t, 'x').transpose(p.a, p.b),
  permute: (t, p) => req(t, 'x').permute(p.perm!),
  reshape: (t, p) => req(t, 'x').reshape(p.shape!),
  flatten: (t, p) => req(t, 'x').flatten(p.start, p.end ?? -1),
  squeeze: (t, p) => req(t, 'x').squeeze(p.axis),
  unsqueeze: (t, p) => req(t, 'x').unsqueeze(p.axis!),
  expand: (t, p) => req(t, 'x').expand(p.shape!),
  concat: (t, p) => concat(listed(t), p.axis),
  stack: (t, p) => stack(listed(t), p.axis),
  slice: (t, p) => req(t, 'x').slice(p.axis!, p.start!, p.end ?? undefined),
  indexSelect: (t, p) => req(t, 'x').indexSelect(p.axis!, req(t, 'index')),
  gather: (t, p) => req(t, 'x').gather(p.axis!, req(t, 'index')),
  where: (t) => where(req(t, 'cond'), req(t, 'a'), req(t, 'b')),
  sum: (t, p) => req(t, 'x').sum(axesOf(p), p.keepDim),
  mean: (t, p) => req(t, 'x').mean(axesOf(p), p.keepDim),
  max: (t, p) => req(t, 'x').max(axesOf(p), p.keepDim),
  min: (t, p) => req(t, 'x').min(axesOf(p), p.keepDim),
  logSumExp: (t, p) => req(t, 'x').logSumExp(axesOf(p), p.keepDim),
  softmax: (t, p) => req(t, 'x').softmax(p.axis),
  logSoftmax: (t, p) => req(t, 'x').logSoftmax(p.axis),
  conv2d: (t, p) =>
    conv2d(req(t, 'x'), req(t, 'weight'), opt(t, 'bias'), {
      stride: p.stride,
      padding: p.padding,
      dilation: p.dilation,
      groups: p.groups,
    }),
  conv1d: (t, p) =>
    conv1d(req(t, 'x'), req(t, 'weight'), opt(t, 'bias'), {
      stride: p.stride as number,
      padding: p.padding as number,
      dilation: p.dilation as number,
      groups: p.groups,
    }),
  scaledDotProductAttention: (t, p) =>
    scaledDotProductAttention(req(t, 'q'), req(t, 'k'), req(t, 'v'), {
      mask: opt(t, 'mask'),
      keyPadding: opt(t, 'keyPadding'),
      causal: p.causal,
      scale: p.scale ?? undefined,
    }),
  maxPool2d: (t, p) => maxPool2d(req(t, 'x'), p.kernel!, { stride: p.stride, padding: p.padding }),
  avgPool2d: (t, p) =>
    avgPool2d(req(t, 'x'), p.kernel!, { stride: p.stride, padding: p.padding, countIncludePad: p.countIncludePad }),
  adaptiveAvgPool2d: (t, p) => adaptiveAvgPool2d(req(t, 'x'), p.outputSize!),
  layerNorm: (t, p) => layerNorm(req(t, 'x'), p.normalizedShape!, opt(t, 'weight'), opt(t, 'bias'), p.eps),
  batchNorm: (t, p) =>
    batchNorm(req(t, 'x'), opt(t, 'runningMean'), opt(t, 'runningVar'), opt(t, 'weight'), opt(t, 'bias'), {
      training: p.training!,
      momentum: p.momentum,
      eps: p.eps,
    }),
  softmaxCrossEntropy: (t, p) =>
    softmaxCrossEntropy(req(t, 'logits'), req(t, 'targets'), {
      ignoreIndex: p.ignoreIndex,
      labelSmoothing: p.labelSmoothing,
    }),
};

const TIGHT: Tolerance = { rtol: 1e-5, atol: 1e-6 };
const ACCUMULATE: Tolerance = { rtol: 1e-4, atol: 1e-5 };
const STATISTICS: Tolerance = { rtol: 1e-5, atol: 1e-5 };
const TOLERANCE: Record<string, Tolerance> = {
  matmul: ACCUMULATE,
  linear: ACCUMULATE,
  conv2d: ACCUMULATE,
  conv1d: ACCUMULATE,
  scaledDotProductAttention: ACCUMULATE,
  layerNorm: STATISTICS,
  batchNorm: STATISTICS,
};

const fixture = new URL('../../../test/fixtures/ops_golden.json', import.meta.url);
const doc = JSON.parse(readFileSync(fixture, 'utf8')) as { torch: string; cases: Case[] };

/** Every op with a replay must have a golden case (dropout has neither: the RNGs differ). */
const REQUIRED = Object.keys(OPS);

test('every replayable op has at least one golden case, and every case a replay', () => {
  const ops = new Set(doc.cases.map((c) => c.op));
  assert.deepEqual(
    REQUIRED.filter((op) => !ops.has(op)),
    [],
  );
  assert.deepEqual(
    [...ops].filter((op) => !(op in OPS)),
    [],
  );
});

for (const backend of BACKENDS) {
  describe(`golden values from PyTorch ${doc.torch} on the ${backend} backend`, () => {
    useBackend(backend);
    for (const c of doc.cases) {
      test(`${c.name} (${c.dtype})`, () => {
        const named: Named = {};
        const withGrad: [string, Tensor][] = [];
        for (const s of c.inputs) {
          const data = s.dtype === 'int32' ? Int32Array.from(s.data) : Float32Array.from(s.data);
          const t = tensor(data, s.shape, { requiresGrad: s.grad === true });
          named[s.name] = t;
          if (s.grad === true) withGrad.push([s.name, t]);
        }
        const tol = TOLERANCE[c.op] ?? TIGHT;
        const out = OPS[c.op]!(named, c.params);
        assertClose(out, c.output, tol, `${c.name}: output`);

        const gradOutput = tensor(Float32Array.from(c.R.data), c.R.shape);
        const grads = grad(
          [out],
          withGrad.map(([, t]) => t),
          { gradOutputs: [gradOutput] },
        );
        withGrad.forEach(([name], i) => assertClose(grads[i]!, c.grads[name]!, tol, `${c.name}: d/d${name}`));

        for (const [name, data] of Object.entries(c.state)) {
          assertClose(req(named, name), { shape: [data.length], data }, tol, `${c.name}: ${name} after the op`);
        }
      });
    }
  });
}
