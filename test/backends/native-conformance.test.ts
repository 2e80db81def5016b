/**
 * The native backend against the JS reference, kernel by kernel, on seeded random inputs: odd
 * sizes (1, non-multiples of the SIMD widths, empty), every transpose and batch-stride
 * combination of matmul on every GEMM micro-kernel the CPU runs, convolutions with stride,
 * padding, dilation and groups, and special values (NaN, ±inf, ±0) for the elementwise ops.
 * Tolerances: EXACT for copies and IEEE-exact arithmetic, ROUNDED (1e-6) for transcendental
 * functions, SUMMED (1e-5) for reductions, gemmTol(k) (1e-4 growing with k) for GEMM and conv.
 * Skipped, with the reason, when the addon is not built.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sizeOf } from '../../src/core/shape.js';
import type { Backend, BinaryOp, Conv2dGeometry, Pool2dGeometry, UnaryOp } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backends/js/index.js';
import type { GemmConfig, NativeAddon } from '../../src/backends/native/addon.js';
import { MASKED_SCORE } from '../../src/tensor/ops/attention.js';
import {
  EXACT,
  Gen,
  ROUNDED,
  SPECIAL,
  SUMMED,
  assertArraysClose,
  compare,
  gemmTol,
  nativeTest,
} from './native-helpers.js';

const ODD = [1, 3, 7, 15, 17, 31, 33, 65, 127, 129];

nativeTest('the native backend implements every kernel of the JS backend', (be) => {
  assert.equal(be.name, 'native');
  for (const key of Object.keys(jsBackend))
    assert.equal(
      typeof (be as unknown as Record<string, unknown>)[key],
      typeof (jsBackend as unknown as Record<string, unknown>)[key],
      key,
    );
});

// ---------------------------------------------------------------- matmul

interface MatmulCase {
  batch: number;
  m: number;
  n: number;
  k: number;
  aStride?: number;
  bStride?: number;
}

function matmulCases(): MatmulCase[] {
  const cases: MatmulCase[] = [
    { batch: 1, m: 1, n: 1, k: 1 },
    { batch: 1, m: 1, n: 65, k: 33 },
    { batch: 1, m: 65, n: 1, k: 33 },
    { batch: 1, m: 17, n: 31, k: 1 },
    { batch: 1, m: 0, n: 5, k: 3 },
    { batch: 1, m: 4, n: 0, k: 3 },
    { batch: 1, m: 4, n: 5, k: 0 },
    { batch: 0, m: 4, n: 5, k: 3 },
    { batch: 1, m: 150, n: 600, k: 300 }, // more than one KC panel, MC block and NC panel
    { batch: 3, m: 7, n: 15, k: 17, aStride: 0 },
    { batch: 3, m: 7, n: 15, k: 17, bStride: 0 },
    { batch: 5, m: 4, n: 3, k: 2 },
    { batch: 2, m: 65, n: 129, k: 127 },
    { batch: 4, m: 33, n: 17, k: 31, aStride: 0, bStride: 0 },
    // with 2 threads or more, independent tiles: rows split (n one NC block, a partial sliver),
    // columns split by NC blocks with k = 1, rows split with n one sliver and a tail of one column
    { batch: 1, m: 300, n: 70, k: 9 },
    { batch: 1, m: 257, n: 1000, k: 1 },
    { batch: 1, m: 520, n: 33, k: 40 },
  ];
  for (let i = 0; i < ODD.length; i++) {
    cases.push({ batch: 1, m: ODD[i]!, n: ODD[(i + 3) % ODD.length]!, k: ODD[(i + 7) % ODD.length]! });
  }
  return cases;
}

nativeTest('matmul matches the reference: every micro-kernel, transpose, batch stride and odd size', (be, raw) => {
  const gen = new Gen(1);
  const initial = raw.gemmKernel();
  try {
    for (const kernel of raw.gemmKernels().split(',')) {
      raw.setGemmKernel(kernel);
      for (const c of matmulCases()) {
        const { batch, m, n, k } = c;
        const aStride = c.aStride ?? m * k;
        const bStride = c.bStride ?? k * n;
        const a = gen.f32(batch === 0 ? 0 : (batch - 1) * aStride + m * k);
        const b = gen.f32(batch === 0 ? 0 : (batch - 1) * bStride + k * n);
        const init = gen.f32(batch * m * n);
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            for (const accumulate of [false, true]) {
              const what = `matmul[${kernel}] b${batch} m${m} n${n} k${k} sA${aStride} sB${bStride} tA${transA} tB${transB} acc${accumulate}`;
              compare(be, what, gemmTol(k), (bk) => {
                // Overwrite mode must not read out: start from NaN.
                const out = accumulate ? init.slice() : new Float32Array(batch * m * n).fill(NaN);
                bk.matmul(
                  { a, b, out },
                  { batch, m, n, k, transA, transB, aBatchStride: aStride, bBatchStride: bStride, accumulate },
                );
                return [out];
              });
            }
          }
        }
      }
    }
  } finally {
    raw.setGemmKernel(initial);
  }
});

/** Every transpose and accumulate mode of one product against the JS reference. */
function checkMatmul(be: Backend, gen: Gen, what: string, m: number, n: number, k: number, batch = 1): void {
  const a = gen.f32(batch * m * k);
  const b = gen.f32(batch * k * n);
  const init = gen.f32(batch * m * n);
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const accumulate of [false, true]) {
        compare(
          be,
          `${what} b${batch} m${m} n${n} k${k} tA${transA} tB${transB} acc${accumulate}`,
          gemmTol(k),
          (bk) => {
            const out = accumulate ? init.slice() : new Float32Array(batch * m * n).fill(NaN);
            bk.matmul(
              { a, b, out },
              { batch, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: k * n, accumulate },
            );
            return [out];
          },
        );
      }
    }
  }
}

/**
 * Runs `body` on every micro-kernel this CPU has, then puts back the kernel and the blocks in use
 * before (those of POLYTASK_GEMM_BLOCKS when the suite runs under it).
 */
function onEveryKernel(raw: NativeAddon, body: (kernel: string) => void): void {
  const initial = raw.gemmConfig();
  try {
    for (const kernel of raw.gemmKernels().split(',')) {
      raw.setGemmKernel(kernel);
      body(kernel);
    }
  } finally {
    raw.setGemmKernel(initial.kernel);
    if (initial.blocks === 'cache sizes') raw.setGemmBlocks(0, 0, 0);
    else raw.setGemmBlocks(initial.kc, initial.mc, initial.nc);
  }
}

nativeTest(
  'matmul matches the reference on both sides of every cache-block edge, automatic and fixed blocks',
  (be, raw) => {
    const gen = new Gen(2);
    onEveryKernel(raw, (kernel) => {
      raw.setGemmBlocks(0, 0, 0);
      const auto = raw.gemmConfig();
      const { mr, nr } = auto;
      // The automatic blocks used exactly; one k step and one tile; blocks of a few tiles.
      for (const [kc, mc, nc] of [
        [auto.kc, auto.mc, auto.nc],
        [1, 1, 1],
        [5, mr + 1, 2 * nr + 1],
      ] as const) {
        raw.setGemmBlocks(kc, mc, nc);
        const c = raw.gemmConfig();
        assert.equal(c.blocks, 'set_gemm_blocks');
        assert.deepEqual([c.kc, c.mc, c.nc], [kc, Math.ceil(mc / mr) * mr, Math.ceil(nc / nr) * nr]);
        const what = `matmul[${kernel} blocks ${c.kc},${c.mc},${c.nc}]`;
        for (const d of [-1, 0, 1]) {
          if (c.kc + d >= 1) checkMatmul(be, gen, what, 13, 37, c.kc + d);
          if (c.mc + d >= 1) checkMatmul(be, gen, what, c.mc + d, 37, 19);
          if (c.nc + d >= 1) checkMatmul(be, gen, what, 13, c.nc + d, 19);
        }
        // Past several blocks in every dimension, on the threaded path (m*n*k >= 48^3) and the
        // one-matrix-a-thread path of batches; few rows split the B panel's columns over threads.
        checkMatmul(be, gen, what, 61, 97, 37);
        checkMatmul(be, gen, what, 5, 300, 80);
        checkMatmul(be, gen, what, 29, 67, 2 * Math.min(c.kc, 40) + 1, 2);
      }
      // The automatic blocks are evened out over each problem: the edges of the chosen KC, MC, NC.
      raw.setGemmBlocks(0, 0, 0);
      assert.equal(raw.gemmConfig().blocks, 'cache sizes');
      for (const d of [-1, 1]) {
        checkMatmul(be, gen, `matmul[${kernel} auto]`, 13, 37, auto.kc + d);
        checkMatmul(be, gen, `matmul[${kernel} auto]`, auto.mc + d, 37, 19);
        checkMatmul(be, gen, `matmul[${kernel} auto]`, 13, auto.nc + d, 19);
      }
    });
  },
);

nativeTest('the GEMM chooses its cache blocks from the cache sizes it reports', (_be, raw) => {
  onEveryKernel(raw, (kernel) => {
    raw.setGemmBlocks(0, 0, 0);
    const c = raw.gemmConfig();
    assert.equal(c.kernel, kernel);
    assert.equal(c.blocks, 'cache sizes');
    assert.ok(['cpuid', 'sysfs', 'default'].includes(c.caches), c.caches);
    assert.ok(c.l1d >= 4096 && c.l2 >= 0 && c.l3 >= 0, JSON.stringify(c));
    // KC: an A and a B sliver fill at most L1 (a multiple of 16 in [128, 512]).
    const kc = Math.min(512, Math.max(128, Math.floor(c.l1d / (4 * (c.mr + c.nr)) / 16) * 16));
    assert.equal(c.kc, kc);
    // NC: the KC x NC panel of B half of L2; MC: the packed A block a quarter (whole tiles).
    const l2 = c.l2 > 0 ? c.l2 : 256 * 1024;
    assert.equal(c.nc, Math.max(c.nr, Math.floor(l2 / 2 / (4 * kc) / c.nr) * c.nr));
    assert.equal(c.mc, Math.max(c.mr, Math.floor(l2 / 4 / (4 * kc) / c.mr) * c.mr));
  });
});

/**
 * The worst error against the JS reference of products that take the GEMM's thread paths, in a
 * fresh process with POLYTASK_NUM_THREADS = `threads` (so the paths run whatever the cores here).
 */
function threadedMatmulErrors(threads: number): { what: string; excess: number }[] {
  const dir = fileURLToPath(new URL('../../src/backends/', import.meta.url));
  const script = `
    import { loadNativeBackend } from '${pathToFileURL(dir + 'native/index.js').href}';
    import { jsBackend } from '${pathToFileURL(dir + 'js/index.js').href}';
    const be = loadNativeBackend().backend;
    const fill = (n, s) => Float32Array.from({ length: n }, (_, i) => (((i + s) * 7919) % 1013) / 506.5 - 1);
    const out = [];
    for (const [m, n, k] of [[300, 70, 9], [257, 1000, 1], [520, 33, 40], [1030, 1100, 70], [700, 200, 300], [96, 900, 500], [256, 256, 256], [389, 1500, 130]]) {
      const a = fill(m * k, 1), b = fill(k * n, 2), init = fill(m * n, 3);
      for (const transA of [false, true]) for (const transB of [false, true]) for (const accumulate of [false, true]) {
        const run = (bk) => {
          const c = accumulate ? init.slice() : new Float32Array(m * n).fill(NaN);
          bk.matmul({ a, b, out: c }, { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0, accumulate });
          return c;
        };
        const got = run(be), want = run(jsBackend);
        const t = 1e-4 * Math.max(1, k / 32);
        let excess = 0;
        for (let i = 0; i < want.length; i++) {
          const e = Math.abs(got[i] - want[i]) - (t + t * Math.abs(want[i]));
          excess = Math.max(excess, Number.isNaN(e) ? Infinity : e);
        }
        out.push({ what: \`m\${m} n\${n} k\${k} tA\${transA} tB\${transB} acc\${accumulate}\`, excess });
      }
    }
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, POLYTASK_NUM_THREADS: String(threads) },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { what: string; excess: number }[];
}

// Tiles' row blocks claimed by the threads (gemm_tiles): 256³ (a partial last sliver), 389×1500×130
// (column tiles of two NC blocks' width, rounded up to the threads), 257×1000×1 (a tile wider than
// one NC block); shared panels: the products of several KC panels.
nativeTest('matmul split over 2 and 3 threads (tiles, shared panels) matches the reference', () => {
  for (const threads of [2, 3]) {
    const errors = threadedMatmulErrors(threads);
    assert.equal(errors.length, 8 * 8);
    for (const { what, excess } of errors) assert.ok(excess <= 0, `${threads} threads ${what}: ${excess} over gemmTol`);
  }
});

/** gemmConfig() in a fresh process whose environment has POLYTASK_GEMM_BLOCKS = `blocks`. */
function configUnder(blocks: string): { config: GemmConfig; stderr: string } {
  const index = pathToFileURL(fileURLToPath(new URL('../../src/backends/native/index.js', import.meta.url))).href;
  const script = `import { loadNativeAddon } from '${index}'; console.log(JSON.stringify(loadNativeAddon().gemmConfig()));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, POLYTASK_GEMM_BLOCKS: blocks },
  });
  assert.equal(r.status, 0, r.stderr);
  return { config: JSON.parse(r.stdout) as GemmConfig, stderr: r.stderr };
}

nativeTest('POLYTASK_GEMM_BLOCKS fixes KC,MC,NC; a malformed value is named on stderr and ignored', (_be, raw) => {
  const { mr, nr } = raw.gemmConfig();
  const fixed = configUnder('7,13,40');
  assert.equal(fixed.config.blocks, 'POLYTASK_GEMM_BLOCKS');
  assert.deepEqual(
    [fixed.config.kc, fixed.config.mc, fixed.config.nc],
    [7, Math.ceil(13 / mr) * mr, Math.ceil(40 / nr) * nr],
  );
  assert.equal(fixed.stderr, '');
  for (const bad of ['7,x,40', '7,13', '0,13,40', '7,13,40,1']) {
    const r = configUnder(bad);
    assert.equal(r.config.blocks, 'cache sizes', bad);
    assert.match(r.stderr, new RegExp(`POLYTASK_GEMM_BLOCKS='${bad}' ignored: expected KC,MC,NC`), bad);
  }
});

// ---------------------------------------------------------------- elementwise

const UNARY: UnaryOp[] = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'abs',
  'sign',
  'square',
  'reciprocal',
  'relu',
  'leakyRelu',
  'sigmoid',
  'tanh',
  'erf',
  'log1p',
  'gelu',
];
const BINARY: BinaryOp[] = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
];

nativeTest('unary and unaryGrad match the reference, special values included', (be) => {
  const gen = new Gen(2);
  for (const op of UNARY) {
    const positive = op === 'log' || op === 'sqrt' || op === 'log1p';
    for (const n of [0, ...ODD, 70001]) {
      const x = gen.f32(n, positive ? 0.01 : -4, 4);
      compare(be, `unary ${op} n${n}`, ROUNDED, (b) => {
        const out = new Float32Array(n);
        b.unary(op, x, out, 0.1);
        return [out];
      });
      const y = new Float32Array(n);
      jsBackend.unary(op, x, y, 0.1);
      const gy = gen.f32(n);
      compare(be, `unaryGrad ${op} n${n}`, ROUNDED, (b) => {
        const gx = new Float32Array(n);
        b.unaryGrad(op, x, y, gy, gx, 0.1);
        return [gx];
      });
    }
    const sp = SPECIAL;
    const ys = new Float32Array(sp.length);
    jsBackend.unary(op, sp, ys, 0.1);
    const gy = new Float32Array(sp.length).fill(1);
    compare(be, `unary ${op} special values`, ROUNDED, (b) => {
      const out = new Float32Array(sp.length);
      b.unary(op, sp, out, 0.1);
      return [out];
    });
    compare(be, `unaryGrad ${op} special values`, ROUNDED, (b) => {
      const gx = new Float32Array(sp.length);
      b.unaryGrad(op, sp, ys, gy, gx, 0.1);
      return [gx];
    });
  }
});

nativeTest('gelu and its gradient match the reference over the whole float range that matters', (be) => {
  // the native gelu is a float polynomial (erfc fit, exp); its tails, where x·Φ(x) underflows or
  // equals x, and the |x| = 10 switch of the gradient are checked on a fine grid
  const n = 30001;
  const x = Float32Array.from({ length: n }, (_, i) => -15 + (30 * i) / (n - 1));
  const y = new Float32Array(n);
  jsBackend.unary('gelu', x, y, 0);
  const gy = new Float32Array(n).fill(1);
  compare(be, 'gelu on [-15, 15]', ROUNDED, (b) => {
    const out = new Float32Array(n);
    b.unary('gelu', x, out, 0);
    const gx = new Float32Array(n);
    b.unaryGrad('gelu', x, y, gy, gx, 0);
    return [out, gx];
  });
  // known values: gelu(1) = Φ(1) = 0.841345, gelu(-1) = -0.158655, gelu'(0) = 0.5
  const out = new Float32Array(3);
  be.unary('gelu', Float32Array.of(1, -1, 0), out, 0);
  assertArraysClose(out, [0.8413447, -0.1586553, 0], ROUNDED, 'gelu known values');
  const g0 = new Float32Array(1);
  be.unaryGrad('gelu', Float32Array.of(0), Float32Array.of(0), Float32Array.of(1), g0, 0);
  assert.equal(g0[0], 0.5);
});

const BROADCASTS: [number[], number[], number[]][] = [
  [
    [3, 5],
    [3, 5],
    [3, 5],
  ],
  [[], [4, 3], [4, 3]],
  [[4, 3], [1], [4, 3]],
  [[4, 5], [5], [4, 5]],
  [
    [4, 5],
    [4, 1],
    [4, 5],
  ],
  [
    [2, 1, 3],
    [1, 4, 1],
    [2, 4, 3],
  ],
  [
    [1, 7],
    [6, 1],
    [6, 7],
  ],
  [[0, 3], [3], [0, 3]],
  [[], [], []],
  [
    [2, 3, 1, 5],
    [3, 4, 1],
    [2, 3, 4, 5],
  ],
  [[300, 257], [257], [300, 257]],
  [[17], [33, 1], [33, 17]],
];

nativeTest('binary matches the reference for every op and broadcast pattern', (be) => {
  const gen = new Gen(3);
  for (const [aShape, bShape, outShape] of BROADCASTS) {
    const a = gen.ties(sizeOf(aShape));
    const b = gen.ties(sizeOf(bShape));
    // Specials and exact ties stress maximum/minimum's NaN rule and the comparisons.
    for (let i = 0; i < a.length; i += 7) a[i] = SPECIAL[i % SPECIAL.length]!;
    for (let i = 3; i < b.length; i += 11) b[i] = SPECIAL[(i * 5) % SPECIAL.length]!;
    for (const op of BINARY) {
      const what = `binary ${op} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`;
      compare(be, what, op === 'pow' ? ROUNDED : EXACT, (bk) => {
        const out = new Float32Array(sizeOf(outShape));
        bk.binary(op, a, aShape, b, bShape, out, outShape);
        return [out];
      });
    }
    const ai = Int32Array.from(a, (v) => (Number.isFinite(v) ? v : 3));
    const bi = Int32Array.from(b, (v) => (Number.isFinite(v) && v !== 0 ? v : 2));
    compare(be, `binary int32 ${JSON.stringify(aShape)}`, EXACT, (bk) => {
      const out = new Int32Array(sizeOf(outShape));
      bk.binary('div', ai, aShape, bi, bShape, out, outShape);
      return [out];
    });
  }
});

nativeTest('where, clamp and clampGrad match the reference', (be) => {
  const gen = new Gen(4);
  for (const [cShape, aShape, outShape] of BROADCASTS) {
    const cond = gen.ties(sizeOf(cShape), 2);
    if (cond.length > 2) cond[1] = NaN;
    const a = gen.f32(sizeOf(aShape));
    const bShape = outShape.slice(-1);
    const b = gen.f32(sizeOf(bShape));
    compare(be, `where ${JSON.stringify(cShape)} ${JSON.stringify(aShape)}`, EXACT, (bk) => {
      const out = new Float32Array(sizeOf(outShape));
      bk.where(cond, cShape, a, aShape, b, bShape, out, outShape);
      return [out];
    });
  }
  for (const n of [0, ...ODD, 70001]) {
    const x = gen.f32(n, -2, 2);
    if (n > 3) {
      x[0] = 0.1;
      x[1] = NaN;
      x[2] = -0.5;
    }
    const gy = gen.f32(n);
    for (const [lo, hi] of [
      [-0.5, 0.1],
      [0, Infinity],
      [-Infinity, 0.3],
    ] as const) {
      compare(be, `clamp n${n} [${lo},${hi}]`, EXACT, (bk) => {
        const out = new Float32Array(n);
        bk.clamp(x, lo, hi, out);
        return [out];
      });
      compare(be, `clampGrad n${n} [${lo},${hi}]`, EXACT, (bk) => {
        const gx = new Float32Array(n);
        bk.clampGrad(x, lo, hi, gy, gx);
        return [gx];
      });
    }
  }
});

// ---------------------------------------------------------------- reductions and data movement

function subsets(rank: number): number[][] {
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << rank; mask++) out.push([...Array(rank).keys()].filter((d) => (mask >> d) & 1));
  return out;
}

nativeTest('reduce and argReduce match the reference', (be) => {
  const gen = new Gen(5);
  const shapes = [[2, 3, 4], [5], [], [0, 3], [3, 0], [1, 17, 1], [64, 1000], [3, 1, 4, 2]];
  for (const shape of shapes) {
    const x = gen.ties(sizeOf(shape), 9);
    if (x.length > 5) x[4] = NaN;
    for (const axes of subsets(shape.length)) {
      const outSize = sizeOf(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
      for (const op of ['sum', 'max', 'min'] as const) {
        compare(
          be,
          `reduce ${op} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`,
          op === 'sum' ? SUMMED : EXACT,
          (b) => {
            const out = new Float32Array(outSize).fill(NaN);
            b.reduce(op, x, shape, axes, out);
            return [out];
          },
        );
      }
    }
    for (let axis = 0; axis < Math.max(shape.length, 1); axis++) {
      const outSize = sizeOf(shape.filter((_, i) => i !== axis));
      for (const op of ['argmax', 'argmin'] as const) {
        compare(be, `argReduce ${op} ${JSON.stringify(shape)} axis ${axis}`, EXACT, (b) => {
          const out = new Int32Array(outSize).fill(-7);
          b.argReduce(op, x, shape, axis, out);
          return [out];
        });
      }
    }
  }
});

nativeTest('permute, slice, sliceAssign match the reference for float32 and int32', (be) => {
  const gen = new Gen(6);
  const perms: [number[], number[]][] = [
    [
      [2, 3, 4],
      [0, 1, 2],
    ],
    [
      [2, 3, 4],
      [0, 2, 1],
    ],
    [
      [2, 3, 4],
      [1, 0, 2],
    ],
    [
      [2, 3, 4],
      [1, 2, 0],
    ],
    [
      [2, 3, 4],
      [2, 0, 1],
    ],
    [
      [2, 3, 4],
      [2, 1, 0],
    ],
    [
      [40, 70],
      [1, 0],
    ],
    [
      [1, 5, 1, 3],
      [3, 2, 0, 1],
    ],
    [
      [0, 3],
      [1, 0],
    ],
    [[], []],
    [
      [33, 2, 65],
      [2, 1, 0],
    ],
    [
      [4, 6, 5, 3],
      [0, 2, 1, 3],
    ],
  ];
  for (const [shape, perm] of perms) {
    const xf = gen.f32(sizeOf(shape));
    const xi = gen.i32(sizeOf(shape), -1000, 1000);
    for (const x of [xf, xi]) {
      compare(be, `permute ${JSON.stringify(shape)} ${JSON.stringify(perm)} ${x.constructor.name}`, EXACT, (b) => {
        const out = x instanceof Int32Array ? new Int32Array(x.length) : new Float32Array(x.length);
        b.permute(x, shape, perm, out);
        return [out];
      });
    }
  }
  const boxes: [number[], number[], number[]][] = [
    [
      [5, 7],
      [1, 2],
      [3, 4],
    ],
    [
      [5, 7],
      [0, 0],
      [5, 7],
    ],
    [
      [4, 5, 6],
      [1, 0, 2],
      [2, 5, 3],
    ],
    [
      [4, 5, 6],
      [3, 4, 5],
      [1, 1, 1],
    ],
    [
      [4, 5, 6],
      [2, 2, 2],
      [0, 3, 1],
    ],
    [[], [], []],
    [[129], [1], [127]],
  ];
  for (const [shape, begin, boxShape] of boxes) {
    const x = gen.f32(sizeOf(shape));
    const xi = gen.i32(sizeOf(shape), 0, 99);
    const src = gen.f32(sizeOf(boxShape));
    compare(be, `slice ${JSON.stringify(shape)} at ${JSON.stringify(begin)}`, EXACT, (b) => {
      const out = new Float32Array(sizeOf(boxShape));
      const outi = new Int32Array(sizeOf(boxShape));
      b.slice(x, shape, begin, out, boxShape);
      b.slice(xi, shape, begin, outi, boxShape);
      return [out, outi];
    });
    compare(be, `sliceAssign ${JSON.stringify(shape)} at ${JSON.stringify(begin)}`, EXACT, (b) => {
      const dst = x.slice();
      b.sliceAssign(src, boxShape, dst, shape, begin);
      return [dst];
    });
  }
});

nativeTest('indexSelect, indexAdd, gather, scatterAdd match the reference', (be) => {
  const gen = new Gen(7);
  for (const [shape, axis] of [
    [[5, 4, 3], 0],
    [[5, 4, 3], 1],
    [[5, 4, 3], 2],
    [[17], 0],
    [[3, 0, 2], 0],
    [[6, 33], 1],
  ] as [number[], number][]) {
    const dim = shape[axis]!;
    const k = dim === 0 ? 0 : 9;
    const indices = gen.i32(k, 0, Math.max(dim, 1)); // repeats included
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const x = gen.f32(sizeOf(shape));
    const xi = gen.i32(sizeOf(shape), -50, 50);
    compare(be, `indexSelect ${JSON.stringify(shape)} axis ${axis}`, EXACT, (b) => {
      const out = new Float32Array(outer * k * inner);
      const outi = new Int32Array(outer * k * inner);
      b.indexSelect(x, shape, axis, indices, out);
      b.indexSelect(xi, shape, axis, indices, outi);
      return [out, outi];
    });
    const g = gen.f32(outer * k * inner);
    const base = gen.f32(sizeOf(shape));
    compare(be, `indexAdd ${JSON.stringify(shape)} axis ${axis}`, SUMMED, (b) => {
      const out = base.slice();
      b.indexAdd(g, axis, indices, out, shape);
      return [out];
    });
    // gather/scatterAdd: index smaller than x on the other axes, longer on `axis`.
    const indexShape = shape.map((d, i) => (i === axis ? (dim === 0 ? 0 : dim + 2) : Math.max(0, d - 1)));
    const index = gen.i32(sizeOf(indexShape), 0, Math.max(dim, 1));
    compare(be, `gather ${JSON.stringify(shape)} axis ${axis}`, EXACT, (b) => {
      const out = new Float32Array(index.length);
      const outi = new Int32Array(index.length);
      b.gather(x, shape, axis, index, indexShape, out);
      b.gather(xi, shape, axis, index, indexShape, outi);
      return [out, outi];
    });
    const gs = gen.f32(index.length);
    compare(be, `scatterAdd ${JSON.stringify(shape)} axis ${axis}`, SUMMED, (b) => {
      const out = base.slice();
      b.scatterAdd(gs, indexShape, axis, index, out, shape);
      return [out];
    });
  }
});

// ---------------------------------------------------------------- convolution and pooling

function conv(
  n: number,
  c: number,
  h: number,
  w: number,
  o: number,
  kh: number,
  kw: number,
  s: [number, number],
  p: [number, number],
  d: [number, number],
  groups: number,
): Conv2dGeometry {
  const oh = Math.floor((h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((w + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1]) + 1;
  return {
    n,
    c,
    h,
    w,
    o,
    kh,
    kw,
    oh,
    ow,
    strideH: s[0],
    strideW: s[1],
    padH: p[0],
    padW: p[1],
    dilationH: d[0],
    dilationW: d[1],
    groups,
  };
}

const CONVS: Conv2dGeometry[] = [
  conv(2, 3, 7, 9, 4, 3, 3, [1, 1], [1, 1], [1, 1], 1),
  conv(1, 3, 7, 9, 4, 3, 3, [2, 2], [0, 0], [1, 1], 1),
  conv(3, 2, 8, 8, 5, 3, 3, [1, 2], [2, 1], [1, 1], 1),
  conv(2, 2, 9, 11, 3, 3, 3, [1, 1], [2, 2], [2, 3], 1),
  conv(2, 6, 7, 7, 9, 3, 3, [1, 1], [1, 1], [1, 1], 3),
  conv(4, 4, 5, 6, 4, 3, 3, [1, 1], [1, 1], [1, 1], 4), // depthwise
  conv(2, 8, 6, 5, 16, 1, 1, [1, 1], [0, 0], [1, 1], 1), // pointwise: no im2col
  conv(2, 8, 6, 5, 4, 1, 1, [2, 2], [0, 0], [1, 1], 2),
  conv(3, 3, 10, 12, 5, 2, 5, [3, 2], [1, 2], [1, 1], 1),
  conv(1, 1, 28, 28, 8, 5, 5, [1, 1], [2, 2], [1, 1], 1),
  conv(0, 3, 5, 5, 2, 3, 3, [1, 1], [1, 1], [1, 1], 1),
  conv(2, 3, 2, 2, 2, 3, 3, [1, 1], [2, 2], [1, 1], 1), // more padding than image
  // Winograd (3x3, stride 1, >= 8 channels a group): padding 0, 1, 2, odd sizes (edge tiles), groups,
  // and more images than threads with a remainder (chunks of several images per GEMM).
  conv(7, 8, 7, 9, 12, 3, 3, [1, 1], [1, 1], [1, 1], 1),
  conv(2, 16, 6, 5, 8, 3, 3, [1, 1], [0, 0], [1, 1], 1),
  conv(3, 9, 5, 4, 10, 3, 3, [1, 1], [2, 1], [1, 1], 1),
  conv(2, 16, 5, 7, 16, 3, 3, [1, 1], [1, 2], [1, 1], 2),
  conv(33, 32, 14, 14, 64, 3, 3, [1, 1], [1, 1], [1, 1], 1), // the benchmark CNN's second layer
  conv(19, 1, 28, 28, 32, 3, 3, [1, 1], [1, 1], [1, 1], 1), // its first layer: wide layout, many images per GEMM
  conv(41, 8, 9, 9, 128, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 4 images a chunk = 100 tiles: grouped, 38 + 3 images
  conv(8, 128, 7, 7, 128, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 7x7, 128 channels, 128 tiles: Winograd before direct
  conv(32, 128, 4, 4, 128, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 4x4 maps: Winograd before im2row, 4 images a lane block
  // Winograd and wide on maps of at least 64 positions (smaller ones take the batch path).
  conv(5, 8, 9, 11, 12, 3, 3, [1, 1], [1, 1], [1, 1], 1),
  conv(3, 9, 10, 9, 10, 3, 3, [1, 1], [2, 1], [1, 1], 1),
  conv(2, 16, 9, 8, 16, 3, 3, [1, 1], [1, 2], [1, 1], 2),
  conv(3, 4, 9, 9, 5, 3, 3, [1, 1], [1, 1], [1, 1], 1),
  // The batch path: one GEMM over all images, taps that meet only padding dropped.
  conv(5, 24, 1, 1, 16, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 1x1 map, pad 1: the centre tap only
  conv(6, 16, 2, 2, 24, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 2x2 map
  conv(4, 12, 2, 2, 20, 3, 3, [2, 2], [1, 1], [1, 1], 1), // 2x2 → 1x1, stride 2: 4 taps
  conv(5, 10, 4, 4, 8, 3, 3, [1, 1], [1, 1], [1, 1], 2), // 4x4 map, groups
  conv(3, 6, 7, 5, 8, 1, 1, [2, 2], [0, 0], [1, 1], 1), // 1x1 stride-2 downsample, odd sizes
  conv(3, 5, 9, 7, 6, 3, 3, [2, 2], [1, 1], [1, 1], 1), // 3x3 stride 2, odd sizes
  conv(3, 3, 19, 17, 8, 7, 7, [2, 2], [3, 3], [1, 1], 1), // a ResNet's first layer, odd sizes
  conv(5, 3, 33, 35, 4, 3, 3, [2, 2], [1, 1], [1, 1], 1), // >= 256 positions: one image a thread
  conv(4, 1, 9, 10, 6, 5, 5, [2, 2], [2, 2], [1, 1], 1), // one input channel
  conv(3, 4, 3, 3, 4, 3, 3, [1, 1], [3, 3], [1, 1], 1), // more padding than image: no tap kept at the corners
  // Ungrouped output maps up to 64 positions: im2row, channels innermost.
  conv(60, 64, 4, 4, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1), // more images than one chunk of the row matrix
  conv(2, 17, 5, 6, 4, 3, 3, [1, 1], [2, 2], [2, 2], 1), // dilation
  conv(3, 19, 8, 8, 7, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 8x8, odd channel counts
  conv(2, 8, 8, 9, 6, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 72 positions: Winograd, the 8x9 weight gradient by batch
  conv(3, 16, 3, 5, 9, 2, 2, [2, 1], [0, 1], [1, 1], 1), // even kernel, mixed strides
  conv(2, 16, 4, 4, 5, 3, 3, [1, 1], [5, 5], [1, 1], 1), // padding beyond the image: empty corners
  conv(3, 24, 8, 7, 33, 3, 3, [2, 2], [1, 1], [1, 1], 1), // stride 2, odd sizes
  conv(5, 16, 1, 1, 24, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 1x1 map: the centre tap only
  conv(3, 15, 4, 4, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 15 channels: the batch path
  // Maps where much of the row matrix would be padding: a GEMM per class of positions and run of
  // taps (enough images that the classes pay at up to 4 threads).
  conv(128, 16, 2, 2, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 2x2: four classes of 4 taps, 2 runs each
  conv(140, 64, 4, 4, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 4x4: nine classes, more images than a chunk
  conv(64, 16, 8, 8, 8, 3, 3, [2, 2], [1, 1], [1, 1], 1), // stride 2 to 4x4: four classes (the direct forward, in place)
  conv(64, 16, 3, 5, 7, 5, 5, [1, 1], [2, 2], [1, 1], 1), // 5x5 kernel on 3x5
  conv(64, 16, 1, 1, 8, 3, 3, [1, 1], [3, 3], [1, 1], 1), // 5x5 output of one pixel: a class without taps
  conv(2, 16, 13, 13, 8, 3, 3, [3, 3], [1, 1], [1, 1], 1), // stride 3: too many input pixels, the batch path
  // Maps up to 32 wide gather the column matrix through a tap table (col2im through its inverse).
  conv(3, 6, 24, 23, 5, 3, 3, [2, 2], [1, 1], [1, 1], 1), // 12x12 output, stride 2
  conv(2, 3, 9, 9, 4, 3, 3, [2, 2], [2, 2], [2, 2], 1), // stride 2 with dilation
  // the direct weight gradient (few taps a filter): odd sizes, strides 1-4, channel counts off 16
  conv(1, 1, 13, 11, 5, 3, 3, [1, 1], [1, 1], [1, 1], 1), // one image, one channel
  conv(5, 3, 23, 21, 70, 7, 7, [2, 2], [3, 3], [1, 1], 1), // 70 channels: 3 + 2 vectors
  conv(2, 3, 17, 19, 33, 5, 5, [3, 2], [2, 1], [1, 1], 1), // mixed strides, 33 channels
  conv(3, 2, 15, 14, 17, 4, 3, [4, 4], [0, 1], [1, 1], 1), // stride 4, even kernel height
  conv(2, 3, 9, 8, 16, 1, 1, [2, 2], [0, 0], [1, 1], 1), // kernel smaller than the stride
  conv(3, 1, 2, 3, 9, 5, 5, [1, 1], [2, 2], [1, 1], 1), // kernel larger than the image
  conv(2, 17, 9, 7, 7, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 153 taps a filter
  conv(9, 1, 28, 28, 32, 3, 3, [2, 2], [1, 1], [1, 1], 1), // more images than tasks
  conv(1, 3, 20, 18, 40, 7, 7, [2, 2], [3, 3], [1, 1], 1), // one image: the threads split the blocks
  conv(3, 20, 9, 10, 40, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 180 taps x 48 channels on 9x10: direct too
  conv(2, 24, 19, 17, 24, 3, 3, [2, 2], [1, 1], [1, 1], 1), // likewise at stride 2, 10x9 outputs
  conv(1, 1, 70, 70, 2, 3, 3, [5, 5], [0, 0], [1, 1], 1), // narrow output of a plane too large to gather
  conv(2, 64, 16, 16, 128, 3, 3, [2, 2], [1, 1], [1, 1], 1), // strided, 73,728 floats a task (beside Winograd)
  conv(2, 32, 8, 9, 240, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 32 channels in: 69,120 floats a task, 15 vectors
  // the direct forward and input gradient (rows of ≥ 7 positions, strided ≤ 64 positions from 2;
  // ≥ 16 channels and ≤ 64 positions, or strided up to 4,096; first layers of ≥ 48 taps a filter up
  // to 256, strided 16,384; a strided input gradient from ≥ 16 channels to ≥ 16)
  conv(2, 3, 70, 66, 16, 7, 7, [2, 2], [3, 3], [1, 1], 1), // a first layer, 35x33 outputs
  conv(2, 16, 41, 39, 20, 3, 3, [2, 2], [1, 1], [1, 1], 1), // strided, 21x20 outputs
  conv(3, 6, 12, 13, 10, 3, 3, [1, 1], [1, 1], [1, 1], 1), // a first layer of 54 taps at stride 1
  conv(2, 16, 8, 8, 20, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 20 channels: a vector and a padded one
  conv(1, 24, 7, 7, 70, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 5 vectors in two groups, one image split by groups
  conv(2, 16, 15, 16, 33, 3, 3, [2, 2], [1, 1], [1, 1], 1), // stride 2 to 8x8, the input gradient from 33 channels
  conv(3, 20, 17, 15, 16, 3, 3, [2, 2], [1, 1], [1, 1], 1), // strided input gradient: odd sizes, 20 channels out
  conv(2, 16, 22, 23, 24, 5, 5, [3, 3], [2, 2], [1, 1], 1), // stride 3, 5x5: three phases a row
  conv(2, 17, 11, 12, 16, 4, 2, [2, 1], [1, 0], [1, 1], 1), // mixed strides, even kernel
  conv(2, 16, 13, 14, 16, 3, 3, [4, 4], [0, 0], [1, 1], 1), // stride 4 over a 3x3 kernel: rows no tap reaches
  conv(2, 16, 9, 9, 16, 3, 3, [2, 2], [3, 3], [1, 1], 1), // padding beyond the kernel at stride 2
  conv(2, 16, 7, 9, 64, 5, 5, [1, 1], [2, 2], [1, 1], 1), // 5x5 on 7x9: rows of 9 in two runs
  conv(1, 256, 7, 7, 16, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 256 channels: the taps in chunks (up to 2 MiB of L2)
  conv(2, 16, 5, 7, 16, 3, 3, [1, 1], [2, 2], [1, 1], 1), // padding 2: the input gradient's layer unpadded
  conv(2, 16, 9, 9, 16, 3, 3, [1, 1], [0, 0], [1, 1], 1), // unpadded 7x7 (the input gradient's 9x9 elsewhere)
  conv(2, 16, 8, 9, 20, 3, 3, [1, 1], [0, 1], [1, 1], 1), // padded along rows only, x read in place
  // Small maps go in groups of images (runs across images; two group sizes for 23 images).
  conv(23, 16, 8, 8, 20, 3, 3, [1, 1], [1, 1], [1, 1], 1), // in place, the input gradient likewise
  conv(11, 16, 15, 15, 16, 3, 3, [2, 2], [1, 1], [1, 1], 1), // strided to 8x8, in place
  conv(11, 3, 16, 16, 16, 7, 7, [2, 2], [3, 3], [1, 1], 1), // a first layer to 8x8: the planes of a group
  conv(13, 16, 7, 8, 16, 3, 3, [2, 2], [1, 1], [1, 1], 1), // a strided input gradient of 7x8
  // Depthwise (groups == C) by direct loops: strides, odd sizes, a channel multiplier, dilation.
  conv(3, 6, 9, 11, 6, 3, 3, [1, 1], [1, 1], [1, 1], 6),
  conv(2, 5, 9, 8, 5, 3, 3, [2, 2], [1, 1], [1, 1], 5),
  conv(2, 4, 7, 7, 8, 5, 5, [1, 2], [2, 2], [1, 1], 4),
  conv(2, 3, 10, 9, 6, 3, 3, [1, 1], [2, 2], [2, 2], 3),
  conv(4, 8, 1, 1, 8, 3, 3, [1, 1], [1, 1], [1, 1], 8), // narrow maps walk the tap table
  conv(2, 4, 17, 19, 4, 3, 3, [2, 2], [1, 1], [1, 1], 4), // wide rows, stride 2
  conv(2, 3, 9, 12, 6, 3, 3, [1, 1], [1, 1], [1, 1], 3), // wide rows, multiplier 2
  conv(3, 4, 3, 3, 8, 3, 3, [1, 1], [1, 1], [1, 1], 4), // narrow map, multiplier 2: the tap table
  conv(1, 16, 150, 221, 16, 3, 3, [1, 1], [1, 1], [1, 1], 16), // multiplier 1 on a map too large for channels-last
  // Multiplier 1, channels innermost: blocks of 16 channels and a tail, tiny maps, strides, dilation.
  conv(3, 17, 4, 4, 17, 3, 3, [1, 1], [1, 1], [1, 1], 17),
  conv(2, 33, 2, 2, 33, 3, 3, [1, 1], [1, 1], [1, 1], 33),
  conv(5, 20, 1, 1, 20, 3, 3, [1, 1], [1, 1], [1, 1], 20), // only the centre tap meets the image
  conv(2, 18, 7, 5, 18, 3, 3, [2, 2], [1, 1], [1, 1], 18),
  conv(2, 16, 6, 7, 16, 3, 3, [1, 1], [2, 2], [2, 2], 16),
  conv(1, 21, 8, 8, 21, 5, 5, [2, 1], [2, 2], [1, 1], 21),
  conv(1, 16, 33, 32, 16, 3, 3, [1, 1], [1, 1], [1, 1], 16), // over 1024 positions: the row-walking loops
  // Channels innermost, padded images: runs of positions (forward) and taps (weight gradient) with
  // tails, channels of a whole and a half vector, the input gradient gathered (stride 1) or scattered.
  conv(2, 24, 11, 13, 24, 3, 3, [1, 1], [1, 1], [1, 1], 24), // 13 wide: a run of 8 and one of 5
  conv(3, 40, 9, 9, 40, 5, 5, [2, 2], [2, 2], [1, 1], 40), // 5x5 stride 2, 40 = 16 + 16 + 8 channels
  conv(2, 19, 16, 16, 19, 3, 3, [2, 2], [1, 1], [1, 1], 19), // MobileNet's stride-2 layer, 19 channels
  conv(2, 16, 7, 6, 16, 3, 3, [1, 1], [0, 0], [1, 1], 16), // no padding: the gather's border is the reach
  conv(2, 16, 6, 6, 16, 3, 3, [1, 1], [3, 3], [1, 1], 16), // padding beyond the reach: scattered
  conv(2, 16, 5, 9, 16, 1, 9, [1, 1], [0, 4], [1, 1], 16), // a row of 9 taps: runs of 8 and 1
  conv(3, 24, 2, 2, 24, 3, 3, [2, 2], [1, 1], [1, 1], 24), // 2x2 → 1x1: the window of the live taps
  conv(2, 16, 3, 3, 16, 3, 3, [2, 2], [1, 1], [2, 2], 16), // dilation: a window past the padding (crop)
  conv(2, 16, 4, 12, 16, 3, 3, [1, 2], [2, 0], [2, 1], 16), // mixed strides and dilation
  // Multiplier 1, stride 1, output as wide as the input: in the planes' own layout (AVX-512), the
  // 3x3 pad-1 kernels of rows 16, 8 and 4 wide (windows across chunks) and the masked loads of
  // the rest (a plane's tail chunk, 5x5, dilation, rows padded more than columns, 32 wide).
  conv(2, 5, 16, 16, 5, 3, 3, [1, 1], [1, 1], [1, 1], 5),
  conv(3, 19, 8, 8, 19, 3, 3, [1, 1], [1, 1], [1, 1], 19),
  conv(1, 7, 4, 4, 7, 3, 3, [1, 1], [1, 1], [1, 1], 7), // batch 1, a plane a chunk
  conv(2, 3, 12, 16, 3, 3, 3, [1, 1], [1, 1], [1, 1], 3),
  conv(2, 6, 5, 5, 6, 3, 3, [1, 1], [1, 1], [1, 1], 6), // 25 positions: a tail chunk
  conv(2, 4, 7, 9, 4, 5, 5, [1, 1], [2, 2], [1, 1], 4),
  conv(2, 4, 9, 10, 4, 3, 3, [1, 1], [2, 2], [2, 2], 4),
  conv(2, 3, 6, 10, 3, 3, 3, [1, 1], [2, 1], [1, 1], 3), // 8 output rows from 6
  conv(2, 17, 32, 32, 17, 3, 3, [1, 1], [1, 1], [1, 1], 17),
  // Stride 2 from rows 16 wide (MobileNet's downsampling), 4 or 16 rows: pairs of output rows.
  conv(3, 5, 4, 16, 5, 3, 3, [2, 2], [1, 1], [1, 1], 5),
  conv(1, 7, 16, 16, 7, 3, 3, [2, 2], [1, 1], [1, 1], 7),
  // Planes of 2, 4, 8 positions, 16 / (H·W) of them a chunk, the weights spread per lane.
  conv(3, 12, 2, 2, 12, 3, 3, [1, 1], [1, 1], [1, 1], 12),
  conv(2, 4, 2, 4, 4, 3, 3, [1, 1], [1, 1], [1, 1], 4),
  conv(2, 8, 1, 2, 8, 3, 3, [1, 1], [1, 1], [1, 1], 8),
  conv(1, 4, 2, 2, 4, 5, 5, [1, 1], [2, 2], [1, 1], 4),
];

nativeTest('conv2d and its backward passes match the reference (stride, padding, dilation, groups)', (be) => {
  const gen = new Gen(8);
  for (const g of CONVS) {
    const kk = (g.c / g.groups) * g.kh * g.kw;
    const x = gen.f32(g.n * g.c * g.h * g.w);
    const w = gen.f32(g.o * kk);
    const bias = gen.f32(g.o);
    const ySize = g.n * g.o * g.oh * g.ow;
    const gy = gen.f32(ySize);
    const what = `conv ${JSON.stringify(g)}`;
    for (const b of [bias, null]) {
      compare(be, `${what} forward bias=${b !== null}`, gemmTol(kk), (bk) => {
        const y = new Float32Array(ySize).fill(NaN);
        bk.conv2d({ x, w, bias: b, y }, g);
        return [y];
      });
    }
    compare(be, `${what} backward input`, gemmTol(g.o * g.kh * g.kw), (bk) => {
      const gx = new Float32Array(x.length).fill(NaN);
      bk.conv2dBackwardInput({ gy, w, gx }, g);
      return [gx];
    });
    compare(be, `${what} backward weight`, gemmTol(g.n * g.oh * g.ow), (bk) => {
      const gw = new Float32Array(w.length).fill(NaN);
      const gb = new Float32Array(g.o).fill(NaN);
      const gw2 = new Float32Array(w.length).fill(NaN);
      bk.conv2dBackwardWeight({ gy, x, gw, gb }, g);
      bk.conv2dBackwardWeight({ gy, x, gw: gw2, gb: null }, g);
      return [gw, gb, gw2];
    });
  }
});

nativeTest('conv2d passes on non-finite inputs match the reference on every path (Winograd falls back)', (be) => {
  const gen = new Gen(11);
  for (const g of [
    conv(3, 16, 6, 7, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1), // rows path
    conv(3, 8, 6, 7, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1), // batch path (8 channels)
    conv(2, 2, 6, 7, 3, 3, 3, [1, 1], [1, 1], [1, 1], 1),
    conv(3, 8, 9, 9, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1), // Winograd
    conv(6, 8, 9, 9, 128, 3, 3, [1, 1], [1, 1], [1, 1], 1), // Winograd over a group of images
    conv(8, 128, 7, 7, 128, 3, 3, [1, 1], [1, 1], [1, 1], 1), // Winograd before direct, which redoes the call
    conv(2, 2, 9, 9, 3, 3, 3, [1, 1], [1, 1], [1, 1], 1), // wide
    conv(3, 16, 1, 1, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1), // rows path, centre tap only unless not finite
    conv(128, 16, 2, 2, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1), // rows path by classes: the single GEMM if not finite
    conv(3, 8, 1, 1, 8, 3, 3, [1, 1], [1, 1], [1, 1], 2), // batch path (groups), likewise
    conv(2, 4, 5, 5, 6, 3, 3, [1, 1], [1, 1], [1, 1], 2), // batch path, gathered
    conv(2, 4, 6, 7, 4, 3, 3, [1, 1], [1, 1], [1, 1], 4), // depthwise
    conv(2, 17, 2, 2, 17, 3, 3, [1, 1], [1, 1], [1, 1], 17), // depthwise, channels innermost
    conv(2, 16, 6, 7, 16, 3, 3, [1, 1], [1, 1], [1, 1], 16), // channels innermost: the gathered input gradient
    conv(2, 16, 7, 7, 16, 3, 3, [2, 2], [1, 1], [1, 1], 16), // channels innermost, stride 2: scattered
    conv(3, 16, 1, 1, 16, 3, 3, [1, 1], [1, 1], [1, 1], 16), // channels innermost, only the centre tap live
    conv(3, 5, 3, 3, 10, 3, 3, [1, 1], [1, 1], [1, 1], 5), // depthwise, multiplier 2
    conv(2, 3, 11, 9, 20, 7, 7, [2, 2], [3, 3], [1, 1], 1), // direct weight gradient, stride 2
    conv(2, 1, 6, 7, 5, 3, 3, [1, 1], [1, 1], [1, 1], 1), // direct weight gradient, one channel
    conv(2, 16, 8, 8, 20, 3, 3, [1, 1], [1, 1], [1, 1], 1), // direct forward: every tap if w is not; input gradient
    conv(2, 16, 15, 14, 16, 3, 3, [2, 2], [1, 1], [1, 1], 1), // direct strided input gradient
    conv(9, 16, 8, 8, 16, 3, 3, [1, 1], [1, 1], [1, 1], 1), // direct, groups of images from the planes
    conv(2, 4, 16, 16, 4, 3, 3, [1, 1], [1, 1], [1, 1], 4), // depthwise planes, rows 16 wide
    conv(2, 4, 8, 8, 4, 3, 3, [1, 1], [1, 1], [1, 1], 4), // rows 8 wide
    conv(3, 5, 4, 4, 5, 3, 3, [1, 1], [1, 1], [1, 1], 5), // rows 4 wide
    conv(2, 3, 5, 5, 3, 3, 3, [1, 1], [1, 1], [1, 1], 3), // masked loads, a tail chunk
    conv(2, 4, 8, 16, 4, 3, 3, [2, 2], [1, 1], [1, 1], 4), // stride 2 from rows 16 wide
    conv(2, 8, 2, 2, 8, 3, 3, [1, 1], [1, 1], [1, 1], 8), // 2x2 planes, four a chunk
  ]) {
    const kk = (g.c / g.groups) * g.kh * g.kw;
    const ySize = g.n * g.o * g.oh * g.ow;
    for (const special of [Infinity, NaN]) {
      const x = gen.f32(g.n * g.c * g.h * g.w);
      const w = gen.f32(g.o * kk);
      const gy = gen.f32(ySize);
      x[g.w + 2] = special;
      const what = `conv ${JSON.stringify(g)} with ${special}`;
      compare(be, `${what} in x: forward`, gemmTol(kk), (bk) => {
        const y = new Float32Array(ySize).fill(NaN);
        bk.conv2d({ x, w, bias: null, y }, g);
        return [y];
      });
      compare(be, `${what} in x: backward weight`, gemmTol(g.n * g.oh * g.ow), (bk) => {
        const gw = new Float32Array(w.length).fill(NaN);
        bk.conv2dBackwardWeight({ gy, x, gw, gb: null }, g);
        return [gw];
      });
      const ws = w.slice();
      ws[4] = special;
      // A corner tap: on the 1x1 map it meets only padding, where the reference still makes 0·w.
      const wc = w.slice();
      wc[0] = special;
      compare(be, `${what} in w: forward`, gemmTol(kk), (bk) => {
        const y = new Float32Array(ySize).fill(NaN);
        bk.conv2d({ x: x.map((v) => (Number.isFinite(v) ? v : 0)), w: wc, bias: null, y }, g);
        return [y];
      });
      compare(be, `${what} in w: backward input`, gemmTol(g.o * g.kh * g.kw), (bk) => {
        const gx = new Float32Array(x.length).fill(NaN);
        bk.conv2dBackwardInput({ gy, w: ws, gx }, g);
        // Both corner taps: each meets only gy's padding at some pixels, where the reference has no 0·w.
        const wcc = wc.slice();
        wcc[kk - 1] = special;
        const gxc = new Float32Array(x.length).fill(NaN);
        bk.conv2dBackwardInput({ gy, w: wcc, gx: gxc }, g);
        return [gx, gxc];
      });
      const gys = gy.slice();
      gys[3] = special;
      const xf = x.map((v) => (Number.isFinite(v) ? v : 0));
      compare(be, `${what} in gy: backward input and weight`, gemmTol(g.n * g.oh * g.ow), (bk) => {
        const gx = new Float32Array(x.length).fill(NaN);
        const gw = new Float32Array(w.length).fill(NaN);
        bk.conv2dBackwardInput({ gy: gys, w, gx }, g);
        bk.conv2dBackwardWeight({ gy: gys, x: xf, gw, gb: null }, g);
        return [gx, gw];
      });
    }
  }
});

function pool(
  n: number,
  c: number,
  h: number,
  w: number,
  k: [number, number],
  s: [number, number],
  p: [number, number],
  countIncludePad: boolean,
  extra = 0,
): Pool2dGeometry {
  const oh = Math.floor((h + 2 * p[0] - k[0]) / s[0]) + 1 + extra;
  const ow = Math.floor((w + 2 * p[1] - k[1]) / s[1]) + 1 + extra;
  return {
    n,
    c,
    h,
    w,
    oh,
    ow,
    kh: k[0],
    kw: k[1],
    strideH: s[0],
    strideW: s[1],
    padH: p[0],
    padW: p[1],
    countIncludePad,
  };
}

const POOLS: Pool2dGeometry[] = [
  pool(2, 3, 8, 8, [2, 2], [2, 2], [0, 0], true),
  pool(2, 3, 7, 9, [3, 3], [2, 2], [1, 1], true),
  pool(2, 3, 7, 9, [3, 3], [2, 2], [1, 1], false),
  pool(1, 2, 5, 5, [3, 2], [1, 2], [1, 1], false),
  pool(1, 2, 5, 6, [2, 2], [2, 2], [1, 1], false, 1), // ceil-mode-like extra row/col
  pool(3, 4, 1, 1, [3, 3], [1, 1], [1, 1], true),
  pool(0, 3, 4, 4, [2, 2], [2, 2], [0, 0], true),
  pool(2, 64, 16, 16, [2, 2], [2, 2], [0, 0], false),
  // the halving pool's vector rows: 35 windows (two passes of 16 and a masked one of 3), 14 (one
  // masked pass), and a padded image of odd width whose inner windows start at an odd column
  pool(1, 2, 4, 70, [2, 2], [2, 2], [0, 0], false),
  pool(2, 3, 6, 28, [2, 2], [2, 2], [0, 0], false),
  pool(1, 3, 5, 35, [2, 2], [2, 2], [1, 1], false),
  // the vector rows of other windows: 3x3 stride 2 (a ResNet stem, and 19 inner windows a row),
  // stride 1 along rows (38 inner windows), and stride 3 (the scalar loop)
  pool(2, 3, 16, 16, [3, 3], [2, 2], [1, 1], false),
  pool(1, 2, 9, 40, [3, 3], [2, 2], [1, 1], false),
  pool(1, 2, 6, 40, [3, 2], [2, 1], [1, 0], false),
  pool(1, 2, 7, 30, [3, 3], [3, 3], [0, 0], false),
];

nativeTest('max, average and adaptive pooling match the reference', (be) => {
  const gen = new Gen(9);
  for (const g of POOLS) {
    const x = gen.ties(g.n * g.c * g.h * g.w, 7);
    if (x.length > 10) x[9] = NaN;
    const ySize = g.n * g.c * g.oh * g.ow;
    const gy = gen.f32(ySize);
    const what = `pool ${JSON.stringify(g)}`;
    compare(be, `${what} max`, EXACT, (b) => {
      const y = new Float32Array(ySize);
      const argmax = new Int32Array(ySize);
      b.maxPool2d({ x, y, argmax }, g);
      const gx = new Float32Array(x.length).fill(NaN); // overwritten
      b.maxPool2dBackward({ gy, argmax, gx }, g);
      return [y, argmax, gx];
    });
    // Several NaNs a window: within a row the first wins, a NaN in a later row takes over.
    const xn = x.map((v, i) => (i % 3 === 0 || i % 7 === 2 ? NaN : v));
    compare(be, `${what} max with NaNs`, EXACT, (b) => {
      const y = new Float32Array(ySize).fill(7);
      const argmax = new Int32Array(ySize).fill(-7);
      b.maxPool2d({ x: xn, y, argmax }, g);
      return [y, argmax];
    });
    compare(be, `${what} avg`, ROUNDED, (b) => {
      const y = new Float32Array(ySize);
      b.avgPool2d({ x, y }, g);
      const gx = new Float32Array(x.length);
      b.avgPool2dBackward({ gy, gx }, g);
      return [y, gx];
    });
  }
  for (const [n, c, h, w, oh, ow] of [
    [2, 3, 7, 9, 3, 4],
    [1, 2, 5, 5, 5, 5],
    [1, 2, 4, 6, 1, 1],
    [2, 2, 3, 3, 7, 5],
    [1, 1, 6, 6, 0, 2],
  ] as const) {
    const x = gen.f32(n * c * h * w);
    const gy = gen.f32(n * c * oh * ow);
    compare(be, `adaptiveAvgPool2d ${[n, c, h, w, oh, ow].join('x')}`, ROUNDED, (b) => {
      const y = new Float32Array(n * c * oh * ow);
      b.adaptiveAvgPool2d({ x, y }, { n, c, h, w, oh, ow });
      const gx = new Float32Array(x.length);
      b.adaptiveAvgPool2dBackward({ gy, gx }, { n, c, h, w, oh, ow });
      return [y, gx];
    });
  }
});

// ---------------------------------------------------------------- softmax, normalisation, optimisers

nativeTest('softmax, softmaxBackward and softmaxCrossEntropy match the reference', (be) => {
  const gen = new Gen(10);
  for (const [outer, dim, inner] of [
    [4, 10, 1],
    [3, 7, 5],
    [1, 1, 1],
    [2, 0, 3],
    [0, 5, 2],
    [5, 129, 1],
    [2, 17, 33],
    [600, 40, 1],
    [64, 128, 1], // attention rows (the vectorised contiguous path), some keys masked
    [6, 13, 1], // contiguous rows: special values in the eight max lanes and in the tail
    [3, 3, 1], // rows shorter than the lanes
  ] as const) {
    const size = outer * dim * inner;
    const x = gen.f32(size, -8, 8);
    if (size > 6) {
      x[2] = -Infinity;
      x[5] = 60;
    }
    if (dim === 128) {
      for (let k = 100; k < 128; k++) x[3 * 128 + k] = MASKED_SCORE; // a padded row
      x[7 * 128 + 9] = -90; // exp underflows to 0 in float
      x[8 * 128 + 1] = NaN; // a NaN row stays NaN
    }
    if (dim === 13) {
      x[0 * 13 + 12] = NaN; // in the tail after the eight lanes
      x[1 * 13 + 6] = NaN; // in a lane
      x[2 * 13 + 9] = Infinity; // the max, in the tail
      for (let k = 0; k < 13; k++) x[3 * 13 + k] = -Infinity; // an all -inf row
      for (let k = 0; k < 13; k++) x[4 * 13 + k] = k === 11 ? 1 : MASKED_SCORE; // one key left
    }
    const gy = gen.f32(size);
    for (const log of [false, true]) {
      const y = new Float32Array(size);
      jsBackend.softmax({ x, out: y }, { outer, dim, inner, log });
      compare(be, `softmax ${outer}x${dim}x${inner} log=${log}`, ROUNDED, (b) => {
        const out = new Float32Array(size);
        b.softmax({ x, out }, { outer, dim, inner, log });
        const gx = new Float32Array(size);
        b.softmaxBackward({ y, gy, gx }, { outer, dim, inner, log });
        return [out, gx];
      });
    }
  }
  const allNegInf = new Float32Array(3).fill(-Infinity);
  compare(be, 'softmax of an all -inf row', ROUNDED, (b) => {
    const out = new Float32Array(3);
    b.softmax({ x: allNegInf, out }, { outer: 1, dim: 3, inner: 1, log: false });
    return [out];
  });
  for (const [rows, classes] of [
    [8, 10],
    [5, 1],
    [0, 4],
    [33, 17],
    [3, 0],
  ] as const) {
    const logits = gen.f32(rows * classes, -5, 5);
    const targets = gen.i32(rows, 0, Math.max(classes, 1));
    if (rows > 2) targets[1] = -100;
    for (const smoothing of [0, 0.1]) {
      compare(be, `softmaxCrossEntropy ${rows}x${classes} smoothing ${smoothing}`, ROUNDED, (b) => {
        const loss = new Float32Array(rows).fill(NaN);
        const grad = new Float32Array(rows * classes).fill(NaN);
        const loss2 = new Float32Array(rows);
        b.softmaxCrossEntropy({ logits, targets, loss, grad }, { rows, classes, smoothing, ignoreIndex: -100 });
        b.softmaxCrossEntropy(
          { logits, targets, loss: loss2, grad: null },
          { rows, classes, smoothing, ignoreIndex: -100 },
        );
        return [loss, grad, loss2];
      });
    }
  }
});

nativeTest('layerNorm and batchNorm, forward and backward, match the reference', (be) => {
  const gen = new Gen(11);
  for (const [rows, cols] of [
    [4, 10],
    [1, 1],
    [0, 5],
    [7, 129],
    [300, 64],
    [5, 3], // rows shorter than the four summing lanes
    [9, 13],
    [40, 256], // a BERT-small width
  ] as const) {
    const x = gen.f32(rows * cols, -3, 3);
    const gamma = gen.f32(cols, 0.5, 1.5);
    const beta = gen.f32(cols);
    const gy = gen.f32(rows * cols);
    // affine (weight and bias), none, and a weight without a bias (LayerNorm({ bias: false }))
    for (const mode of ['affine', 'none', 'weight'] as const) {
      const ga = mode === 'none' ? null : gamma;
      const bt = mode === 'affine' ? beta : null;
      const mean = new Float32Array(rows);
      const rstd = new Float32Array(rows);
      jsBackend.layerNorm(
        { x, gamma: ga, beta: bt, y: new Float32Array(rows * cols), mean, rstd },
        { rows, cols, eps: 1e-5 },
      );
      compare(be, `layerNorm ${rows}x${cols} ${mode}`, SUMMED, (b) => {
        const y = new Float32Array(rows * cols);
        const m = new Float32Array(rows);
        const r = new Float32Array(rows);
        b.layerNorm({ x, gamma: ga, beta: bt, y, mean: m, rstd: r }, { rows, cols, eps: 1e-5 });
        const gx = new Float32Array(rows * cols);
        const gg = ga !== null ? new Float32Array(cols).fill(NaN) : null;
        const gb = bt !== null ? new Float32Array(cols).fill(NaN) : null;
        b.layerNormBackward({ gy, x, gamma: ga, mean, rstd, gx, ggamma: gg, gbeta: gb }, { rows, cols });
        return [y, m, r, gx, gg ?? [], gb ?? []];
      });
    }
  }
  for (const [n, c, s] of [
    [8, 3, 1],
    [4, 5, 9],
    [1, 2, 1],
    [2, 3, 0],
    [16, 4, 36],
    // runs of 8 values and more take the AVX-512 passes: whole vectors, and vectors and a tail
    [3, 5, 64],
    [2, 3, 8],
    [4, 2, 17],
  ] as const) {
    const x = gen.f32(n * c * s, -2, 2);
    const gamma = gen.f32(c, 0.5, 1.5);
    const beta = gen.f32(c);
    const gy = gen.f32(n * c * s);
    const rm0 = gen.f32(c);
    const rv0 = gen.f32(c, 0.5, 2);
    for (const training of [true, false]) {
      for (const affine of [true, false]) {
        compare(be, `batchNorm ${n}x${c}x${s} training=${training} affine=${affine}`, SUMMED, (b) => {
          const rm = rm0.slice();
          const rv = rv0.slice();
          const y = new Float32Array(n * c * s);
          const mean = new Float32Array(c);
          const rstd = new Float32Array(c);
          b.batchNorm(
            {
              x,
              gamma: affine ? gamma : null,
              beta: affine ? beta : null,
              runningMean: affine ? rm : null,
              runningVar: affine ? rv : null,
              y,
              mean,
              rstd,
            },
            { n, c, s, training, momentum: 0.1, eps: 1e-5 },
          );
          const gx = new Float32Array(n * c * s);
          const gg = new Float32Array(c).fill(NaN);
          const gb = new Float32Array(c).fill(NaN);
          b.batchNormBackward(
            { gy, x, gamma: affine ? gamma : null, mean, rstd, gx, ggamma: gg, gbeta: gb },
            { n, c, s, training },
          );
          return [y, mean, rstd, rm, rv, gx, gg, gb];
        });
      }
    }
  }
});

nativeTest('adamStep and sgdStep match the reference', (be) => {
  const gen = new Gen(12);
  for (const n of [0, 1, 17, 129, 40000]) {
    const p0 = gen.f32(n);
    const g = gen.f32(n);
    const m0 = gen.f32(n, -0.1, 0.1);
    const v0 = gen.f32(n, 0, 0.1);
    for (const decoupled of [false, true]) {
      compare(be, `adamStep n${n} decoupled=${decoupled}`, ROUNDED, (b) => {
        const p = p0.slice(),
          m = m0.slice(),
          v = v0.slice();
        for (let step = 1; step <= 3; step++) {
          b.adamStep(
            { p, g, m, v },
            { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled, step },
          );
        }
        return [p, m, v];
      });
    }
    for (const nesterov of [false, true]) {
      compare(be, `sgdStep n${n} nesterov=${nesterov}`, ROUNDED, (b) => {
        const p = p0.slice(),
          buf = m0.slice(),
          q = p0.slice();
        b.sgdStep(
          { p, g, buf },
          { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, nesterov, firstStep: true },
        );
        b.sgdStep(
          { p, g, buf },
          { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, nesterov, firstStep: false },
        );
        b.sgdStep(
          { p: q, g, buf: null },
          { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 1e-3, nesterov: false, firstStep: false },
        );
        return [p, buf, q];
      });
    }
  }
});

nativeTest('results do not depend on the GEMM micro-kernel beyond rounding', (_be, raw) => {
  // The same product on every kernel, compared with each other (not only with the reference).
  const gen = new Gen(13);
  const [m, n, k] = [67, 93, 131];
  const a = gen.f32(m * k);
  const b = gen.f32(k * n);
  const initial = raw.gemmKernel();
  const results: Float32Array[] = [];
  try {
    for (const kernel of raw.gemmKernels().split(',')) {
      raw.setGemmKernel(kernel);
      const out = new Float32Array(m * n);
      raw.matmul(
        { a, b, out },
        { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0, accumulate: false },
      );
      results.push(out);
    }
  } finally {
    raw.setGemmKernel(initial);
  }
  for (const r of results.slice(1)) assertArraysClose(r, results[0]!, gemmTol(k), 'kernel vs kernel');
});
