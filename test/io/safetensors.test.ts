import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError, ValueError } from '../../src/core/errors.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  readSafetensorsHeader,
  saveSafetensors,
} from '../../src/io/safetensors.js';
import { tensor } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/index.js';
import { plain } from '../helpers/plain.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string): string => join(root, 'test', 'fixtures', name);
const PYTHON = '/usr/bin/python3';

/** A file from a header given as text (padded like the reference writer) and raw data bytes. */
function file(header: string, data: ArrayLike<number> = [], headerLength?: number): Uint8Array {
  const json = Buffer.from(header, 'utf8');
  const n = headerLength ?? json.length;
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.set(Array.from(data), 8 + json.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

function expectFormatError(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes, 'bad.safetensors'),
    (err: unknown) => {
      assert.ok(err instanceof FormatError, `expected FormatError, got ${String(err)}`);
      assert.match(err.message, /^bad\.safetensors: /);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('round trip keeps names, dtypes, shapes, values and metadata', () => {
  const tensors = {
    'fc.weight': tensor([
      [1.5, -2],
      [3, 4.25],
      [0, -0],
    ]),
    'fc.bias': tensor([0.1, 0.2]),
    labels: tensor(Int32Array.of(-2147483648, 0, 2147483647), [3]),
    scalar: new Tensor(Float32Array.of(7), []),
    empty: new Tensor(new Float32Array(0), [0, 5]),
    __proto__: tensor([9]),
    'ünïcode ✓': tensor(Int32Array.of(1), [1]),
  };
  const metadata = { format: 'pt', epoch: '3', '10': 'numeric-looking key' };
  const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata));
  assert.deepEqual(Object.keys(decoded.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, t] of Object.entries(tensors)) {
    const got = decoded.tensors[name]!;
    assert.ok(Object.hasOwn(decoded.tensors, name), name);
    assert.equal(got.dtype, t.dtype, name);
    assert.deepEqual(got.shape, t.shape, name);
    assert.deepEqual(Array.from(got.data), Array.from(t.data), name);
  }
  assert.ok(Object.is(decoded.tensors['fc.weight']!.data[5], -0), 'negative zero survives');
  assert.deepEqual(plain(decoded.metadata), metadata);
});

test('matches the reference library byte for byte (its own test vectors)', () => {
  const dv = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
  const attn = new Tensor(Float32Array.of(0, 1, 2, 3, 4, 5), [1, 2, 3]);
  assert.equal(
    dv(encodeSafetensors({ 'attn.0': attn })),
    dv(file('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}', f32Bytes([0, 1, 2, 3, 4, 5]))),
  );
  assert.equal(dv(encodeSafetensors({})), dv(file('{}      ')));
  assert.equal(dv(encodeSafetensors({}, { framework: 'pt' })), dv(file('{"__metadata__":{"framework":"pt"}}     ')));
  const attn0 = new Tensor(Float32Array.of(0, 1, 2, 3, 4, 5), [1, 1, 2, 3]);
  assert.equal(
    dv(encodeSafetensors({ attn0 })),
    dv(file('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ', f32Bytes([0, 1, 2, 3, 4, 5]))),
  );
});

test('layout: F32 before I32, then names by UTF-8 bytes; header padded to 8', () => {
  const one = tensor([1]);
  const bytes = encodeSafetensors({
    b: one,
    a: tensor(Int32Array.of(1), [1]),
    '\u{1F600}': one,
    '\uE000': one,
    B: one,
  });
  const { entries, dataStart } = readHeaderOf(bytes);
  // U+E000 is EE 80 80 in UTF-8, U+1F600 is F0 9F 98 80: UTF-16 order would swap them.
  assert.deepEqual(entries, ['B', 'b', '\uE000', '\u{1F600}', 'a']);
  assert.equal(dataStart % 8, 0);
});

function readHeaderOf(bytes: Uint8Array): { entries: string[]; dataStart: number } {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-st-'));
  try {
    const p = join(dir, 'x.safetensors');
    writeFileSync(p, bytes);
    const h = readSafetensorsHeader(p);
    return { entries: h.entries.map((e) => e.name), dataStart: h.dataStart };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('saveSafetensors writes atomically; load and header read it back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-st-'));
  try {
    const p = join(dir, 'model.safetensors');
    saveSafetensors(
      p,
      {
        w: tensor([
          [1, 2],
          [3, 4],
        ]),
      },
      { step: '1' },
    );
    saveSafetensors(
      p,
      {
        w: tensor([
          [5, 6],
          [7, 8],
        ]),
      },
      { step: '2' },
    );
    assert.deepEqual(readdirSync(dir), ['model.safetensors'], 'no temp file left behind');
    assert.deepEqual(loadSafetensors(p).w!.toArray(), [
      [5, 6],
      [7, 8],
    ]);
    const h = readSafetensorsHeader(p);
    assert.deepEqual(plain(h.metadata), { step: '2' });
    assert.deepEqual(h.entries, [{ name: 'w', dtype: 'F32', shape: [2, 2], dataOffsets: [0, 16] }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reads the PyTorch-written fixture (F32, I64, F16, BF16, scalar, empty)', () => {
  const expected = JSON.parse(readFileSync(fixture('torch_small.json'), 'utf8')) as {
    metadata: Record<string, string>;
    tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
  };
  const path = fixture('torch_small.safetensors');
  const tensors = loadSafetensors(path);
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected.tensors).sort());
  for (const [name, want] of Object.entries(expected.tensors)) {
    const t = tensors[name]!;
    assert.deepEqual(t.shape, want.shape, name);
    assert.equal(t.dtype, want.dtype.startsWith('I') ? 'int32' : 'float32', name);
    // Every F16/BF16/F32 value is exactly a float32, so the comparison is exact.
    assert.deepEqual(
      Array.from(t.data),
      want.values.map((v) => (t.dtype === 'int32' ? v : Math.fround(v))),
      name,
    );
  }
  const header = readSafetensorsHeader(path);
  assert.deepEqual(plain(header.metadata), expected.metadata);
  assert.deepEqual(
    Object.fromEntries(header.entries.map((e) => [e.name, e.dtype])),
    Object.fromEntries(Object.entries(expected.tensors).map(([k, v]) => [k, v.dtype])),
  );
});

test('a file polytask writes loads in PyTorch, identical to the reference layout', (t) => {
  if (spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
    t.skip(`${PYTHON} with torch is not available (apt-get install python3-torch)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'polytask-st-'));
  try {
    const tensors = {
      'encoder.weight': tensor([
        [0.5, -1.5, 2],
        [1e-7, 3.25, -0],
      ]),
      'encoder.bias': tensor([1, 2, 3]),
      'head.classes': tensor(Int32Array.of(3, -1, 2147483647), [3]),
      scalar: new Tensor(Float32Array.of(-4), []),
    };
    const metadata = { format: 'pt', note: 'written by polytask' };
    const path = join(dir, 'polytask.safetensors');
    saveSafetensors(path, tensors, metadata);
    const expected = {
      metadata,
      tensors: Object.fromEntries(
        Object.entries(tensors).map(([k, v]) => [
          k,
          {
            dtype: v.dtype === 'int32' ? 'I32' : 'F32',
            shape: v.shape,
            values: Array.from(v.data),
          },
        ]),
      ),
    };
    writeFileSync(join(dir, 'expected.json'), JSON.stringify(expected));
    const run = spawnSync(
      PYTHON,
      [join(root, 'scripts', 'check_safetensors_in_torch.py'), path, join(dir, 'expected.json')],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^OK$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('integers that do not fit int32 are an error naming the tensor and the element', () => {
  const big = new Uint8Array(16);
  new DataView(big.buffer).setBigInt64(8, 2n ** 31n, true);
  expectFormatError(
    file('{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', big),
    /tensor "ids": element 1 = 2147483648 does not fit in int32/,
  );
  const u32 = new Uint8Array([0xff, 0xff, 0xff, 0xff]);
  expectFormatError(
    file('{"u":{"dtype":"U32","shape":[1],"data_offsets":[0,4]}}', u32),
    /tensor "u": element 0 = 4294967295/,
  );
});

test('other dtypes convert: F64 and BOOL, U8, I8, I16 to the engine types', () => {
  const f64 = new Uint8Array(Float64Array.of(0.1, -2).buffer);
  const bytes = file(
    '{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"m":{"dtype":"BOOL","shape":[3],"data_offsets":[16,19]},' +
      '"u":{"dtype":"U8","shape":[1],"data_offsets":[19,20]},"i":{"dtype":"I8","shape":[1],"data_offsets":[20,21]},' +
      '"s":{"dtype":"I16","shape":[1],"data_offsets":[21,23]}}',
    [...f64, 1, 0, 2, 200, 0xfe, 0x18, 0xfc],
  );
  const { tensors } = decodeSafetensors(bytes);
  assert.deepEqual(Array.from(tensors.d!.data), [Math.fround(0.1), -2]);
  assert.deepEqual(Array.from(tensors.m!.data), [1, 0, 1]);
  assert.deepEqual([tensors.u!.data[0], tensors.i!.data[0], tensors.s!.data[0]], [200, -2, -1000]);
  assert.equal(tensors.m!.dtype, 'int32');
});

test('bad files: each a FormatError naming the file and the field', () => {
  const ok = (name: string, extra = ''): string => `"${name}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]${extra}}`;
  const four = [0, 0, 128, 63];
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty file', new Uint8Array(0), /0 bytes, shorter than the 8-byte header length/],
    ['7 bytes', new Uint8Array(7), /7 bytes, shorter than the 8-byte/],
    ['header length past the end', file('{}', [], 100), /header length 100 runs past the end of the file/],
    ['header over 100 MB', file('{}', [], 100_000_001), /exceeds the 100000000-byte limit/],
    [
      'header length over 2^53',
      (() => {
        const b = file('{}');
        b[7] = 0xff;
        return b;
      })(),
      /header length 18374686479671623682 exceeds/,
    ],
    [
      'invalid UTF-8',
      (() => {
        const b = file('{"ab":1}');
        b[10] = 0xff;
        return b;
      })(),
      /header is not valid UTF-8/,
    ],
    ['invalid JSON', file('{"a":'), /header is not valid JSON/],
    ['NUL padding', file('{}\0\0\0\0\0\0'), /header is not valid JSON/],
    ['array header', file('[1,2]'), /header must be a JSON object, got \[1,2\]/],
    ['string header', file('"x"'), /header must be a JSON object, got "x"/],
    [
      'entry not an object',
      file('{"w":[1]}'),
      /tensor "w": expected an object with dtype, shape and data_offsets, got \[1\]/,
    ],
    ['dtype missing', file('{"w":{"shape":[1],"data_offsets":[0,4]}}', four), /tensor "w": dtype is missing/],
    [
      'dtype not a string',
      file('{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', four),
      /tensor "w": dtype must be a string, got 4/,
    ],
    [
      'unknown dtype',
      file('{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,4]}}', four),
      /tensor "w": unknown dtype "F128" \(expected one of BOOL/,
    ],
    [
      'unsupported dtype',
      file('{"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}', four),
      /tensor "w": dtype F8_E4M3 is not supported \(polytask reads/,
    ],
    ['shape missing', file('{"w":{"dtype":"F32","data_offsets":[0,4]}}', four), /tensor "w": shape is missing/],
    [
      'negative dim',
      file('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', four),
      /tensor "w": shape must be an array of non-negative integers, got \[-1\]/,
    ],
    [
      'fractional dim',
      file('{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', four),
      /shape must be an array of non-negative integers, got \[1.5\]/,
    ],
    ['shape not array', file('{"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}', four), /shape must be an array/],
    ['offsets missing', file('{"w":{"dtype":"F32","shape":[1]}}', four), /tensor "w": data_offsets is missing/],
    [
      'offsets of 3',
      file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}', four),
      /data_offsets must be \[begin, end\]/,
    ],
    [
      'negative offset',
      file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}', four),
      /data_offsets must be \[begin, end\] with non-negative integers/,
    ],
    [
      'begin > end',
      file('{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}', four),
      /tensor "w": data_offsets \[4,0\] has begin > end/,
    ],
    [
      'offsets past the end',
      file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', four),
      /data_offsets \[0,8\] run past the end of the data buffer \(4 bytes\)/,
    ],
    [
      'size mismatch',
      file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', four),
      /tensor "w": 4 bytes of data but shape \[2\] of F32 needs 8/,
    ],
    [
      'gap at start',
      file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', [...four, ...four]),
      /tensor "w": data_offsets \[4,8\] leave a gap of 4 bytes \(the start of the data buffer at 0\)/,
    ],
    [
      'gap between',
      file(`{${ok('a')},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, [...four, ...four, ...four]),
      /tensor "b": .* leave a gap of 4 bytes \(tensor "a" ends at 4\)/,
    ],
    [
      'overlap',
      file(`{${ok('a')},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four),
      /overlap the previous tensor/,
    ],
    ['trailing bytes', file(`{${ok('a')}}`, [...four, 1, 2]), /2 bytes after the last tensor are not covered/],
    ['metadata not object', file('{"__metadata__":"x"}'), /__metadata__ must be an object of strings, got "x"/],
    ['metadata value not string', file('{"__metadata__":{"epoch":3}}'), /__metadata__\.epoch must be a string, got 3/],
  ];
  for (const [label, bytes, pattern] of cases) {
    try {
      expectFormatError(bytes, pattern);
    } catch (err) {
      throw new Error(`case "${label}": ${(err as Error).message}`, { cause: err });
    }
  }
});

test('the writer rejects what the format cannot hold', () => {
  assert.throws(() => encodeSafetensors({ __metadata__: tensor([1]) }), ValueError);
  assert.throws(
    () => encodeSafetensors({ w: tensor([1]) }, { epoch: 3 as unknown as string }),
    /metadata\.epoch must be a string/,
  );
  assert.throws(() => encodeSafetensors({ w: [1, 2] as unknown as Tensor }), /tensor "w": expected a Tensor/);
});

test('a missing file is the file system error, naming the path', () => {
  assert.throws(() => loadSafetensors('/nonexistent/x.safetensors'), /ENOENT.*\/nonexistent\/x\.safetensors/);
});
