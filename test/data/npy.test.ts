import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError } from '../../src/core/errors.js';
import { encodeNpy, openNpy, parseNpy, readNpy, writeNpy } from '../../src/data/npy.js';
import { tensor } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/index.js';
import { fuzzParser } from '../io/fuzz.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/npy/', import.meta.url));
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
  string,
  { shape: number[]; values: number[] }
>;
const PYTHON = '/usr/bin/python3';

/** An NPY v1.0 file with `header` as given (padding is the caller's business). */
function npy(header: string, data: ArrayLike<number> = [], version = [1, 0]): Uint8Array {
  const text = Buffer.from(header, 'latin1');
  const pre = version[0] === 1 ? 10 : 12;
  const out = new Uint8Array(pre + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0]!, version[1]!]);
  const view = new DataView(out.buffer);
  if (pre === 10) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, pre);
  out.set(Array.from(data), pre + text.length);
  return out;
}

test('reads the files NumPy wrote: every dtype, byte order, Fortran order and version', () => {
  assert.ok(Object.keys(expected).length >= 16);
  for (const [name, want] of Object.entries(expected)) {
    const t = readNpy(join(dir, name));
    assert.deepEqual(t.shape, want.shape, name);
    const isInt = /^(i|u|b)/.test(name);
    assert.equal(t.dtype, isInt ? 'int32' : 'float32', name);
    assert.deepEqual(
      Array.from(t.data),
      want.values.map((v) => (isInt ? v : Math.fround(v))),
      name,
    );
  }
});

test('openNpy: rows read lazily past the memory budget equal rows read whole, for every dtype NumPy wrote', () => {
  const tiny = { maxInflateBytes: 2 ** 20, memoryBudgetBytes: 1 };
  const roomy = { maxInflateBytes: 2 ** 20, memoryBudgetBytes: 2 ** 30 };
  let lazyFiles = 0;
  for (const [name, want] of Object.entries(expected)) {
    if (want.shape.length < 2 || want.shape[0] === 0) continue;
    const file = join(dir, name);
    const whole = openNpy(file, roomy);
    assert.equal(whole.lazy, false, name);
    const all = Array.from(readNpy(file).toFloat().data);
    assert.deepEqual(Array.from(whole.read()), all, name);
    if (name.includes('fortran')) {
      // a column-major file has no contiguous rows: past the budget it is refused, naming why
      assert.throws(() => openNpy(file, tiny), /Fortran-order NPY file \(rows not contiguous, so read whole\)/, name);
      continue;
    }
    const lazy = openNpy(file, { ...tiny, memoryBudgetBytes: 4 });
    assert.equal(lazy.lazy, true, name);
    assert.deepEqual(lazy.shape, want.shape, name);
    const rows = [want.shape[0]! - 1, 0];
    const size = lazy.rowSize;
    const picked = rows.flatMap((r) => all.slice(r * size, (r + 1) * size));
    const fits = openNpy(file, { ...tiny, memoryBudgetBytes: Math.max(8, rows.length * size * 4) });
    assert.equal(fits.lazy, true, name);
    const got = fits.read(rows);
    assert.deepEqual(Array.from(got), picked, name);
    assert.deepEqual(Array.from(whole.read(rows)), picked, name);
    assert.throws(() => fits.read([want.shape[0]!]), /row \d+ at position 0 is outside/, name);
    assert.throws(() => lazy.read(rows), /examples as float32 would take .* more than the memory budget/, name);
    lazyFiles++;
  }
  assert.ok(lazyFiles >= 3, `${lazyFiles} files read lazily`);
});

test('openNpy refuses a lazily read file whose size does not fit its header', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'polytask-npy-lazy-'));
  try {
    const bytes = encodeNpy(
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    writeFileSync(join(tmp, 'cut.npy'), bytes.subarray(0, bytes.length - 4));
    assert.throws(
      () => openNpy(join(tmp, 'cut.npy'), { maxInflateBytes: 1, memoryBudgetBytes: 16 }),
      /cut\.npy: data truncated: shape \(3, 2\) needs 24 bytes, file has 20/,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the writer produces the bytes numpy.save produces', () => {
  const cases: Array<[string, Tensor]> = [
    [
      'f4_2x3.npy',
      tensor([
        [0.5, -1.25, 3.0],
        [1e-3, 0.0, -7.5],
      ]),
    ],
    ['i4_5.npy', tensor(Int32Array.of(3, -1, 0, 2147483647, -2147483648), [5])],
    ['f4_scalar.npy', new Tensor(Float32Array.of(2.5), [])],
    ['f4_empty_0x3.npy', new Tensor(new Float32Array(0), [0, 3])],
  ];
  for (const [name, t] of cases) {
    assert.deepEqual(Buffer.from(encodeNpy(t)), readFileSync(join(dir, name)), name);
  }
});

test('writeNpy round-trips atomically, and NumPy reads what it wrote', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'polytask-npy-'));
  try {
    const p = join(tmp, 'x.npy');
    const x = tensor([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8.5],
      ],
    ]);
    writeNpy(p, x);
    assert.deepEqual(readdirSync(tmp), ['x.npy']);
    assert.deepEqual(readNpy(p).toArray(), x.toArray());
    if (spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0) {
      t.skip(`${PYTHON} with numpy is not available`);
      return;
    }
    const run = spawnSync(
      PYTHON,
      ['-c', 'import numpy as np, sys; a = np.load(sys.argv[1]); print(a.dtype, a.shape, a.reshape(-1).tolist())', p],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'float32 (2, 2, 2) [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.5]');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('bad files: each a FormatError naming the file and the field', () => {
  const h = (dict: string): string => `${dict}\n`;
  const f4 = [0, 0, 128, 63];
  const big = new Uint8Array(8);
  new DataView(big.buffer).setBigInt64(0, -(2n ** 40n), true);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty', new Uint8Array(0), /0 bytes, shorter than the 10-byte NPY preamble/],
    [
      'bad magic',
      new TextEncoder().encode('PK\x03\x04 this is a zip file'),
      /magic: file does not start with \\x93NUMPY/,
    ],
    ['version 4.0', npy('{}', [], [4, 0]), /version 4\.0 is not supported/],
    ['v2 too short', npy('', [], [2, 0]).subarray(0, 11), /shorter than the 12-byte NPY 2\.0 preamble/],
    [
      'header past the end',
      npy(h("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")).subarray(0, 30),
      /header length \d+ runs past the end of the file \(30 bytes\)/,
    ],
    ['header not a dict', npy(h('(1, 2)')), /header must be a dict, got a sequence of 2 items/],
    ['header garbage', npy(h('descr = f4')), /header: expected a literal at character 0/],
    ['unterminated string', npy(h("{'descr: 1}")), /header: unterminated string/],
    ['deep nesting', npy(h('('.repeat(100))), /header: nesting deeper than 32/],
    ['descr missing', npy(h("{'fortran_order': False, 'shape': (1,), }")), /header field descr is missing/],
    [
      'extra key',
      npy(h("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1, }"), f4),
      /header has unexpected field "x"/,
    ],
    [
      'structured dtype',
      npy(h("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"), f4),
      /header field descr must be a simple dtype such as '<f4', got a sequence of 1 items \(structured dtypes/,
    ],
    [
      'unicode dtype',
      npy(h("{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }"), f4),
      /header field descr: unsupported dtype '<U5'/,
    ],
    [
      'complex dtype',
      npy(h("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }"), f4),
      /unsupported dtype '<c8'/,
    ],
    [
      'fortran_order not bool',
      npy(h("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }"), f4),
      /header field fortran_order must be True or False, got 0/,
    ],
    [
      'negative dim',
      npy(h("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), f4),
      /header field shape must be a tuple of non-negative integers/,
    ],
    [
      'shape a string',
      npy(h("{'descr': '<f4', 'fortran_order': False, 'shape': '1', }"), f4),
      /header field shape must be a tuple of non-negative integers, got "1"/,
    ],
    [
      'truncated data',
      npy(h("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"), f4),
      /data truncated: shape \(2\) needs 8 bytes, file has 4/,
    ],
    [
      'trailing data',
      npy(h("{'descr': '<f4', 'fortran_order': False, 'shape': (), }"), [...f4, 0]),
      /data has trailing bytes: shape \(\) needs 4 bytes, file has 5/,
    ],
    [
      'int64 out of range',
      npy(h("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }"), big),
      /data: element 0 = -1099511627776 does not fit in int32/,
    ],
  ];
  for (const [label, bytes, pattern] of cases) {
    assert.throws(
      () => parseNpy(bytes, 'bad.npy'),
      (err: unknown) => {
        assert.ok(err instanceof FormatError, `${label}: ${String(err)}`);
        assert.match(err.message, /^bad\.npy: /, label);
        assert.match(err.message, pattern, label);
        return true;
      },
    );
  }
});

test('Python 2 headers (long integers) still parse', () => {
  const t = parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 1L), }\n", [0, 0, 128, 63]));
  assert.deepEqual(t.shape, [1, 1]);
});

test('corrupted NPY files never escape as other errors', { timeout: 30_000 }, () => {
  const samples = ['f4_2x3.npy', 'f8_fortran_3x4.npy', 'i8_4.npy', 'f4_v3.npy'].map(
    (n) => new Uint8Array(readFileSync(join(dir, n))),
  );
  fuzzParser((b) => parseNpy(b, 'fuzz.npy'), samples, 300);
});
