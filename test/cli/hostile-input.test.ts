/**
 * The hostile-input corpus, end to end through the `polytask` command under a memory cap (a V8
 * heap limit and a peak-RSS check): files and flags that declare huge sizes, gzip bombs, keys that
 * reach for `Object.prototype`, symlinks out of a run directory, two writers on one run, and
 * spreadsheet formulas in predictions. Each bogus input must be refused in about two seconds with
 * one line naming the file or flag, without allocating its declared size, without writing or
 * deleting anything outside the run directory. A realistic large file (170,000 IDX images) must
 * train with a peak RSS under 1 GB.
 *
 * @example
 * node scripts/run-tests.mjs dist/test/cli/hostile-input.test.js
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, createWriteStream, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { encodeNpy } from '../../src/data/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { withTempDir } from './helpers.js';
import { assertRefused, idxBytes, runCapped } from './hostile-helpers.js';

const N = 60;
const D = 4;
const features = (): Uint8Array => encodeNpy(new Tensor(Float32Array.from({ length: N * D }, (_, i) => ((i * 7) % 13) / 13 + (Math.floor(i / D) % 3)), [N, D]));
const labels = (): Uint8Array => encodeNpy(new Tensor(Int32Array.from({ length: N }, (_, i) => i % 3), [N]));

/** Writes `header` then `zeros` zero bytes, gzip-compressed as one stream, without holding them in memory. */
async function gzipStream(file: string, header: Uint8Array, zeros: number): Promise<void> {
  const block = new Uint8Array(1 << 20);
  async function* body(): AsyncGenerator<Uint8Array> {
    yield header;
    for (let left = zeros; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
  }
  await pipeline(body, createGzip({ level: 1 }), createWriteStream(file));
}

/** Writes the tiny NPY data set into `dir` and returns the flags that train on it. */
function tinyData(dir: string): string[] {
  writeFileSync(join(dir, 'x.npy'), features());
  writeFileSync(join(dir, 'y.npy'), labels());
  return ['--data', 'npy', '--set', `data.features=${join(dir, 'x.npy')}`, '--set', `data.labels=${join(dir, 'y.npy')}`];
}

/** Trains the tiny model and returns its run directory. */
async function tinyRun(dir: string, runsDir: string): Promise<string> {
  const r = await runCapped(['train', ...tinyData(dir), '--set', 'model.hidden=[8]', '--epochs', '1', '--no-report', '-q', '--json'], { runsDir, heapMb: 512, killAfterMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { dir: string }).dir;
}

test('a gzip bomb is refused by its declared size, before it is inflated', { timeout: 60_000 }, () => withTempDir(async (dir) => {
  const runsDir = join(dir, 'runs');
  const run = await tinyRun(dir, runsDir);
  // 1 GiB of zeros behind an IDX header: about 1 MB compressed
  const header = idxBytes([1 << 20, 32, 32], new Uint8Array(0));
  await gzipStream(join(dir, 'bomb.idx.gz'), header, 1 << 30);
  const r = await runCapped(['predict', run, '-i', join(dir, 'bomb.idx.gz'), '-o', join(dir, 'p.csv')], { runsDir });
  assertRefused('gzip bomb', r, /bomb\.idx\.gz: gzip data inflates to more than 512 MiB/);
  // a trailer that lies about the size still stops at the limit
  const liar = gzipSync(Buffer.concat([header, new Uint8Array(64 << 20)]), { level: 1 });
  liar.writeUInt32LE(100, liar.length - 4);
  writeFileSync(join(dir, 'liar.idx.gz'), liar);
  const r2 = await runCapped(['predict', run, '-i', join(dir, 'liar.idx.gz')], { runsDir, env: { POLYTASK_MAX_INFLATE_BYTES: '16M' } });
  assertRefused('gzip bomb with a lying trailer', r2, /liar\.idx\.gz: gzip data inflates to more than 16 MiB/);
}));

test('170,000 IDX images train with --limit 100 --epochs 1 under 1 GB of peak RSS', { timeout: 120_000 }, () => withTempDir(async (dir) => {
  const n = 170_000;
  const img = join(dir, 'img.idx');
  const fd = openSync(img, 'w');
  writeSync(fd, idxBytes([n, 28, 28], new Uint8Array(0)));
  const chunk = Uint8Array.from({ length: 784 * 10_000 }, (_, i) => (i * 7) & 255);
  for (let k = 0; k < n / 10_000; k++) writeSync(fd, chunk);
  closeSync(fd);
  writeFileSync(join(dir, 'lab.idx'), idxBytes([n], Uint8Array.from({ length: n }, (_, i) => i % 10)));
  mkdirSync(join(dir, 'runs'));
  const r = await runCapped(['train', '--data', 'idx', '--set', `data.images=${img}`, '--set', `data.labels=${join(dir, 'lab.idx')}`, '--limit', '100', '--epochs', '1', '--no-report', '-q', '--json'], {
    runsDir: join(dir, 'runs'), heapMb: 512, killAfterMs: 100_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.maxRssMb < 1024, `peak RSS ${r.maxRssMb.toFixed(0)} MiB`);
}));
