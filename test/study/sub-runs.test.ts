/**
 * Sub-run records: exact round trips (NaN, ±Infinity, -0 included) through a fresh process's view,
 * one atomically written file per id, refusal of another config or backend with the file named,
 * and corrupt records reported by file and left out so their sub-runs run again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tensor } from '../../src/tensor/index.js';
import { configHash, FileSubRunStore } from '../../src/study/index.js';
import { plain } from '../helpers/plain.js';

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-subruns-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const config = { study: 'mtl', config: { seeds: [0, 1], lr: 0.01 } };

test('a recorded result comes back exactly, in this process and after reopening', () =>
  withDir((dir) => {
    const store = FileSubRunStore.open(dir, { config, backend: 'js' });
    assert.equal(store.get('ew-seed0'), undefined);
    const result = {
      accuracy: 0.1 + 0.2,
      missing: NaN,
      up: Infinity,
      down: -Infinity,
      zero: -0,
      curve: [1e-300, 3],
      label: 'ew',
      none: null,
    };
    store.put('ew-seed0', result);
    assert.deepEqual(plain(store.get('ew-seed0')), result);
    const again = FileSubRunStore.open(dir, { config, backend: 'js' });
    assert.equal(again.size, 1);
    assert.deepEqual(plain(again.get('ew-seed0')), result);
    assert.ok(Object.is((again.get('ew-seed0') as typeof result).zero, -0));
    // one file per sub-run, written through a temporary file that is gone once renamed
    assert.deepEqual(readdirSync(dir), ['ew-seed0.json']);
    const record = JSON.parse(readFileSync(join(dir, 'ew-seed0.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(record), ['id', 'config', 'backend', 'result']);
    assert.equal(record['config'], configHash(config));
  }));

test('ids become distinct file names inside the store, whatever their characters', () =>
  withDir((dir) => {
    const store = FileSubRunStore.open(dir, { config, backend: 'js' });
    const ids = ['single:left-seed0', 'single_left-seed0', '..', '.', '../escape', 'a/b', 'a%2Fb', 'ünï'];
    for (const [i, id] of ids.entries()) store.put(id, { i });
    assert.equal(readdirSync(dir).length, ids.length);
    const again = FileSubRunStore.open(dir, { config, backend: 'js' });
    for (const [i, id] of ids.entries()) assert.deepEqual(plain(again.get(id)), { i });
    for (const id of ids) assert.equal(dirname(again.dir(id)), dir);
    assert.notEqual(again.dir('..'), again.dir('.'));
  }));

test('the config hash ignores key order and sees every value', () => {
  assert.equal(configHash({ a: 1, b: { c: [1, 2], d: 'x' } }), configHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
  assert.notEqual(configHash({ a: [1, 2] }), configHash({ a: [2, 1] }));
  assert.notEqual(configHash({ a: 1 }), configHash({ a: 1, b: null }));
});

test('records of another config or another backend are refused, naming the file', () =>
  withDir((dir) => {
    FileSubRunStore.open(dir, { config, backend: 'native' }).put('pcgrad-seed1', { accuracy: 0.5 });
    const file = join(dir, 'pcgrad-seed1.json');
    const changed = { ...config, config: { ...config.config, lr: 0.02 } };
    assert.throws(
      () => FileSubRunStore.open(dir, { config: changed, backend: 'native' }),
      (err: Error) => {
        assert.ok(err.message.startsWith(`${file}: recorded under another study config`), err.message);
        assert.match(err.message, /resumes only with the config it started with/);
        return true;
      },
    );
    assert.throws(
      () => FileSubRunStore.open(dir, { config, backend: 'js' }),
      new RegExp(
        `${file}: recorded on the native backend, this process runs on js; resume with POLYTASK_BACKEND=native`,
      ),
    );
  }));

test('a corrupt record is reported with its file and left out; its sub-run records again', () =>
  withDir((dir) => {
    const store = FileSubRunStore.open(dir, { config, backend: 'js' });
    store.put('ew-seed0', { accuracy: 0.5 });
    store.put('ew-seed1', { accuracy: 0.6 });
    writeFileSync(join(dir, 'ew-seed0.json'), '{"id":"ew-seed0","config":');
    writeFileSync(
      join(dir, 'stray.json'),
      JSON.stringify({ id: 'other', config: configHash(config), backend: 'js', result: 1 }),
    );
    // what a process killed in the middle of a write leaves: a temporary file, never a record
    writeFileSync(join(dir, '.ew-seed1.json.123.abcdef.tmp'), '{"id":"ew');
    const warnings: string[] = [];
    const again = FileSubRunStore.open(dir, { config, backend: 'js', onWarning: (m) => warnings.push(m) });
    assert.equal(warnings.length, 2);
    assert.match(
      warnings[0]!,
      new RegExp(`^${join(dir, 'ew-seed0.json')}: not valid JSON .*; that sub-run runs again$`),
    );
    assert.match(warnings[1]!, new RegExp(`^${join(dir, 'stray.json')}: not a sub-run record`));
    assert.equal(again.get('ew-seed0'), undefined);
    assert.deepEqual(plain(again.get('ew-seed1')), { accuracy: 0.6 });
    again.put('ew-seed0', { accuracy: 0.5 });
    assert.deepEqual(
      plain(FileSubRunStore.open(dir, { config, backend: 'js', onWarning: () => undefined }).get('ew-seed0')),
      {
        accuracy: 0.5,
      },
    );
  }));

test('a result holding a tensor is refused before anything is written', () =>
  withDir((dir) => {
    const store = FileSubRunStore.open(dir, { config, backend: 'js' });
    assert.throws(() => store.put('x', { w: tensor([1, 2]) }), /sub-run 'x': a recorded result holds plain data/);
    assert.deepEqual(readdirSync(dir), []);
  }));

test('records carry the data digest; records of other data are refused, records without one are taken', () =>
  withDir((dir) => {
    const store = FileSubRunStore.open(dir, { config: { a: 1 }, data: 'aaaa' });
    store.put('ew-seed0', { error: 0.25 });
    const record = JSON.parse(readFileSync(join(dir, 'ew-seed0.json'), 'utf8')) as { data?: string };
    assert.equal(record.data, 'aaaa');
    assert.equal(FileSubRunStore.open(dir, { config: { a: 1 }, data: 'aaaa' }).get('ew-seed0') !== undefined, true);
    assert.throws(
      () => FileSubRunStore.open(dir, { config: { a: 1 }, data: 'bbbb' }),
      /ew-seed0\.json: recorded with other data \(fingerprint aaaa, now bbbb\); a study resumes only over the data it started with$/,
    );
    // a store that checks no data (a library caller) takes them as before
    assert.equal(FileSubRunStore.open(dir, { config: { a: 1 } }).size, 1);
  }));
