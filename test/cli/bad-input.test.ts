/**
 * The bad-input corpus, end to end through the `polytask` command: configs with wrong types,
 * unknown keys or missing fields; IDX, NPY and CSV files that are corrupt, truncated, ragged or
 * mis-sized; labels out of range; checkpoints whose safetensors are damaged or whose shapes do not
 * fit the model. Every case must end the same way: a non-zero exit (not a signal, not a native
 * crash), within a time limit (no hang), one line on stderr naming the file or field, no stack
 * trace, nothing on stdout, and no partial output (no new run directory, no `--output` file, no
 * stray temporary file). To add a case, add a row to one of the tables.
 *
 * @example
 * node scripts/run-tests.mjs dist/test/cli/bad-input.test.js
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sizeOf } from '../../src/core/shape.js';
import { encodeNpy } from '../../src/data/index.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { Tensor } from '../../src/tensor/index.js';
import { manifestEntry, type Manifest } from '../../src/train/index.js';
import { polytask, withTempDir, type Ran } from './helpers.js';
import { watchdog } from './hostile-helpers.js';

/**
 * Most CPU time a failing command may use (the child's own, so a loaded machine does not count):
 * failing on bad input is fast; a spin is a failure. A hang that sleeps is caught by the wall-clock
 * ceiling, set far above what any case takes on a loaded machine.
 */
const HANG_CPU_MS = 20_000;
const HANG_WALL_MS = 180_000;

interface Outcome extends Ran {
  signal: NodeJS.Signals | null;
  ms: number;
  hung: boolean;
}

/** Runs the CLI with a watchdog that kills it (and records the hang) past HANG_CPU_MS of CPU or HANG_WALL_MS. */
async function run(args: readonly string[], runsDir: string): Promise<Outcome> {
  let stopWatch: (() => void) | undefined;
  let hung = false;
  let signal: NodeJS.Signals | null = null;
  const started = Date.now();
  const r = await polytask(args, {
    runsDir,
    onSpawn: (child) => {
      stopWatch = watchdog(child, { cpuMs: HANG_CPU_MS, wallMs: HANG_WALL_MS }, () => {
        hung = true;
      });
      child.on('exit', (_code, s) => {
        signal = s;
      });
    },
  });
  stopWatch?.();
  return { ...r, signal, ms: Date.now() - started, hung };
}

/** Every file under `dir`, relative, sorted (empty when it does not exist). */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

/** The run directories of a runs root (the index and its WAL files are not runs). */
const runDirs = (root: string): string[] =>
  existsSync(root)
    ? readdirSync(root)
        .filter((n) => !n.startsWith('index.sqlite'))
        .sort()
    : [];

/** stderr without Node's own process warnings. */
function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('(node:') && !l.startsWith('(Use `node --trace-warnings'));
}

/** The failure contract for bad input. */
function assertCleanFailure(name: string, r: Outcome, pattern: RegExp, code?: number): void {
  const ctx = `${name}: exit ${r.code}, signal ${r.signal}, ${r.ms} ms, stderr:\n${r.stderr}`;
  assert.equal(r.hung, false, `${ctx}\n(killed after ${HANG_CPU_MS} ms of CPU or ${HANG_WALL_MS} ms: a hang)`);
  assert.equal(r.signal, null, `${ctx}\n(ended by a signal: a crash)`);
  assert.ok(r.code === 1 || r.code === 2, `${ctx}\n(expected exit 1 or 2)`);
  if (code !== undefined) assert.equal(r.code, code, ctx);
  assert.equal(r.stdout, '', `${ctx}\nstdout:\n${r.stdout}`);
  const lines = errorLines(r.stderr);
  assert.equal(lines.length, 1, `${ctx}\n(expected exactly one line on stderr)`);
  const line = lines[0]!;
  assert.match(line, /^polytask: \S/, ctx);
  assert.doesNotMatch(
    line,
    /\bat \S+ \(|\.js:\d+:\d+|node:internal|FATAL|Aborted|Segmentation/,
    `${ctx}\n(a stack trace or crash)`,
  );
  assert.match(line, pattern, ctx);
}

/** Runs `cases` two at a time (two cores) and returns their outcomes in order. */
async function runAll<C>(cases: readonly C[], fn: (c: C) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) await fn(cases[next++]!);
  };
  await Promise.all([worker(), worker()]);
}

// ---- file builders -------------------------------------------------------------------------

/** An IDX file: magic (two zero bytes, type code, ndim), big-endian uint32 dimensions, data. */
function idx(
  dims: number[],
  data: ArrayLike<number>,
  o: { type?: number; magic?: number[]; bytesPer?: number } = {},
): Uint8Array {
  const type = o.type ?? 0x08;
  const per = o.bytesPer ?? (type === 0x0c ? 4 : 1);
  const out = new Uint8Array(4 + 4 * dims.length + data.length * per);
  const view = new DataView(out.buffer);
  out.set(o.magic ?? [0, 0, type, dims.length], 0);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const start = 4 + 4 * dims.length;
  for (let i = 0; i < data.length; i++) {
    if (per === 4) view.setInt32(start + 4 * i, data[i]!, false);
    else out[start + i] = data[i]!;
  }
  return out;
}

/** An NPY 1.0 file with the given descr and shape (data as raw bytes), header padded as numpy does. */
function npy(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}

const f32 = (values: ArrayLike<number>): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

/** A safetensors file from a header object and raw data bytes. */
function safetensors(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A copy of `bytes` whose 8-byte header length field says `n`. */
function withHeaderLength(bytes: Uint8Array, n: bigint): Uint8Array {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

/** The header and data of a safetensors file. */
function splitSafetensors(bytes: Uint8Array): {
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  data: Uint8Array;
} {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')), data: bytes.subarray(8 + n) };
}

// ---- the tiny data set and run every case starts from -----------------------------------------

const N = 60;
const D = 4;
/** 60 examples of 4 features in 3 classes. */
const goodFeatures = (): Uint8Array =>
  encodeNpy(
    new Tensor(
      Float32Array.from({ length: N * D }, (_, i) => ((i * 7) % 13) / 13 + (Math.floor(i / D) % 3)),
      [N, D],
    ),
  );
const labelValues = (): number[] => Array.from({ length: N }, (_, i) => i % 3);
const goodLabels = (): Uint8Array => encodeNpy(new Tensor(Int32Array.from(labelValues()), [N]));
const labelsWith = (bad: number, dtype: 'i4' | 'f4' = 'i4'): Uint8Array => {
  const v = labelValues();
  v[7] = bad;
  return dtype === 'i4' ? npy('<i4', [N], new Uint8Array(Int32Array.from(v).buffer)) : npy('<f4', [N], f32(v));
};
const csvRows = (rows: string[]): string => `a,b,y\n${rows.join('\n')}\n`;
const goodCsvRows = (): string[] => Array.from({ length: 30 }, (_, i) => `${i % 5},${(i * 3) % 7},${i % 3}`);
const csvWith = (row: number, text: string): string => {
  const rows = goodCsvRows();
  rows[row] = text;
  return csvRows(rows);
};
const IMG = 10;
const goodImages = (): Uint8Array =>
  idx(
    [IMG, 2, 2],
    Array.from({ length: IMG * 4 }, (_, i) => (i * 37) % 256),
  );
const goodIdxLabels = (): Uint8Array =>
  idx(
    [IMG],
    Array.from({ length: IMG }, (_, i) => i % 2),
  );

interface DataCase {
  name: string;
  /** Files to write into the case's directory. */
  files: Record<string, Uint8Array | string>;
  /** The data flags; `$` stands for the case's directory. */
  args: string[];
  /** What the one line must say (it names the file or field). */
  pattern: RegExp;
}

const npyArgs = (features = 'x.npy', labels = 'y.npy'): string[] => [
  '--data',
  'npy',
  '--set',
  `data.features=$/${features}`,
  '--set',
  `data.labels=$/${labels}`,
];
const idxArgs = ['--data', 'idx', '--set', 'data.images=$/img.idx', '--set', 'data.labels=$/lab.idx'];
const csvArgs = ['--data', 'csv', '--set', 'data.file=$/t.csv', '--set', 'data.label=y'];

const DATA_CASES: DataCase[] = [
  // IDX
  {
    name: 'idx: wrong magic',
    files: {
      'img.idx': idx([IMG, 2, 2], new Array(IMG * 4).fill(0), { magic: [1, 2, 8, 3] }),
      'lab.idx': goodIdxLabels(),
    },
    args: idxArgs,
    pattern: /img\.idx: magic number must start with two zero bytes/,
  },
  {
    name: 'idx: unknown type code',
    files: {
      'img.idx': idx([IMG, 2, 2], new Array(IMG * 4).fill(0), { magic: [0, 0, 0x07, 3] }),
      'lab.idx': goodIdxLabels(),
    },
    args: idxArgs,
    pattern: /img\.idx: magic number: unknown type code 0x07/,
  },
  {
    name: 'idx: truncated data',
    files: { 'img.idx': goodImages().subarray(0, 16 + 25), 'lab.idx': goodIdxLabels() },
    args: idxArgs,
    pattern: /img\.idx: data .*need 40 bytes, file has 25/,
  },
  {
    name: 'idx: truncated dimensions',
    files: { 'img.idx': goodImages().subarray(0, 9), 'lab.idx': goodIdxLabels() },
    args: idxArgs,
    pattern: /img\.idx: dimensions: 3 dimensions need 16 header bytes, file has 9/,
  },
  {
    name: 'idx: empty file',
    files: { 'img.idx': new Uint8Array(0), 'lab.idx': goodIdxLabels() },
    args: idxArgs,
    pattern: /img\.idx: file is 0 bytes/,
  },
  {
    name: 'idx: label count does not match the images',
    files: { 'img.idx': goodImages(), 'lab.idx': idx([IMG - 1], new Array(IMG - 1).fill(0)) },
    args: idxArgs,
    pattern: /lab\.idx: expected 10 labels of shape \[N\], got \[9\]/,
  },
  {
    name: 'idx: images that are not [N, H, W]',
    files: { 'img.idx': idx([IMG, 4], new Array(IMG * 4).fill(0)), 'lab.idx': goodIdxLabels() },
    args: idxArgs,
    pattern: /img\.idx: expected IDX images of shape \[N, height, width\], got \[10,4\]/,
  },
  {
    name: 'idx: label out of range',
    files: {
      'img.idx': goodImages(),
      'lab.idx': idx([IMG], [0, 1, 0, 1, 2_000_000_000, 1, 0, 1, 0, 1], { type: 0x0c }),
    },
    args: idxArgs,
    pattern: /lab\.idx: label 2000000000 of example 4 is not a class index/,
  },
  {
    name: 'idx: missing file',
    files: { 'lab.idx': goodIdxLabels() },
    args: idxArgs,
    pattern: /idx-missing-file\/img\.idx/,
  },
  // NPY
  {
    name: 'npy: unsupported dtype',
    files: { 'x.npy': npy('<c8', [N, D], new Uint8Array(N * D * 8)), 'y.npy': goodLabels() },
    args: npyArgs(),
    pattern: /x\.npy: header field descr: unsupported dtype '<c8'/,
  },
  {
    name: 'npy: truncated data',
    files: { 'x.npy': goodFeatures().subarray(0, 128 + 100), 'y.npy': goodLabels() },
    args: npyArgs(),
    pattern: /x\.npy: data .*needs 960 bytes, file has 100/,
  },
  {
    name: 'npy: truncated header',
    files: { 'x.npy': goodFeatures().subarray(0, 40), 'y.npy': goodLabels() },
    args: npyArgs(),
    pattern: /x\.npy: header length \d+ runs past the end of the file \(40 bytes\)/,
  },
  {
    name: 'npy: wrong magic',
    files: { 'x.npy': 'a,b,c,d\n1,2,3,4\n', 'y.npy': goodLabels() },
    args: npyArgs(),
    pattern: /x\.npy: magic: file does not start with \\x93NUMPY/,
  },
  {
    name: 'npy: label count does not match the features',
    files: {
      'x.npy': goodFeatures(),
      'y.npy': encodeNpy(new Tensor(Int32Array.from(labelValues().slice(1)), [N - 1])),
    },
    args: npyArgs(),
    pattern: /y\.npy: expected 60 integer labels of shape \[N\], got \[59\]/,
  },
  {
    name: 'npy: features without an example axis',
    files: { 'x.npy': encodeNpy(new Tensor(new Float32Array(N), [N])), 'y.npy': goodLabels() },
    args: npyArgs(),
    pattern: /x\.npy: expected features of shape \[N, \.\.\.\], got \[60\]/,
  },
  {
    name: 'npy: negative label',
    files: { 'x.npy': goodFeatures(), 'y.npy': labelsWith(-1) },
    args: npyArgs(),
    pattern: /y\.npy: label -1 of example 7 is not a class index/,
  },
  {
    name: 'npy: label out of range',
    files: { 'x.npy': goodFeatures(), 'y.npy': labelsWith(1_000_000_000) },
    args: npyArgs(),
    pattern: /y\.npy: label 1000000000 of example 7 is not a class index/,
  },
  {
    name: 'npy: fractional label',
    files: { 'x.npy': goodFeatures(), 'y.npy': labelsWith(1.5, 'f4') },
    args: npyArgs(),
    pattern: /y\.npy: label 1\.5 of example 7 is not a class index/,
  },
  {
    name: 'npy: NaN label',
    files: { 'x.npy': goodFeatures(), 'y.npy': labelsWith(NaN, 'f4') },
    args: npyArgs(),
    pattern: /y\.npy: label NaN of example 7 is not a class index/,
  },
  // CSV
  {
    name: 'csv: ragged row',
    files: { 't.csv': csvWith(3, '1,2') },
    args: csvArgs,
    pattern: /t\.csv: row 4 \(line 5\) has 2 fields, the header has 3/,
  },
  {
    name: 'csv: long row',
    files: { 't.csv': csvWith(3, '1,2,0,9') },
    args: csvArgs,
    pattern: /t\.csv: row 4 \(line 5\) has 4 fields, the header has 3/,
  },
  {
    name: 'csv: non-numeric cell',
    files: { 't.csv': csvWith(5, '1,oops,0') },
    args: csvArgs,
    pattern: /t\.csv: row 6 \(line 7\), column "b" holds text \("oops"\); feature columns must be numbers/,
  },
  {
    name: 'csv: empty cell',
    files: { 't.csv': csvWith(5, '1,,0') },
    args: csvArgs,
    pattern: /t\.csv: row 6 \(line 7\), column "b": empty cell/,
  },
  { name: 'csv: empty file', files: { 't.csv': '' }, args: csvArgs, pattern: /t\.csv: file is empty/ },
  {
    name: 'csv: duplicate column',
    files: { 't.csv': 'a,a,y\n1,2,0\n3,4,1\n' },
    args: csvArgs,
    pattern: /t\.csv: header: column name "a" appears twice/,
  },
  {
    name: 'csv: no label column',
    files: { 't.csv': 'a,b,c\n1,2,0\n3,4,1\n' },
    args: csvArgs,
    pattern: /t\.csv: no label column "y"/,
  },
  {
    name: 'csv: negative label',
    files: { 't.csv': csvWith(4, '1,2,-1') },
    args: csvArgs,
    pattern: /t\.csv: row 5 \(line 6\), column "y": label -1 is not a class index/,
  },
  {
    name: 'csv: fractional label',
    files: { 't.csv': csvWith(4, '1,2,2.5') },
    args: csvArgs,
    pattern: /t\.csv: row 5 \(line 6\), column "y": label 2\.5 is not a class index/,
  },
  {
    name: 'csv: label out of range',
    files: { 't.csv': csvWith(4, '1,2,1e9') },
    args: csvArgs,
    pattern: /t\.csv: row 5 \(line 6\), column "y": label 1e9 is not a class index/,
  },
  // tables and the checks before training (issue #12)
  {
    name: 'table: label outside numClasses',
    files: { 't.csv': csvRows(goodCsvRows()) },
    args: [...csvArgs, '--set', 'data.numClasses=2'],
    pattern: /t\.csv: row 3 \(line 4\), column "y": label 2 is outside the declared classes 0\.\.1 \(numClasses: 2\)$/,
  },
  {
    name: 'table: label outside classNames',
    files: { 't.tsv': 'a\tb\tkind\n1\t2\tcat\n3\t4\tdog\n5\t6\tcow\n' },
    args: [
      '--data',
      'table',
      '--set',
      'data.file=$/t.tsv',
      '--set',
      'data.label=kind',
      '--set',
      'data.classNames=[cat,dog]',
    ],
    pattern: /t\.tsv: row 3 \(line 4\), column "kind": label "cow" is not one of the declared classes \(cat, dog\)$/,
  },
  {
    name: 'table: declared class without a training example',
    files: { 't.csv': csvRows(goodCsvRows()) },
    args: [...csvArgs, '--set', 'data.numClasses=4'],
    pattern: /t\.csv: class 3 has no training example/,
  },
  {
    name: 'table: test class never seen in training',
    files: {
      't.csv': csvRows(goodCsvRows().map((r) => r.replace(/,2$/, ',1'))),
      'test.csv': csvRows(['1,2,0', '3,4,2']),
    },
    args: [...csvArgs, '--set', 'data.testFile=$/test.csv'],
    pattern: /test\.csv: row 2 \(line 3\), column "y": label 2 is outside the classes of \S*t\.csv 0\.\.1$/,
  },
  {
    name: 'table: NaN feature',
    files: { 't.csv': csvWith(5, '1,nan,0') },
    args: csvArgs,
    pattern: /t\.csv: row 6 \(line 7\), column "b": nan is not a finite number/,
  },
  {
    name: 'table: Inf feature in JSON lines',
    files: {
      't.jsonl': `${goodCsvRows()
        .map((r, i) => {
          const [a, b, y] = r.split(',');
          // JSON.stringify would write Infinity as null: the number too large for a double is written out
          return `{"a": ${i === 4 ? '1e400' : a}, "b": ${b}, "y": ${y}}`;
        })
        .join('\n')}\n`,
    },
    args: ['--data', 'table', '--set', 'data.file=$/t.jsonl', '--set', 'data.label=y'],
    pattern: /t\.jsonl: row 5 \(line 5\), column "a": Infinity is not a finite number/,
  },
  {
    name: 'table: labels mixing numbers and names',
    files: { 't.csv': csvWith(6, '1,2,cat') },
    args: csvArgs,
    pattern: /t\.csv: column "y" mixes class numbers \(row 1: 0\) and class names \(row 7: "cat"\)/,
  },
  {
    name: 'npy: NaN feature (checked before training)',
    files: {
      'x.npy': encodeNpy(
        new Tensor(
          Float32Array.from({ length: N * D }, (_, i) => (i === 7 * D + 2 ? NaN : i % 5)),
          [N, D],
        ),
      ),
      'y.npy': goodLabels(),
    },
    args: npyArgs(),
    pattern: /x\.npy: example 7, feature 2: NaN \(features must be finite numbers\)/,
  },
  {
    name: 'npy: test class never seen in training',
    files: {
      'x.npy': goodFeatures(),
      'y.npy': goodLabels(),
      'tx.npy': encodeNpy(
        new Tensor(
          Float32Array.from({ length: 4 * D }, (_, i) => i),
          [4, D],
        ),
      ),
      'ty.npy': encodeNpy(new Tensor(Int32Array.of(0, 1, 5, 2), [4])),
    },
    args: [...npyArgs(), '--set', 'data.testFeatures=$/tx.npy', '--set', 'data.testLabels=$/ty.npy'],
    pattern: /x\.npy: test example 2 is of class 5, which has no training example/,
  },
];

interface ConfigCase {
  name: string;
  /** The config file's name and text; `$` stands for the case's directory. */
  file: string;
  text: string;
  pattern: RegExp;
}

const CONFIG_CASES: ConfigCase[] = [
  {
    name: 'config: wrong type',
    file: 'type.yaml',
    text: 'training:\n  batchSize: big\n',
    pattern: /type\.yaml: training\.batchSize: found "big" \(a string\), expected an integer$/,
  },
  {
    name: 'config: wrong type in a list',
    file: 'list.yaml',
    text: 'model:\n  hidden: [8, eight]\n',
    pattern: /list\.yaml: model\.hidden\[1\]: found "eight" \(a string\), expected a number$/,
  },
  {
    name: 'config: wrong type of a section',
    file: 'section.json',
    text: '{ "optimizer": 0.01 }',
    pattern: /section\.json: optimizer: found 0\.01/,
  },
  {
    name: 'config: unknown key',
    file: 'unknown.yaml',
    text: 'data:\n  source: npy\n  features: $/x.npy\n  labels: $/y.npy\n  labelz: 3\n',
    pattern: /unknown\.yaml: data: unknown key "labelz"/,
  },
  {
    name: 'config: unknown top-level key',
    file: 'top.yaml',
    text: 'trainig:\n  epochs: 1\n',
    pattern: /top\.yaml: .*unknown key "trainig"/,
  },
  {
    name: 'config: unknown data source',
    file: 'source.yaml',
    text: 'data:\n  source: parquet\n  file: $/t.parquet\n',
    pattern: /source\.yaml: data\.source: found "parquet"/,
  },
  {
    name: 'config: missing field',
    file: 'missing.yaml',
    text: 'data:\n  source: csv\n  file: $/t.csv\n',
    pattern: /missing\.yaml: data\.label: missing/,
  },
  {
    name: 'config: missing labels',
    file: 'missing-npy.json',
    text: '{ "data": { "source": "npy", "features": "$/x.npy" } }',
    pattern: /missing-npy\.json: data\.labels: missing/,
  },
];

test(
  'bad data files and configs through `polytask train`: one line, exit 1 or 2, no run directory',
  // ~70 CLI starts, two at a time: minutes on a busy machine; each case has its own CPU-time watchdog
  { timeout: 1_200_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const common = ['--epochs', '1', '--no-report', '-q'];
      await runAll(DATA_CASES, async (c) => {
        const caseDir = join(dir, c.name.replace(/[^a-z0-9]+/gi, '-'));
        mkdirSync(caseDir);
        for (const [file, content] of Object.entries(c.files)) writeFileSync(join(caseDir, file), content);
        const before = tree(caseDir);
        const r = await run(['train', ...c.args.map((a) => a.replaceAll('$', caseDir)), ...common], runsDir);
        assertCleanFailure(c.name, r, c.pattern);
        assert.deepEqual(tree(caseDir), before, `${c.name}: files appeared beside the input`);
      });
      await runAll(CONFIG_CASES, async (c) => {
        const caseDir = join(dir, c.name.replace(/[^a-z0-9]+/gi, '-'));
        mkdirSync(caseDir);
        writeFileSync(join(caseDir, 'x.npy'), goodFeatures());
        writeFileSync(join(caseDir, 'y.npy'), goodLabels());
        writeFileSync(join(caseDir, c.file), c.text.replaceAll('$', caseDir));
        assertCleanFailure(c.name, await run(['train', '-c', join(caseDir, c.file), ...common], runsDir), c.pattern, 2);
      });
      assert.deepEqual(runDirs(runsDir), [], 'no run directory is started for bad input');
    }),
);

// ---- checkpoints -------------------------------------------------------------------------------

interface CheckpointCase {
  name: string;
  /** The new model.safetensors from the good one (null: leave it, and let `edit` do the damage). */
  model: ((good: Uint8Array) => Uint8Array) | null;
  /** Whether the manifest is updated to the new file (else the manifest check catches it). */
  manifest?: boolean;
  /** Any other change to the checkpoint directory. */
  edit?: (ckpt: string) => void;
  pattern: RegExp;
}

/** A small safetensors file of two 2×2 float tensors with the given second tensor's entry. */
const twoTensors = (second: Record<string, unknown>, data = new Uint8Array(32)): Uint8Array =>
  safetensors({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: second }, data);

const CHECKPOINT_CASES: CheckpointCase[] = [
  {
    name: 'damaged (manifest check)',
    model: (g) => {
      const b = Uint8Array.from(g);
      b[b.length - 1]! ^= 0xff;
      return b;
    },
    manifest: false,
    pattern: /model\.safetensors is damaged/,
  },
  {
    name: 'truncated',
    model: (g) => g.subarray(0, g.length - 100),
    pattern: /model\.safetensors: .*(past the end|bytes)/,
  },
  {
    name: 'shorter than the length field',
    model: (g) => g.subarray(0, 5),
    pattern: /model\.safetensors: file is 5 bytes, shorter than the 8-byte header length field/,
  },
  {
    name: 'header length past the end',
    model: (g) => withHeaderLength(g, BigInt(g.length)),
    pattern: /model\.safetensors: header length \d+ runs past the end of the file/,
  },
  {
    name: 'header over 100 MB',
    model: (g) => withHeaderLength(g, 200_000_000n),
    pattern: /model\.safetensors: header length 200000000 exceeds the 100000000-byte limit/,
  },
  {
    name: 'header not JSON',
    model: () => withHeaderLength(new Uint8Array([...new Uint8Array(8), ...Buffer.from('{"a": ')]), 6n),
    pattern: /model\.safetensors: header is not valid JSON/,
  },
  {
    name: 'offsets out of range',
    model: () => twoTensors({ dtype: 'F32', shape: [2, 2], data_offsets: [16, 48] }),
    pattern: /model\.safetensors: tensor "b": data_offsets \[16,48\] run past the end of the data buffer \(32 bytes\)/,
  },
  {
    name: 'offsets overlapping',
    model: () => twoTensors({ dtype: 'F32', shape: [2, 2], data_offsets: [8, 24] }),
    pattern: /model\.safetensors: tensor "b": data_offsets \[8,24\] overlap the previous tensor/,
  },
  {
    name: 'unknown dtype',
    model: () => twoTensors({ dtype: 'Q7', shape: [2, 2], data_offsets: [16, 32] }),
    pattern: /model\.safetensors: tensor "b": unknown dtype "Q7"/,
  },
  {
    name: 'shapes that do not fit the model',
    model: (g) => {
      const { header, data } = splitSafetensors(g);
      const tensors: Record<string, Tensor> = {};
      for (const [name, e] of Object.entries(header)) {
        if (name === '__metadata__') continue;
        const n = sizeOf(e.shape);
        tensors[name] = new Tensor(
          new Float32Array(
            data.buffer.slice(data.byteOffset + e.data_offsets[0], data.byteOffset + e.data_offsets[0] + 4 * n),
          ),
          e.shape,
        );
      }
      const first = Object.keys(tensors).sort()[0]!;
      const s = tensors[first]!.shape;
      tensors[first] = new Tensor(
        new Float32Array((s[0]! + 1) * (s[1] ?? 1)),
        s.length === 1 ? [s[0]! + 1] : [s[0]! + 1, ...s.slice(1)],
      );
      return encodeSafetensors(tensors);
    },
    pattern:
      /checkpoint \S+: model\.safetensors does not fit the model metadata\.json describes: .*shape mismatch \(heads\.class\.bias: expected \[3\], got \[4\]\)/,
  },
  {
    name: 'no tensors',
    model: () => encodeSafetensors({}),
    pattern: /checkpoint \S+: model\.safetensors does not fit the model metadata\.json describes: .*4 missing keys/,
  },
  {
    name: 'manifest removed',
    model: null,
    edit: (ckpt) => rmSync(join(ckpt, 'manifest.json')),
    pattern: /manifest-removed\/checkpoints holds no complete checkpoint/,
  },
  {
    name: 'metadata not JSON',
    model: null,
    edit: (ckpt) => replaceListed(ckpt, 'metadata.json', Buffer.from('{"arch": ')),
    pattern: /metadata\.json is not JSON/,
  },
];

/** Writes `file` of a checkpoint and lists its new size and hash in the manifest, as a writer would. */
function replaceListed(ckpt: string, file: string, bytes: Uint8Array): void {
  writeFileSync(join(ckpt, file), bytes);
  const manifest = JSON.parse(readFileSync(join(ckpt, 'manifest.json'), 'utf8')) as Manifest;
  manifest.files[file] = manifestEntry(bytes);
  writeFileSync(join(ckpt, 'manifest.json'), JSON.stringify(manifest));
}

test(
  'bad checkpoints, labels and inputs through eval, predict and finetune: one line, no output file, no run directory',
  // a training run, then ~30 CLI starts two at a time: minutes on a busy machine; each case has its own watchdog
  { timeout: 1_200_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      writeFileSync(join(dir, 'x.npy'), goodFeatures());
      writeFileSync(join(dir, 'y.npy'), goodLabels());
      const data = [
        '--data',
        'npy',
        '--set',
        `data.features=${join(dir, 'x.npy')}`,
        '--set',
        `data.labels=${join(dir, 'y.npy')}`,
      ];
      const trained = await polytask(
        ['train', ...data, '--set', 'model.hidden=[8]', '--epochs', '1', '--no-report', '-q', '--json'],
        { runsDir },
      );
      assert.equal(trained.code, 0, trained.stderr);
      const good = (JSON.parse(trained.stdout) as { dir: string }).dir;
      const runsBefore = runDirs(runsDir);
      const goodTree = tree(good);
      writeFileSync(join(dir, 'in.npy'), encodeNpy(new Tensor(new Float32Array(5 * D), [5, D])));

      // the good run works, so what fails below fails for the damage alone
      const ok = await run(['predict', good, '-i', join(dir, 'in.npy'), '-o', join(dir, 'ok.csv')], runsDir);
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(existsSync(join(dir, 'ok.csv')));

      await runAll(CHECKPOINT_CASES, async (c) => {
        const copy = join(dir, 'cases', c.name.replace(/[^a-z0-9]+/gi, '-'));
        cpSync(good, copy, { recursive: true });
        const ckptRoot = join(copy, 'checkpoints');
        const ckpt = join(
          ckptRoot,
          readdirSync(ckptRoot).find((n) => n.startsWith('step-'))!,
        );
        if (c.model !== null) {
          const bytes = c.model(new Uint8Array(readFileSync(join(ckpt, 'model.safetensors'))));
          if (c.manifest === false) writeFileSync(join(ckpt, 'model.safetensors'), bytes);
          else replaceListed(ckpt, 'model.safetensors', bytes);
        }
        c.edit?.(ckpt);
        const before = tree(copy);
        const output = join(dir, `out-${c.name.replace(/[^a-z0-9]+/gi, '-')}.csv`);
        const commands: [string, string[]][] = [
          ['eval', ['eval', copy]],
          ['predict', ['predict', copy, '-i', join(dir, 'in.npy'), '-o', output]],
          ['finetune', ['finetune', '--from', copy, ...data, '--epochs', '1', '--no-report', '-q']],
        ];
        for (const [what, args] of commands) {
          assertCleanFailure(`${what} of a checkpoint: ${c.name}`, await run(args, runsDir), c.pattern);
          assert.equal(existsSync(output), false, `${c.name}: ${what} left ${output}`);
          assert.deepEqual(tree(copy), before, `${c.name}: ${what} changed the run it read`);
        }
      });

      // labels and inputs that do not fit the trained model
      writeFileSync(
        join(dir, 'y5.npy'),
        encodeNpy(
          new Tensor(
            Int32Array.from({ length: N }, (_, i) => i % 5),
            [N],
          ),
        ),
      );
      writeFileSync(join(dir, 'wide.npy'), encodeNpy(new Tensor(new Float32Array(5 * 7), [5, 7])));
      writeFileSync(join(dir, 'wide60.npy'), encodeNpy(new Tensor(new Float32Array(N * 7), [N, 7])));
      writeFileSync(join(dir, 'cut.npy'), readFileSync(join(dir, 'in.npy')).subarray(0, 140));
      writeFileSync(join(dir, 'ragged.csv'), 'a,b,c,d\n1,2,3,4\n5,6,7\n');
      writeFileSync(join(dir, 'bad.idx'), idx([5, 2, 2], new Array(20).fill(0), { magic: [0, 0, 0x07, 3] }));
      writeFileSync(join(dir, 'neg.npy'), labelsWith(-3));
      const out = join(dir, 'p.csv');
      const cases: [string, string[], RegExp][] = [
        [
          "eval: labels beyond the model's classes",
          ['eval', good, '--set', `data.labels=${join(dir, 'y5.npy')}`],
          /the data has 5 classes, the model of run \S+ predicts 3/,
        ],
        [
          'eval: negative label',
          ['eval', good, '--set', `data.labels=${join(dir, 'neg.npy')}`],
          /neg\.npy: label -3 of example 7 is not a class index/,
        ],
        ['eval: bad flag value', ['eval', good, '--limit', 'many'], /--limit: data\.limit: found "many"/],
        [
          'predict: examples of the wrong width',
          ['predict', good, '-i', join(dir, 'wide.npy'), '-o', out],
          /wide\.npy: examples of shape \[7\] do not fit the model's input \[4\]/,
        ],
        [
          'predict: truncated NPY input',
          ['predict', good, '-i', join(dir, 'cut.npy'), '-o', out],
          /cut\.npy: (data|header)/,
        ],
        [
          'predict: ragged CSV input',
          ['predict', good, '-i', join(dir, 'ragged.csv'), '-o', out],
          /ragged\.csv: row 2 \(line 3\) has 3 fields, the header has 4/,
        ],
        [
          'predict: corrupt IDX input',
          ['predict', good, '-i', join(dir, 'bad.idx'), '-o', out],
          /bad\.idx: magic number: unknown type code/,
        ],
        ['predict: missing input', ['predict', good, '-i', join(dir, 'none.npy'), '-o', out], /\/none\.npy/],
        [
          'finetune: labels out of range',
          [
            'finetune',
            '--from',
            good,
            '--data',
            'npy',
            '--set',
            `data.features=${join(dir, 'x.npy')}`,
            '--set',
            `data.labels=${join(dir, 'neg.npy')}`,
            '--epochs',
            '1',
            '-q',
          ],
          /neg\.npy: label -3 of example 7 is not a class index/,
        ],
        [
          'finetune: inputs that do not fit the model',
          [
            'finetune',
            '--from',
            good,
            '--data',
            'npy',
            '--set',
            `data.features=${join(dir, 'wide60.npy')}`,
            '--set',
            `data.labels=${join(dir, 'y5.npy')}`,
            '--epochs',
            '1',
            '-q',
          ],
          /finetune\.from: the pre-trained mlp takes inputs of shape \[4\], the data gives \[7\]/,
        ],
      ];
      await runAll(cases, async ([name, args, pattern]) => {
        assertCleanFailure(name, await run(args, runsDir), pattern);
      });
      assert.equal(existsSync(out), false, 'a failed predict leaves no output file');
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.includes('.tmp') || n.startsWith('.')),
        [],
        'no temporary file is left behind',
      );
      assert.deepEqual(runDirs(runsDir), runsBefore, 'no run directory is started for bad input');
      assert.deepEqual(tree(good), goodTree, 'the good run is untouched');
    }),
);
