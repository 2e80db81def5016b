import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, ValueError } from '../../../src/core/errors.js';
import {
  decodeMany,
  decodeWorkerCount,
  MAX_DECODE_WORKERS,
  MIN_FILES_FOR_WORKERS,
  runningDecodeWorkers,
  type ImageSpec,
} from '../../../src/data/image-folder/index.js';
import { dataSchema, loadData } from '../../../src/data/sources/index.js';
import { writeColourFolder } from './fixtures.js';

async function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-decode-workers-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every row of `files` decoded with `workers`, as one byte string per file (in file order). */
async function decodedRows(files: readonly string[], spec: ImageSpec, workers: number): Promise<string[]> {
  const rows = new Array<string>(files.length).fill('');
  await decodeMany(files, spec, (i, px) => (rows[i] = Buffer.from(px).toString('hex')), { workers });
  return rows;
}

test('decodeWorkerCount: none for a few files, one per core (at most 8) for many, POLYTASK_DECODE_WORKERS decides when set', () => {
  assert.equal(decodeWorkerCount(MIN_FILES_FOR_WORKERS - 1, {}), 0);
  const many = decodeWorkerCount(10_000, {});
  assert.ok(many >= 1 && many <= MAX_DECODE_WORKERS, String(many));
  assert.equal(decodeWorkerCount(10_000, { POLYTASK_DECODE_WORKERS: '0' }), 0);
  assert.equal(decodeWorkerCount(10_000, { POLYTASK_DECODE_WORKERS: '3' }), 3);
  assert.equal(decodeWorkerCount(2, { POLYTASK_DECODE_WORKERS: '3' }), 2); // never more workers than files
  for (const bad of ['-1', '1.5', 'two', '65'])
    assert.throws(
      () => decodeWorkerCount(100, { POLYTASK_DECODE_WORKERS: bad }),
      (e: Error) => e instanceof ValueError && e.message.startsWith('POLYTASK_DECODE_WORKERS: expected a whole number'),
    );
});

test('worker threads decode every format (PNG, JPEG, WebP, GIF, SVG) to the main thread pixels, byte for byte', () =>
  withDir(async (dir) => {
    const files = await writeColourFolder(dir, { red: [220, 30, 30], blue: [30, 30, 220], grey: [120, 120, 120] }, 8, {
      size: 13,
      svg: true,
      seed: 4,
    });
    for (const spec of [
      { height: 5, width: 7, resize: 'crop', channels: 3 },
      { height: 6, width: 4, resize: 'fit', channels: 1 },
      { height: 9, width: 9, resize: 'stretch', channels: 3 },
    ] as const) {
      const main = await decodedRows(files, spec, 0);
      const workers = await decodedRows(files, spec, 2);
      assert.equal(runningDecodeWorkers(), 2);
      assert.ok(main.every((r) => r.length === 2 * spec.channels * spec.height * spec.width));
      assert.deepEqual(workers, main);
    }
    // the red class is red: the rows are the files' own, not a neighbour's
    const [first] = await decodedRows([files[0]!], { height: 1, width: 1, resize: 'crop', channels: 3 }, 1);
    const [r, g, b] = Buffer.from(first!, 'hex');
    assert.ok(r! > 180 && g! < 80 && b! < 80, `${r} ${g} ${b}`);
  }));

test('on worker threads, the error names the first file that does not decode and counts the others', () =>
  withDir(async (dir) => {
    const files = await writeColourFolder(dir, { red: [220, 30, 30] }, 6, { formats: ['png'] });
    writeFileSync(files[4]!, 'broken');
    writeFileSync(files[1]!, '<svg');
    const seen: number[] = [];
    await assert.rejects(
      decodeMany(files, { height: 2, width: 2, resize: 'crop', channels: 3 }, (i) => seen.push(i), { workers: 2 }),
      (e: Error) =>
        e instanceof FormatError &&
        e.message.startsWith(`${files[1]}: not a PNG, JPEG, WebP, GIF or SVG image`) &&
        e.message.endsWith('; and 1 other file does not decode either'),
    );
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      [0, 2, 3, 5],
    );
    // a file that is not there is a FormatError too, from a worker as from the main thread
    await assert.rejects(
      decodeMany([join(dir, 'gone.png')], { height: 2, width: 2, resize: 'crop', channels: 3 }, () => {}, {
        workers: 1,
      }),
      (e: Error) => e instanceof FormatError && e.message === `${join(dir, 'gone.png')}: cannot read (ENOENT)`,
    );
  }));

test('an error that is not the file (a failing row callback) stops the decode with that error', () =>
  withDir(async (dir) => {
    const files = await writeColourFolder(dir, { red: [220, 30, 30] }, 6, { formats: ['png'] });
    for (const workers of [0, 2])
      await assert.rejects(
        decodeMany(
          files,
          { height: 2, width: 2, resize: 'crop', channels: 3 },
          (i) => {
            if (i === 3) throw new Error('disk full');
          },
          { workers },
        ),
        /^Error: disk full$/,
      );
  }));

test('loadData of an image folder, with and without cache: true, gives the same rows on workers as on the main thread', () =>
  withDir(async (dir) => {
    const data = join(dir, 'data');
    await writeColourFolder(data, { red: [220, 30, 30], green: [30, 200, 30] }, 20, { seed: 2 });
    const before = { cache: process.env.POLYTASK_CACHE, workers: process.env.POLYTASK_DECODE_WORKERS };
    process.env.POLYTASK_CACHE = join(dir, 'cache');
    const load = (cache: boolean) =>
      loadData(dataSchema.parse({ source: 'images', dir: data, size: 6, cache, testFraction: 0.25 }), 3);
    try {
      process.env.POLYTASK_DECODE_WORKERS = '0';
      const main = await load(false);
      process.env.POLYTASK_DECODE_WORKERS = '2';
      const workers = await load(false);
      const cached = await load(true); // fills the cache on the workers
      const again = await load(true); // reads it
      for (const d of [workers, cached, again]) {
        assert.deepEqual(d.train.features, main.train.features);
        assert.deepEqual(d.test.features, main.test.features);
        assert.deepEqual(d.train.labels, main.train.labels);
      }
    } finally {
      for (const [key, value] of [
        ['POLYTASK_CACHE', before.cache],
        ['POLYTASK_DECODE_WORKERS', before.workers],
      ] as const)
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
  }));
