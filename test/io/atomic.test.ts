import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/io/atomic.js';

function withDir(body: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytask-atomic-'));
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'sync: writes, replaces, leaves no temp file',
  withDir((dir) => {
    const p = join(dir, 'a.json');
    writeFileAtomicSync(p, '{"v":1}');
    writeFileAtomicSync(p, Uint8Array.of(1, 2, 3));
    assert.deepEqual([...readFileSync(p)], [1, 2, 3]);
    assert.deepEqual(readdirSync(dir), ['a.json']);
  }),
);

test(
  'async: writes, replaces, leaves no temp file',
  withDir(async (dir) => {
    const p = join(dir, 'b.txt');
    await writeFileAtomic(p, 'first');
    await writeFileAtomic(p, 'second ✓');
    assert.equal(readFileSync(p, 'utf8'), 'second ✓');
    assert.deepEqual(readdirSync(dir), ['b.txt']);
  }),
);

test(
  'a failed rename keeps the target and removes the temp file',
  withDir(async (dir) => {
    // A directory in the way makes the final rename fail after the data was written.
    const p = join(dir, 'target');
    mkdirSync(p);
    writeFileSync(join(p, 'inside'), 'kept');
    assert.throws(
      () => writeFileAtomicSync(p, 'data'),
      (err: NodeJS.ErrnoException) => typeof err.code === 'string',
    );
    await assert.rejects(writeFileAtomic(p, 'data'), (err: NodeJS.ErrnoException) => typeof err.code === 'string');
    assert.deepEqual(readdirSync(dir), ['target']);
    assert.equal(readFileSync(join(p, 'inside'), 'utf8'), 'kept');
  }),
);

test('a missing directory is the file system error', () => {
  assert.throws(() => writeFileAtomicSync('/nonexistent-dir/x', 'x'), { code: 'ENOENT' });
});

test(
  'concurrent writers: the file is always one complete version',
  withDir(async (dir) => {
    const p = join(dir, 'c.bin');
    const versions = Array.from({ length: 16 }, (_, i) => new Uint8Array(64 * 1024).fill(i));
    await Promise.all(versions.map((v) => writeFileAtomic(p, v)));
    const got = readFileSync(p);
    assert.equal(got.length, 64 * 1024);
    assert.ok(
      got.every((b) => b === got[0]),
      'no interleaving of two writes',
    );
    assert.deepEqual(readdirSync(dir), ['c.bin']);
  }),
);
