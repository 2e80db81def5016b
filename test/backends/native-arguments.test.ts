/**
 * Bad arguments to the native addon throw a TypeError or RangeError that names the kernel; none
 * may crash the process: wrong array types, arrays too short or too long, negative, fractional
 * or huge sizes, out-of-range indices, inconsistent geometry, and a shape getter that detaches
 * an array the kernel is about to use.
 */
import assert from 'node:assert/strict';
import type { Conv2dGeometry, Pool2dGeometry } from '../../src/backend/backend.js';
import type { NativeAddon } from '../../src/backends/native/index.js';
import { nativeTest } from './native-helpers.js';

const f = (n: number): Float32Array => new Float32Array(n);
const i32 = (n: number): Int32Array => new Int32Array(n);

/** Calls `call` with the untyped addon and expects an Error of `type` mentioning `kernel` and `detail`. */
function rejects(
  raw: NativeAddon,
  kernel: string,
  type: typeof TypeError | typeof RangeError,
  detail: RegExp,
  call: (a: Record<string, (...args: unknown[]) => unknown>) => unknown,
): void {
  assert.throws(
    () => call(raw as unknown as Record<string, (...args: unknown[]) => unknown>),
    (e: unknown) => {
      assert.ok(e instanceof type, `${kernel}: expected ${type.name}, got ${String(e)}`);
      assert.match((e as Error).message, new RegExp(`^polytask_native\\.${kernel}: `));
      assert.match((e as Error).message, detail);
      return true;
    },
  );
}

const conv: Conv2dGeometry = {
  n: 1,
  c: 2,
  h: 4,
  w: 4,
  o: 2,
  kh: 3,
  kw: 3,
  oh: 2,
  ow: 2,
  strideH: 1,
  strideW: 1,
  padH: 0,
  padW: 0,
  dilationH: 1,
  dilationW: 1,
  groups: 1,
};
const pool: Pool2dGeometry = {
  n: 1,
  c: 1,
  h: 4,
  w: 4,
  oh: 2,
  ow: 2,
  kh: 2,
  kw: 2,
  strideH: 2,
  strideW: 2,
  padH: 0,
  padW: 0,
  countIncludePad: true,
};

nativeTest('matmul rejects bad arrays and sizes', (_be, raw) => {
  const arrays = { a: f(6), b: f(6), out: f(4) };
  const attrs = {
    batch: 1,
    m: 2,
    n: 2,
    k: 3,
    transA: false,
    transB: false,
    aBatchStride: 0,
    bBatchStride: 0,
    accumulate: false,
  };
  const matmul =
    (ar: object, at: object) =>
    (a: Record<string, (...args: unknown[]) => unknown>): unknown =>
      a['matmul']!(ar, at);
  rejects(
    raw,
    'matmul',
    TypeError,
    /'a' must be a Float32Array, got Int32Array/,
    matmul({ ...arrays, a: i32(6) }, attrs),
  );
  rejects(
    raw,
    'matmul',
    TypeError,
    /'b' must be a Float32Array, got Float64Array/,
    matmul({ ...arrays, b: new Float64Array(6) }, attrs),
  );
  rejects(
    raw,
    'matmul',
    TypeError,
    /'out' must be a Float32Array, got an Array/,
    matmul({ ...arrays, out: [0, 0, 0, 0] }, attrs),
  );
  rejects(raw, 'matmul', RangeError, /'a' has 5 elements, expected at least 6/, matmul({ ...arrays, a: f(5) }, attrs));
  rejects(raw, 'matmul', RangeError, /'out' has 5 elements, expected 4/, matmul({ ...arrays, out: f(5) }, attrs));
  rejects(raw, 'matmul', RangeError, /'m' must be an integer/, matmul(arrays, { ...attrs, m: -2 }));
  rejects(raw, 'matmul', RangeError, /'k' must be an integer/, matmul(arrays, { ...attrs, k: 1.5 }));
  rejects(raw, 'matmul', RangeError, /'n' must be an integer/, matmul(arrays, { ...attrs, n: NaN }));
  rejects(raw, 'matmul', RangeError, /'m' must be an integer/, matmul(arrays, { ...attrs, m: 2 ** 40 }));
  rejects(
    raw,
    'matmul',
    RangeError,
    /too large|expected/,
    matmul(arrays, { ...attrs, batch: 2 ** 31 - 1, aBatchStride: 2 ** 40 }),
  );
  rejects(raw, 'matmul', TypeError, /'transA' must be a boolean/, matmul(arrays, { ...attrs, transA: 1 }));
  rejects(raw, 'matmul', TypeError, /expected 2 arguments, got 3/, (a) => a['matmul']!(f(1), f(1), f(1)));
  rejects(raw, 'matmul', TypeError, /'arrays' must be an object/, (a) => a['matmul']!(f(1), attrs));
});

nativeTest('elementwise, reduce and movement kernels reject bad arguments', (_be, raw) => {
  rejects(raw, 'unary', RangeError, /unknown unary op 'cube'/, (a) => a['unary']!('cube', f(3), f(3), 0));
  rejects(raw, 'unary', RangeError, /'out' has 2 elements, expected 3/, (a) => a['unary']!('relu', f(3), f(2), 0));
  rejects(raw, 'unary', TypeError, /'x' must be a Float32Array, got undefined/, (a) =>
    a['unary']!('relu', undefined, f(2), 0),
  );
  rejects(raw, 'binary', RangeError, /does not broadcast/, (a) =>
    a['binary']!('add', f(6), [2, 3], f(2), [2], f(6), [2, 3]),
  );
  rejects(raw, 'binary', RangeError, /'aShape'\[0\] must be an integer/, (a) =>
    a['binary']!('add', f(6), [-2, 3], f(3), [3], f(6), [2, 3]),
  );
  rejects(raw, 'binary', RangeError, /'aShape'\[1\] must be an integer/, (a) =>
    a['binary']!('add', f(6), [2, 2.5], f(3), [3], f(6), [2, 3]),
  );
  rejects(raw, 'binary', TypeError, /'a' must be a Float32Array, got Int32Array/, (a) =>
    a['binary']!('add', i32(6), [2, 3], f(3), [3], f(6), [2, 3]),
  );
  rejects(raw, 'binary', TypeError, /'bShape' must be an array/, (a) =>
    a['binary']!('add', f(6), [2, 3], f(3), 3, f(6), [2, 3]),
  );
  rejects(raw, 'binary', RangeError, /too large/, (a) =>
    a['binary']!('add', f(1), [2 ** 30, 2 ** 30, 2 ** 30], f(1), [1], f(1), [1]),
  );
  rejects(raw, 'where', RangeError, /'cond' has 5 elements, expected 6/, (a) =>
    a['where']!(f(5), [2, 3], f(6), [2, 3], f(6), [2, 3], f(6), [2, 3]),
  );
  rejects(raw, 'reduce', RangeError, /sorted and unique/, (a) => a['reduce']!('sum', f(6), [2, 3], [1, 0], f(1)));
  rejects(raw, 'reduce', RangeError, /'axes'\[0\] must be an integer in \[0, 1\]/, (a) =>
    a['reduce']!('sum', f(6), [2, 3], [2], f(1)),
  );
  rejects(raw, 'argReduce', TypeError, /'out' must be an Int32Array/, (a) =>
    a['argReduce']!('argmax', f(6), [2, 3], 1, f(2)),
  );
  rejects(raw, 'permute', RangeError, /permutation/, (a) => a['permute']!(f(6), [2, 3], [0, 0], f(6)));
  rejects(raw, 'permute', RangeError, /same element type/, (a) => a['permute']!(f(6), [2, 3], [1, 0], i32(6)));
  rejects(raw, 'slice', RangeError, /does not fit/, (a) => a['slice']!(f(6), [2, 3], [1, 2], f(2), [1, 2]));
  rejects(raw, 'sliceAssign', RangeError, /same rank/, (a) => a['sliceAssign']!(f(2), [2], f(6), [2, 3], [0, 0]));
  rejects(raw, 'indexSelect', RangeError, /'indices'\[1\] = 5 is out of range \[0, 2\)/, (a) =>
    a['indexSelect']!(f(6), [2, 3], 0, Int32Array.from([1, 5]), f(6)),
  );
  rejects(raw, 'indexAdd', RangeError, /'indices'\[0\] = -1 is out of range/, (a) =>
    a['indexAdd']!(f(3), 0, Int32Array.from([-1]), f(6), [2, 3]),
  );
  rejects(raw, 'gather', RangeError, /'index'\[0\] = 3 is out of range/, (a) =>
    a['gather']!(f(6), [2, 3], 1, Int32Array.from([3, 0]), [2, 1], f(2)),
  );
  rejects(raw, 'gather', RangeError, /exceeds/, (a) => a['gather']!(f(6), [2, 3], 1, i32(3), [3, 1], f(3)));
  rejects(raw, 'scatterAdd', RangeError, /'index'\[0\] = 2 is out of range/, (a) =>
    a['scatterAdd']!(f(1), [1, 1], 0, Int32Array.from([2]), f(6), [2, 3]),
  );
  rejects(raw, 'setGemmKernel', RangeError, /unknown or unsupported kernel 'avx9000'/, (a) =>
    a['setGemmKernel']!('avx9000'),
  );
  rejects(raw, 'setGemmBf16Kernel', TypeError, /'name' must be a string/, (a) => a['setGemmBf16Kernel']!(42));
  const blocks = raw.gemmConfig();
  rejects(raw, 'setGemmBlocks', RangeError, /must be all positive, or all 0/, (a) => a['setGemmBlocks']!(256, 0, 512));
  rejects(raw, 'setGemmBlocks', RangeError, /'mc'/, (a) => a['setGemmBlocks']!(256, 70000, 512));
  rejects(raw, 'setGemmBlocks', RangeError, /'kc'/, (a) => a['setGemmBlocks']!(-1, 1, 1));
  assert.deepEqual(raw.gemmConfig(), blocks, 'a rejected setGemmBlocks changes nothing');
});

nativeTest('convolution, pooling, softmax, norm and optimiser kernels reject bad arguments', (_be, raw) => {
  rejects(raw, 'conv2d', RangeError, /geometry\.groups must be an integer/, (a) =>
    a['conv2d']!({ x: f(32), w: f(36), bias: null, y: f(8) }, { ...conv, groups: undefined }),
  );
  rejects(raw, 'conv2d', RangeError, /groups = 3 must divide c = 2/, (a) =>
    a['conv2d']!({ x: f(32), w: f(36), bias: null, y: f(8) }, { ...conv, groups: 3 }),
  );
  rejects(raw, 'conv2d', RangeError, /geometry\.strideH must be an integer in \[1,/, (a) =>
    a['conv2d']!({ x: f(32), w: f(36), bias: null, y: f(8) }, { ...conv, strideH: 0 }),
  );
  rejects(raw, 'conv2d', RangeError, /geometry\.kh must be an integer/, (a) =>
    a['conv2d']!({ x: f(32), w: f(36), bias: null, y: f(8) }, { ...conv, kh: 2 ** 30 }),
  );
  rejects(raw, 'conv2d', RangeError, /'bias' has 1 elements, expected 2/, (a) =>
    a['conv2d']!({ x: f(32), w: f(36), bias: f(1), y: f(8) }, conv),
  );
  rejects(raw, 'conv2d', RangeError, /'w' has 35 elements, expected 36/, (a) =>
    a['conv2d']!({ x: f(32), w: f(35), bias: null, y: f(8) }, conv),
  );
  rejects(raw, 'conv2d', TypeError, /'geometry' must be an object/, (a) =>
    a['conv2d']!({ x: f(32), w: f(36), bias: null, y: f(8) }, [1, 2]),
  );
  rejects(raw, 'conv2dBackwardWeight', TypeError, /'gb' must be a Float32Array or null/, (a) =>
    a['conv2dBackwardWeight']!({ gy: f(8), x: f(32), gw: f(36), gb: undefined }, conv),
  );
  rejects(raw, 'maxPool2d', RangeError, /'argmax' has 3 elements, expected 4/, (a) =>
    a['maxPool2d']!({ x: f(16), y: f(4), argmax: i32(3) }, pool),
  );
  rejects(raw, 'maxPool2dBackward', RangeError, /'argmax'\[2\] = 16 is outside the plane of 16/, (a) =>
    a['maxPool2dBackward']!({ gy: f(4), argmax: Int32Array.from([0, 1, 16, 2]), gx: f(16) }, pool),
  );
  rejects(raw, 'avgPool2d', TypeError, /geometry\.countIncludePad must be a boolean/, (a) =>
    a['avgPool2d']!({ x: f(16), y: f(4) }, { ...pool, countIncludePad: 1 }),
  );
  rejects(raw, 'adaptiveAvgPool2d', RangeError, /'oh' must be an integer/, (a) =>
    a['adaptiveAvgPool2d']!({ x: f(16), y: f(2) }, { n: 1, c: 1, h: 4, w: 4, oh: -1, ow: 2 }),
  );
  rejects(raw, 'softmax', RangeError, /'out' has 5 elements, expected 6/, (a) =>
    a['softmax']!({ x: f(6), out: f(5) }, { outer: 2, dim: 3, inner: 1, log: false }),
  );
  rejects(raw, 'softmaxCrossEntropy', RangeError, /'targets' has 1 elements, expected 2/, (a) =>
    a['softmaxCrossEntropy']!(
      { logits: f(6), targets: i32(1), loss: f(2), grad: null },
      { rows: 2, classes: 3, smoothing: 0, ignoreIndex: -100 },
    ),
  );
  rejects(raw, 'layerNorm', RangeError, /'gamma' has 0 elements, expected 3/, (a) =>
    a['layerNorm']!(
      { x: f(6), gamma: f(0), beta: null, y: f(6), mean: f(2), rstd: f(2) },
      { rows: 2, cols: 3, eps: 1e-5 },
    ),
  );
  rejects(raw, 'batchNorm', RangeError, /'runningVar' has 1 elements, expected 2/, (a) =>
    a['batchNorm']!(
      { x: f(4), gamma: null, beta: null, runningMean: f(2), runningVar: f(1), y: f(4), mean: f(2), rstd: f(2) },
      { n: 2, c: 2, s: 1, training: true, momentum: 0.1, eps: 1e-5 },
    ),
  );
  rejects(raw, 'adamStep', TypeError, /options\.decoupled must be a boolean/, (a) =>
    a['adamStep']!(
      { p: f(2), g: f(2), m: f(2), v: f(2) },
      { lr: 1, beta1: 0.9, beta2: 0.9, eps: 1e-8, weightDecay: 0, step: 1 },
    ),
  );
  rejects(raw, 'adamStep', RangeError, /options\.step must be an integer in \[1,/, (a) =>
    a['adamStep']!(
      { p: f(2), g: f(2), m: f(2), v: f(2) },
      { lr: 1, beta1: 0.9, beta2: 0.9, eps: 1e-8, weightDecay: 0, step: 0, decoupled: false },
    ),
  );
  rejects(raw, 'sgdStep', RangeError, /'g' has 1 elements, expected 2/, (a) =>
    a['sgdStep']!(
      { p: f(2), g: f(1), buf: null },
      { lr: 1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: true },
    ),
  );
});

nativeTest('an array detached by a shape getter is caught before the kernel runs', (_be, raw) => {
  // Shapes are read before arrays, so the detached (now empty) array fails the size check.
  const a = f(6);
  const shape = [2, 3];
  Object.defineProperty(shape, 1, {
    get: () => {
      structuredClone(a.buffer, { transfer: [a.buffer] });
      return 3;
    },
  });
  rejects(raw, 'binary', RangeError, /'a' has 0 elements, expected 6/, (x) =>
    x['binary']!('add', a, shape, f(6), [2, 3], f(6), [2, 3]),
  );
});
