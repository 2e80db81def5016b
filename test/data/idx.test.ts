import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FormatError } from '../../src/core/errors.js';
import { parseIdx, readIdx } from '../../src/data/idx.js';
import { FASHION_MNIST_DIR } from '../../src/data/fashion-mnist.js';
import { fuzzParser } from '../io/fuzz.js';

const WRITERS: Record<number, [number, (v: DataView, at: number, x: number) => void]> = {
  0x08: [1, (v, at, x) => v.setUint8(at, x)],
  0x09: [1, (v, at, x) => v.setInt8(at, x)],
  0x0b: [2, (v, at, x) => v.setInt16(at, x, false)],
  0x0c: [4, (v, at, x) => v.setInt32(at, x, false)],
  0x0d: [4, (v, at, x) => v.setFloat32(at, x, false)],
  0x0e: [8, (v, at, x) => v.setFloat64(at, x, false)],
};

/** An IDX file as the format describes it: big-endian header and elements. */
function idx(code: number, shape: number[], values: number[]): Uint8Array {
  const [size, write] = WRITERS[code]!;
  const start = 4 + 4 * shape.length;
  const out = new Uint8Array(start + values.length * size);
  const view = new DataView(out.buffer);
  out.set([0, 0, code, shape.length]);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  values.forEach((x, i) => write(view, start + i * size, x));
  return out;
}

test('reads every element type, big-endian, with its shape', () => {
  const cases: Array<[number, string, number[], number[]]> = [
    [0x08, 'ubyte', [2, 3], [0, 1, 2, 128, 254, 255]],
    [0x09, 'byte', [3], [-128, 0, 127]],
    [0x0b, 'short', [2], [-300, 30000]],
    [0x0c, 'int', [1, 2], [-2147483648, 2147483647]],
    [0x0d, 'float', [2], [1.5, -0.25]],
    [0x0e, 'double', [2, 1, 1], [0.1, -1e300]],
  ];
  for (const [code, type, shape, values] of cases) {
    const got = parseIdx(idx(code, shape, values), 'x.idx');
    assert.equal(got.type, type);
    assert.deepEqual(got.shape, shape);
    assert.deepEqual(Array.from(got.data), values, type);
  }
});

test('gzip-compressed files are inflated; readIdx reads from disk', () => {
  const plain = idx(0x08, [2, 2], [1, 2, 3, 4]);
  assert.deepEqual(Array.from(parseIdx(gzipSync(plain)).data), [1, 2, 3, 4]);
  const dir = mkdtempSync(join(tmpdir(), 'polytask-idx-'));
  try {
    writeFileSync(join(dir, 'a-idx2-ubyte.gz'), gzipSync(plain));
    assert.deepEqual(readIdx(join(dir, 'a-idx2-ubyte.gz')).shape, [2, 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the real Fashion-MNIST files, when installed', (t) => {
  const labels = join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz');
  if (!existsSync(labels)) {
    t.skip(`${FASHION_MNIST_DIR} not installed (apt-get install dataset-fashion-mnist)`);
    return;
  }
  const lab = readIdx(labels);
  assert.equal(lab.type, 'ubyte');
  assert.deepEqual(lab.shape, [10000]);
  const img = readIdx(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
  assert.deepEqual(img.shape, [60000, 28, 28]);
  assert.equal(img.data.length, 60000 * 784);
});

test('bad files: each a FormatError naming the file and the field', () => {
  const good = idx(0x08, [2, 2], [1, 2, 3, 4]);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty', new Uint8Array(0), /0 bytes, shorter than the 4-byte IDX magic number/],
    ['3 bytes', Uint8Array.of(0, 0, 8), /3 bytes, shorter than the 4-byte/],
    [
      'wrong magic',
      Uint8Array.of(1, 0, 8, 1, 0, 0, 0, 0),
      /magic number must start with two zero bytes, got 0x01 0x00/,
    ],
    ['text file', new TextEncoder().encode('hello world'), /magic number must start with two zero bytes/],
    ['unknown type', Uint8Array.of(0, 0, 0x0a, 1, 0, 0, 0, 0), /magic number: unknown type code 0x0a/],
    ['no dimensions', Uint8Array.of(0, 0, 8, 0), /number of dimensions is 0/],
    ['truncated dimensions', good.slice(0, 9), /dimensions: 2 dimensions need 12 header bytes, file has 9/],
    [
      'truncated data',
      good.slice(0, good.length - 1),
      /data truncated: dimensions \[2,2\] of ubyte need 4 bytes, file has 3/,
    ],
    [
      'trailing data',
      Uint8Array.from([...good, 9]),
      /data has trailing bytes: dimensions \[2,2\] of ubyte need 4 bytes, file has 5/,
    ],
    [
      'huge dimensions',
      idx(0x0e, [65536, 65536, 65536], []),
      /data truncated: dimensions \[65536,65536,65536\] of double need/,
    ],
    ['corrupt gzip', Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6), /gzip data is corrupt or truncated/],
    ['truncated gzip', gzipSync(good).subarray(0, 15), /gzip data is corrupt or truncated/],
  ];
  for (const [label, bytes, pattern] of cases) {
    assert.throws(
      () => parseIdx(bytes, 'bad.idx'),
      (err: unknown) => {
        assert.ok(err instanceof FormatError, `${label}: ${String(err)}`);
        assert.match(err.message, /^bad\.idx: /, label);
        assert.match(err.message, pattern, label);
        return true;
      },
    );
  }
});

test('corrupted IDX files (plain and gzip) never escape as other errors', { timeout: 30_000 }, () => {
  const plain = idx(0x0b, [3, 2], [1, -2, 3, -4, 5, -6]);
  fuzzParser((b) => parseIdx(b, 'fuzz.idx'), [plain, gzipSync(plain), idx(0x0e, [2], [1, 2])], 300);
});
