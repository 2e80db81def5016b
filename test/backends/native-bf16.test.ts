/**
 * bf16 mixed precision of the GEMM (native/kernels/gemm_bf16*.cpp) against the JS reference's bf16
 * matmul, on every way this CPU runs it: AMX-BF16 (TDPBF16PS) and AVX512-BF16 (VDPBF16PS) where the
 * CPU has them (`setGemmBf16Kernel`), and the emulation over each fp32 micro-kernel
 * (`setGemmKernel('avx2')` etc.). Both sides round the same
 * operands the same way, so matmul agrees to the fp32 summation tolerance; the convolutions whose
 * native path transforms its operands first (Winograd) round other numbers, and take bf16
 * tolerances. Exact cases check the rounding itself (ties to even, overflow to infinity, NaN).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Backend, Conv2dGeometry } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { autocast } from '../../src/tensor/autocast.js';
import type { NativeAddon } from '../../src/backends/native/index.js';
import { Gen, assertArraysClose, compare, gemmTol, nativeTest, type Tol } from './native-helpers.js';

/** bf16 operands that differ by the rounding of transformed inputs: 2^-8 relative per product. */
function bf16Tol(k: number): Tol {
  return { rtol: 2e-2, atol: 8e-3 * Math.sqrt(Math.max(1, k)) };
}

const SIZES: Array<[number, number, number]> = [
  [1, 1, 1],
  [3, 5, 2], // the naive path of small problems
  [1, 65, 33],
  [65, 1, 33],
  [17, 31, 1], // k = 1: a pair padded with zero
  [13, 45, 27], // odd k through the packed path
  [37, 129, 65],
  [150, 600, 300], // more than one KC panel, MC block and NC panel
  [4, 0, 3],
  [4, 5, 0],
];

/**
 * Runs `body` once on every way this CPU runs bf16: each fp32 micro-kernel's emulation, and, under
 * avx512, each native bf16 kernel (AMX-BF16, AVX512-BF16) the CPU has; `kernel` names the fp32 one.
 */
function eachKernel(raw: NativeAddon, body: (kernel: string) => void): void {
  const initial = raw.gemmKernel();
  const initialBf16 = raw.gemmBf16Kernel();
  try {
    for (const kernel of raw.gemmKernels().split(',')) {
      raw.setGemmKernel(kernel);
      const natives =
        kernel === 'avx512'
          ? raw
              .gemmBf16Kernels()
              .split(',')
              .filter((k) => k !== '')
          : [];
      if (natives.length === 0) body(kernel);
      for (const bf16 of natives) {
        raw.setGemmBf16Kernel(bf16);
        body(kernel);
      }
    }
  } finally {
    raw.setGemmKernel(initial);
    if (raw.gemmBf16Kernels().split(',').includes(initialBf16)) raw.setGemmBf16Kernel(initialBf16);
  }
}

function matmulOn(
  bk: Backend,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  o: { transA?: boolean; transB?: boolean; batch?: number; init?: Float32Array } = {},
): Float32Array {
  const batch = o.batch ?? 1;
  const out = o.init?.slice() ?? new Float32Array(batch * m * n).fill(NaN);
  bk.matmul(
    { a, b, out },
    {
      batch,
      m,
      n,
      k,
      transA: o.transA ?? false,
      transB: o.transB ?? false,
      aBatchStride: m * k,
      bBatchStride: k * n,
      accumulate: o.init !== undefined,
    },
  );
  return out;
}

nativeTest('bf16 matmul matches the reference bf16 matmul on every kernel, transpose and odd size', (be, raw) => {
  const gen = new Gen(21);
  eachKernel(raw, (kernel) => {
    for (const [m, n, k] of SIZES) {
      const a = gen.f32(2 * m * k);
      const b = gen.f32(2 * k * n);
      const init = gen.f32(2 * m * n);
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const acc of [false, true]) {
            const what = `bf16 matmul[${kernel}/${raw.gemmBf16Kernel()}] m${m} n${n} k${k} tA${transA} tB${transB} acc${acc}`;
            autocast('bf16', () =>
              compare(be, what, gemmTol(k), (bk) => [
                matmulOn(bk, a, b, m, n, k, { transA, transB, batch: 2, ...(acc ? { init } : {}) }),
              ]),
            );
          }
    }
  });
});

nativeTest(
  'bf16 matmul rounds: the result is the fp32 product of the rounded operands, not of the operands',
  (be, raw) => {
    const gen = new Gen(22);
    const [m, n, k] = [67, 93, 131];
    const a = gen.f32(m * k);
    const b = gen.f32(k * n);
    const fp32 = matmulOn(be, a, b, m, n, k);
    eachKernel(raw, (kernel) => {
      const bf16 = autocast('bf16', () => matmulOn(be, a, b, m, n, k));
      let worst = 0;
      for (let i = 0; i < bf16.length; i++) worst = Math.max(worst, Math.abs(bf16[i]! - fp32[i]!));
      // operands in [-1, 1) lose up to 2^-9 relative each: sums of 131 products move by ~1e-2
      assert.ok(worst > 1e-3, `${kernel}: bf16 result within ${worst} of fp32: the operands were not rounded`);
      assertArraysClose(bf16, fp32, bf16Tol(k), `${kernel}: bf16 against fp32`);
    });
  },
);

nativeTest('bf16 rounding is to nearest, ties to even, on the packed and the small-problem paths', (be, raw) => {
  // a holds values rounding changes; b is the identity, so c is the rounded a, exactly
  const cases: Array<[number, number]> = [
    [1 + 2 ** -8, 1], // a tie next to an even mantissa: down
    [1 + 3 * 2 ** -8, 1 + 2 ** -6], // a tie next to an odd one: up
    [1 + 2 ** -9, 1],
    [1 + 2 ** -8 + 2 ** -12, 1 + 2 ** -7], // past the tie: up
    [-(1 + 3 * 2 ** -8), -(1 + 2 ** -6)],
    [1e-39, 0], // an fp32 subnormal: zero, as VCVTNEPS2BF16 reads it
    [2 ** -126, 2 ** -126], // the smallest normal stays
  ];
  eachKernel(raw, (kernel) => {
    for (const size of [4, 40]) {
      const a = new Float32Array(size * size);
      const eye = new Float32Array(size * size);
      for (let i = 0; i < size; i++) {
        eye[i * size + i] = 1;
        for (let j = 0; j < size; j++) a[i * size + j] = cases[(i + j) % cases.length]![0];
      }
      for (const bk of [be, jsBackend]) {
        const got = autocast('bf16', () => matmulOn(bk, a, eye, size, size, size));
        for (let i = 0; i < size * size; i++)
          assert.equal(
            got[i],
            cases[(Math.floor(i / size) + (i % size)) % cases.length]![1],
            `${kernel} ${bk.name} n${size} [${i}]`,
          );
      }
    }
    // the largest fp32 values round past the largest bf16 (3.3895e38) to infinity
    for (const size of [4, 40]) {
      const big = new Float32Array(size * size).fill(3.4e38);
      const small = new Float32Array(size * size).fill(2 ** -10);
      const fp32 = matmulOn(be, big, small, size, size, size);
      assert.ok(fp32.every(Number.isFinite), `${kernel}: fp32 stays finite`);
      for (const bk of [be, jsBackend]) {
        const got = autocast('bf16', () => matmulOn(bk, big, small, size, size, size));
        assert.ok(
          got.every((v) => v === Infinity),
          `${kernel} ${bk.name} n${size}: bf16 overflows to Infinity`,
        );
      }
    }
  });
});

nativeTest('bf16 matmul passes NaN and infinities through as the reference does', (be, raw) => {
  const gen = new Gen(23);
  const [m, n, k] = [33, 47, 29];
  eachKernel(raw, (kernel) => {
    for (const special of [NaN, Infinity, -Infinity]) {
      const a = gen.f32(m * k, 0.5, 1); // no zeros in a: the reference skips zero multipliers
      const b = gen.f32(k * n, 0.5, 1);
      a[5 * k + 3] = special;
      b[7 * n + 11] = special;
      const what = `bf16 matmul[${kernel}] with ${special}`;
      autocast('bf16', () => compare(be, what, gemmTol(k), (bk) => [matmulOn(bk, a, b, m, n, k)]));
      const out = autocast('bf16', () => matmulOn(be, a, b, m, n, k));
      assert.ok(!Number.isFinite(out[5 * n + 0]!), `${what}: row 5 holds ${out[5 * n]}`);
    }
  });
});

function conv(
  n: number,
  c: number,
  h: number,
  w: number,
  o: number,
  k: number,
  pad: number,
  stride: number,
  groups: number,
): Conv2dGeometry {
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  return {
    n,
    c,
    h,
    w,
    o,
    kh: k,
    kw: k,
    oh,
    ow,
    strideH: stride,
    strideW: stride,
    padH: pad,
    padW: pad,
    dilationH: 1,
    dilationW: 1,
    groups,
  };
}

nativeTest('bf16 convolutions (im2col, wide, Winograd) match the reference within bf16 tolerances', (be) => {
  const gen = new Gen(24);
  for (const g of [
    conv(3, 3, 9, 11, 5, 3, 1, 2, 1), // strided: im2col
    conv(2, 1, 28, 28, 8, 5, 2, 1, 1), // wide
    conv(5, 16, 7, 9, 12, 3, 1, 1, 1), // Winograd
    conv(2, 8, 6, 5, 8, 3, 1, 1, 2),
  ]) {
    const kk = (g.c / g.groups) * g.kh * g.kw;
    const x = gen.f32(g.n * g.c * g.h * g.w);
    const w = gen.f32(g.o * kk);
    const gy = gen.f32(g.n * g.o * g.oh * g.ow);
    const what = `bf16 conv ${JSON.stringify(g)}`;
    autocast('bf16', () => {
      compare(be, `${what} forward`, bf16Tol(kk), (bk) => {
        const y = new Float32Array(g.n * g.o * g.oh * g.ow).fill(NaN);
        bk.conv2d({ x, w, bias: null, y }, g);
        return [y];
      });
      compare(be, `${what} backward input`, bf16Tol(g.o * g.kh * g.kw), (bk) => {
        const gx = new Float32Array(x.length).fill(NaN);
        bk.conv2dBackwardInput({ gy, w, gx }, g);
        return [gx];
      });
      compare(be, `${what} backward weight`, bf16Tol(g.n * g.oh * g.ow), (bk) => {
        const gw = new Float32Array(w.length).fill(NaN);
        const gb = new Float32Array(g.o).fill(NaN);
        bk.conv2dBackwardWeight({ gy, x, gw, gb }, g);
        return [gw, gb];
      });
    });
  }
});

nativeTest('the precision controls: names, errors, and AMX or AVX512-BF16 used where the CPU has it', (_be, raw) => {
  assert.equal(raw.gemmPrecision(), 'fp32');
  assert.equal(
    autocast('bf16', () => raw.gemmPrecision()),
    'bf16',
  );
  assert.equal(raw.gemmPrecision(), 'fp32');
  assert.throws(() => raw.setGemmPrecision('fp16' as 'bf16'), {
    name: 'RangeError',
    message: /setGemmPrecision: unknown precision 'fp16', expected fp32 or bf16/,
  });
  let flags = '';
  try {
    flags = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: only the names are checked
  }
  const defaultBf16 = raw.gemmBf16Kernel();
  const natives = raw.gemmBf16Kernels();
  // AMX also needs the OS's permission, which the flags cannot tell: where the CPU has it, AMX is
  // either first or absent (and then the kernel refused the tile state).
  if (/\bavx512_bf16\b/.test(flags)) assert.match(natives, /^(amx-bf16,)?avx512bf16$/);
  else assert.equal(natives, '');
  if (!/\bamx_bf16\b/.test(flags)) assert.ok(!natives.includes('amx'), natives);
  assert.throws(() => raw.setGemmBf16Kernel('amx9000'), {
    name: 'RangeError',
    message: /setGemmBf16Kernel: unknown or unsupported bf16 kernel 'amx9000'/,
  });
  eachKernel(raw, (kernel) => {
    const bf16 = raw.gemmBf16Kernel();
    if (kernel === 'avx512' && natives !== '') assert.ok(natives.split(',').includes(bf16), bf16);
    else assert.equal(bf16, `${kernel}+emulated`);
  });
  // the best native kernel is the default (POLYTASK_GEMM_BF16_KERNEL unset)
  if (raw.gemmKernel() === 'avx512' && natives !== '') assert.equal(defaultBf16, natives.split(',')[0]);
});
