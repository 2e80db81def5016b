import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataSchema, loadData, type LoadedData } from '../../../src/data/sources/index.js';
import { writeColourFolder } from '../image-folder/fixtures.js';

const COLOURS = { blue: [30, 30, 220], green: [30, 200, 30], red: [220, 30, 30] } as const;

async function withFolder<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-imgsrc-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = (config: Record<string, unknown>, seed = 0): Promise<LoadedData> =>
  loadData(dataSchema.parse({ source: 'images', size: 4, ...config }), seed);

/** The class each example's pixels say (the brightest channel: 0 red, 1 green, 2 blue). */
function colourClasses(d: LoadedData['train']): string[] {
  const names = ['red', 'green', 'blue'];
  const x = d.features as Float32Array;
  return Array.from({ length: d.length }, (_, i) => {
    const mean = [0, 1, 2].map((c) => x.subarray(i * 48 + c * 16, i * 48 + (c + 1) * 16).reduce((s, v) => s + v, 0));
    return names[mean.indexOf(Math.max(...mean))]!;
  });
}

test('a flat folder: sorted class names, CHW features, a seeded stratified split whose labels match the pixels', () =>
  withFolder(async (dir) => {
    await writeColourFolder(dir, COLOURS, 10, { svg: true });
    const d = await load({ dir, testFraction: 0.3 });
    assert.deepEqual(d.classNames, ['blue', 'green', 'red']);
    assert.deepEqual(d.featureShape, [3, 4, 4]);
    assert.equal(d.train.length + d.test.length, 33);
    assert.equal(d.test.length, 9); // 3 of each class's 11
    assert.match(d.description, /^image folder .* \(33 images, 3 classes, 4×4 RGB crop\)$/);
    for (const set of [d.train, d.test])
      assert.deepEqual(
        colourClasses(set),
        Array.from(set.labels as Int32Array, (l) => d.classNames[l]),
      );
    assert.equal(d.augment, undefined);
    assert.equal(d.files.length, 33);
    const again = await load({ dir, testFraction: 0.3 });
    assert.deepEqual(again.test.features, d.test.features, 'the same seed gives the same split');
    const budget = await load({ dir, testFraction: 0.3, limit: 6 });
    assert.deepEqual([...(budget.train.labels as Int32Array)].sort(), [0, 0, 1, 1, 2, 2], 'a stratified label budget');
    assert.deepEqual(budget.test.features, d.test.features, 'the budget leaves the test split as it was');
    const two = await load({ dir, testFraction: 0.3, classes: [2, 0] });
    assert.deepEqual(two.classNames, ['red', 'blue']);
    assert.deepEqual(
      colourClasses(two.train),
      Array.from(two.train.labels as Int32Array, (l) => two.classNames[l]),
    );
    const other = await load({ dir, testFraction: 0.3 }, 1);
    assert.notDeepEqual(other.test.features, d.test.features, 'another seed, another split');
  }));

test('train/val/test folders: val is the test split unless heldOut says test; testFraction does not apply', () =>
  withFolder(async (dir) => {
    await writeColourFolder(join(dir, 'train'), COLOURS, 4, { formats: ['png'] });
    await writeColourFolder(join(dir, 'val'), { red: COLOURS.red }, 2, { formats: ['webp'], seed: 1 });
    await writeColourFolder(join(dir, 'test'), { blue: COLOURS.blue, green: COLOURS.green }, 3, { seed: 2 });
    const d = await load({ dir });
    assert.equal(d.train.length, 12);
    assert.deepEqual([...(d.test.labels as Int32Array)], [2, 2]);
    assert.match(d.description, /test split val\//);
    const t = await load({ dir, heldOut: 'test' });
    assert.deepEqual([...(t.test.labels as Int32Array)], [0, 0, 0, 1, 1, 1]);
    assert.deepEqual(colourClasses(t.test), ['blue', 'blue', 'blue', 'green', 'green', 'green']);
    rmSync(join(dir, 'val'), { recursive: true });
    assert.equal((await load({ dir })).test.length, 6, 'test/ when there is no val/');
    await assert.rejects(load({ dir, heldOut: 'val' }), /data\.heldOut: .* has no val\/ folder/);
  }));

test('config errors: normalize per channel, crop ranges, heldOut without split folders', () =>
  withFolder(async (dir) => {
    await writeColourFolder(dir, COLOURS, 2, { formats: ['png'] });
    await assert.rejects(
      load({ dir, normalize: { mean: [0.5], std: [0.5] } }),
      /data\.normalize: expected 3 mean and 3 std values/,
    );
    await assert.rejects(load({ dir, augment: { resizedCrop: { scale: [0.9, 0.2] } } }), /min must not exceed max/);
    await assert.rejects(load({ dir, heldOut: 'test' }), /has no train\/ with val\/ or test\/ folders/);
    const g = await load({ dir, channels: 1, normalize: { mean: [0.5], std: [0.5] }, augment: { flip: true } });
    assert.deepEqual(g.featureShape, [1, 4, 4]);
    assert.equal(typeof g.augment, 'function');
    assert.ok((g.train.features as Float32Array).every((v) => v >= -1 && v <= 1));
  }));

test('cache: true decodes each split once into $POLYTASK_CACHE and later loads read the kept rows from there', () =>
  withFolder(async (dir) => {
    const data = join(dir, 'data');
    const files = await writeColourFolder(data, COLOURS, 6, { formats: ['png'] });
    const victim = files[0]!;
    const when = new Date(1_700_000_000_000); // whole seconds: set again exactly below
    utimesSync(victim, when, when);
    const cache = join(dir, 'cache');
    const before = process.env.POLYTASK_CACHE;
    process.env.POLYTASK_CACHE = cache;
    try {
      const plain = await load({ dir: data });
      const cached = await load({ dir: data, cache: true });
      assert.deepEqual(cached.train.features, plain.train.features);
      assert.deepEqual(cached.test.features, plain.test.features);
      const written = readdirSync(join(cache, 'images'));
      assert.equal(written.length, 1);
      assert.match(written[0]!, /^[0-9a-f]{64}\.idx$/);
      assert.equal(statSync(join(cache, 'images', written[0]!)).size, 4 + 4 * 4 + 18 * 48);
      // overwrite one image with garbage of the same size and time: the cache still answers ...
      writeFileSync(victim, Buffer.alloc(statSync(victim).size, 7));
      utimesSync(victim, when, when);
      assert.deepEqual((await load({ dir: data, cache: true })).train.features, plain.train.features);
      // ... decoding does not, and names the file
      await assert.rejects(load({ dir: data }), (e: Error) => e.message.startsWith(`${victim}: not a PNG`));
      // a new modification time is a new key: decoded again, and the error names the file
      utimesSync(victim, when, new Date(when.getTime() + 5000));
      await assert.rejects(load({ dir: data, cache: true }), (e: Error) =>
        e.message.startsWith(`${victim}: not a PNG`),
      );
      assert.deepEqual(readdirSync(join(cache, 'images')), written, 'no partial cache file is left');
      assert.equal(readFileSync(join(cache, 'images', written[0]!)).length, 4 + 16 + 18 * 48);
    } finally {
      if (before === undefined) delete process.env.POLYTASK_CACHE;
      else process.env.POLYTASK_CACHE = before;
    }
  }));
