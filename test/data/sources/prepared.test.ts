import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataSchema, loadData } from '../../../src/data/sources/index.js';
import {
  ensurePrepared,
  preparable,
  preparedDir,
  registerPreparable,
  type BuildOptions,
} from '../../../src/data/prepared/index.js';

/** A data set of 40 short texts whose label is their first word; counts its builds and can fail once. */
const calls = { builds: 0, failNext: false, missing: undefined as string | undefined, escape: false };
registerPreparable({
  name: 'test-words',
  summary: 'forty words',
  licence: 'CC0',
  requires: 'nothing',
  version: 1,
  missing: () => calls.missing,
  build: async (dir: string, options: BuildOptions) => {
    calls.builds++;
    const kept = existsSync(join(dir, 'words.csv'));
    if (!kept) {
      const rows = Array.from(
        { length: 40 },
        (_, i) => `${i % 2 === 0 ? 'cat' : 'dog'} ${i},${i % 2 === 0 ? 'a' : 'b'},${i % 3 === 0 ? 'x' : 'y'}`,
      );
      writeFileSync(join(dir, 'words.csv'), `text,first,third\n${rows.join('\n')}\n`);
    }
    if (calls.failNext) {
      calls.failNext = false;
      throw new Error('interrupted');
    }
    options.progress?.(1, 1);
    return {
      summary: `40 words (seed ${options.seed}, ${kept ? 'resumed' : 'fresh'})`,
      views: {
        first: {
          description: 'first word',
          data: { source: 'text', file: calls.escape ? '../../etc/passwd' : 'words.csv', label: 'first' },
        },
        third: { description: 'every third', data: { source: 'text', file: 'words.csv', label: 'third' } },
      },
      defaultView: 'first',
      counts: { rows: 40 },
    };
  },
});

async function withCache<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-prepared-'));
  const before = process.env.POLYTASK_CACHE;
  process.env.POLYTASK_CACHE = dir;
  calls.builds = 0;
  try {
    return await body(dir);
  } finally {
    if (before === undefined) delete process.env.POLYTASK_CACHE;
    else process.env.POLYTASK_CACHE = before;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a prepared data set is built once, then read through its views as an ordinary source', async () => {
  await withCache(async (cache) => {
    const first = await loadData(dataSchema.parse({ source: 'prepared', name: 'test-words', testFraction: 0.25 }), 0);
    assert.deepEqual(first.classNames, ['a', 'b']);
    assert.equal(first.train.length + first.test.length, 40);
    const third = await loadData(dataSchema.parse({ source: 'prepared', name: 'test-words', view: 'third' }), 0);
    assert.deepEqual(third.classNames, ['x', 'y']);
    assert.equal(calls.builds, 1, 'the second read found the folder ready');
    assert.equal(preparedDir('test-words'), join(cache, 'prepared', 'test-words'));
    const manifest = JSON.parse(readFileSync(join(cache, 'prepared', 'test-words', 'manifest.json'), 'utf8'));
    assert.equal(manifest.licence, 'CC0');
    assert.equal(manifest.version, 1);
    // options are set over the view's keys and checked like them
    const short = await loadData(
      dataSchema.parse({ source: 'prepared', name: 'test-words', options: { maxLength: 1 } }),
      0,
    );
    assert.deepEqual(short.featureShape, [1]);
    await assert.rejects(
      loadData(dataSchema.parse({ source: 'prepared', name: 'test-words', options: { maxLength: 'long' } }), 0),
      /data\.options\.maxLength: .*view "first" of .*manifest\.json/,
    );
    await assert.rejects(
      loadData(dataSchema.parse({ source: 'prepared', name: 'test-words', view: 'fifth' }), 0),
      /no view "fifth": expected one of "first", "third"/,
    );
  });
});

test('an interrupted build resumes from the files it left, and only a finished build is used', async () => {
  await withCache(async (cache) => {
    calls.failNext = true;
    await assert.rejects(ensurePrepared('test-words'), /interrupted/);
    assert.ok(!existsSync(join(cache, 'prepared', 'test-words')), 'no folder in place after a failed build');
    assert.ok(existsSync(join(cache, 'prepared', 'test-words.partial', 'words.csv')));
    const { manifest, built } = await ensurePrepared('test-words');
    assert.equal(built, true);
    assert.match(manifest.summary, /resumed/);
    assert.ok(!existsSync(join(cache, 'prepared', 'test-words.partial')));
    const again = await ensurePrepared('test-words', { seed: 3 });
    assert.match(again.manifest.summary, /seed 3, fresh/, 'another seed builds again');
  });
});

test('a missing package, an unknown name and a view path outside the folder are refused in one line', async () => {
  await withCache(async (cache) => {
    calls.missing = 'install the Debian package test-words-data';
    try {
      await assert.rejects(
        ensurePrepared('test-words'),
        /data set test-words: cannot be prepared: install the Debian package test-words-data/,
      );
    } finally {
      calls.missing = undefined;
    }
    assert.ok(!existsSync(join(cache, 'prepared')), 'nothing written');
    assert.throws(() => preparable('nope'), /no data set "nope" to prepare: expected one of .*"test-words"/);
    calls.escape = true;
    try {
      await assert.rejects(
        loadData(dataSchema.parse({ source: 'prepared', name: 'test-words' }), 0),
        /manifest\.json: view "first" names \.\.\/\.\.\/etc\/passwd outside its folder/,
      );
    } finally {
      calls.escape = false;
    }
  });
});
