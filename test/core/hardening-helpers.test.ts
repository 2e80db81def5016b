/**
 * The small helpers behind the hostile-input corpus, one by one: safe keys, declared size limits,
 * read limits, the run lock, links out of a run directory, runs-root guards, formula-safe CSV and
 * the declared size of a stored model description.
 *
 * @example
 * node scripts/run-tests.mjs dist/test/core/hardening-helpers.test.js
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { predictionsCsv, safeCell } from '../../src/cli/predictions-csv.js';
import { displayStatus, isAlive, LOCK_FILE, RunLock } from '../../src/cli/run-lock.js';
import { checkRunRef, ensureDirectory, indexGuard, withoutHalfRuns } from '../../src/cli/runs-root-guard.js';
import { assertSafeKey, assertSafeKeysDeep, isSafeKey, nullRecord } from '../../src/core/safe-keys.js';
import { checkDeclared, sizeLimits } from '../../src/core/size-limits.js';
import { checkFileSize, parseByteCount, readLimits } from '../../src/data/read-limits.js';
import { openIdx, parseIdx } from '../../src/data/idx.js';
import { assertNoEscapingLinks, isInside } from '../../src/io/contained-paths.js';
import { parseUntrusted, snippet } from '../../src/io/untrusted.js';
import { declaredParameters } from '../../src/transfer/arch/declared-size.js';

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-hardening-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('safe keys: the object model is refused at any depth; null records inherit nothing', () => {
  for (const k of ['__proto__', 'constructor', 'prototype']) {
    assert.equal(isSafeKey(k), false);
    assert.throws(() => assertSafeKey(k, '--set x'), new RegExp(`--set x: the key "${k}" is not allowed`));
  }
  assert.equal(isSafeKey('digit'), true);
  assert.throws(
    () => assertSafeKeysDeep(JSON.parse('{"a": [{"b": {"__proto__": 1}}]}'), 'c.json'),
    /c\.json: a\[0\]\.b\.__proto__: the key "__proto__"/,
  );
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  assert.throws(() => assertSafeKeysDeep(deep, 'd.json'), /d\.json: nested deeper than 64 levels/);
  const r = nullRecord<number>();
  assert.equal('toString' in r, false);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('parseUntrusted names the file for alias bombs and deep nesting; snippets are bounded', () => {
  assert.throws(
    () =>
      parseUntrusted('b.yaml', () => {
        throw new ReferenceError('Excessive alias count indicates a resource exhaustion attack');
      }),
    /b\.yaml: too many YAML aliases/,
  );
  assert.throws(
    () =>
      parseUntrusted('d.json', () => {
        throw new RangeError('Maximum call stack size exceeded');
      }),
    /d\.json: nested too deeply to read/,
  );
  assert.equal(snippet('root:x:0:0:root:/root:/bin/bash', 10), 'root:x:0:0…');
  assert.equal(snippet('a\nb'), 'a b');
});

test('size and read limits: defaults, environment overrides, one-line refusals', () => {
  assert.equal(sizeLimits({}).classes, 100_000);
  assert.equal(sizeLimits({ POLYTASK_MAX_CLASSES: '2000000' }).classes, 2_000_000);
  assert.throws(() => sizeLimits({ POLYTASK_MAX_EPOCHS: '1e3' }), /POLYTASK_MAX_EPOCHS: expected a positive integer/);
  assert.throws(
    () => checkDeclared('t.yaml: classes', 'classes', 2_000_000, sizeLimits({})),
    /t\.yaml: classes: 2000000 classes is more than the limit of 100000 \(raise POLYTASK_MAX_CLASSES/,
  );
  assert.equal(parseByteCount('512M', 'X'), 512 * 2 ** 20);
  assert.equal(parseByteCount('2G', 'X'), 2 * 2 ** 30);
  assert.throws(
    () => parseByteCount('lots', 'POLYTASK_MEMORY_BUDGET'),
    /POLYTASK_MEMORY_BUDGET: expected a positive byte count/,
  );
  assert.equal(readLimits({ POLYTASK_MEMORY_BUDGET: '1G' }).memoryBudgetBytes, 2 ** 30);
  withDir((dir) => {
    writeFileSync(join(dir, 'big.csv'), 'a,b\n'.repeat(1000));
    assert.throws(
      () => checkFileSize(join(dir, 'big.csv'), { maxInflateBytes: 1, memoryBudgetBytes: 4000 }, 8, 'a CSV file'),
      /big\.csv: reading a CSV file of 4 KiB whole would take 32 KiB, more than the memory budget of 4 KiB/,
    );
    checkFileSize(join(dir, 'big.csv'), { maxInflateBytes: 1, memoryBudgetBytes: 40_000 }, 8, 'a CSV file');
  });
});

test('IDX rows: byte files are views, rows scale into float32, lazy reads match whole reads', () =>
  withDir((dir) => {
    const n = 50;
    const bytes = new Uint8Array(16 + n * 4);
    bytes.set([0, 0, 8, 3]);
    const view = new DataView(bytes.buffer);
    [n, 2, 2].forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
    for (let i = 0; i < n * 4; i++) bytes[16 + i] = (i * 13) & 255;
    const parsed = parseIdx(bytes, 'x');
    assert.equal(parsed.data.buffer, bytes.buffer, 'a view, not a copy');
    writeFileSync(join(dir, 'x.idx'), bytes);
    const whole = openIdx(join(dir, 'x.idx'));
    const lazy = openIdx(join(dir, 'x.idx'), { maxInflateBytes: 2 ** 20, memoryBudgetBytes: 100 });
    assert.equal(whole.lazy, false);
    assert.equal(lazy.lazy, true);
    const rows = [7, 8, 9, 0, 49, 3];
    assert.deepEqual(Array.from(lazy.read(rows, 1)), Array.from(whole.read(rows, 1)));
    assert.deepEqual(Array.from(whole.read([1], 0.5)), [4 * 13 * 0.5, 5 * 13 * 0.5, 6 * 13 * 0.5, 7 * 13 * 0.5]);
    assert.throws(
      () => lazy.read(undefined, 1),
      /x\.idx: 50 examples as float32 would take 1 KiB, more than the memory budget/,
    );
    assert.throws(() => whole.read([50], 1), /row 50 at position 0 is outside \[0, 50\)/);
  }));

test("run lock: a second writer is refused, a dead owner's lock is taken over, status shows interrupted", () =>
  withDir((dir) => {
    const lock = RunLock.acquire(dir, 'run-a');
    assert.equal(displayStatus({ status: 'running', dir }), 'running');
    // the pid of a process that has exited
    const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(child.stdout.trim());
    assert.equal(isAlive(deadPid), false);
    lock.release();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    assert.equal(displayStatus({ status: 'running', dir }), 'interrupted');
    // a lock held by a live process other than this one (the test runner that started us)
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), since: 'x' }));
    assert.throws(() => RunLock.acquire(dir, 'run-a'), /run run-a is in use by process \d+/);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid, host: hostname(), since: 'x' }));
    assert.equal(displayStatus({ status: 'running', dir }), 'interrupted');
    const again = RunLock.acquire(dir, 'run-a');
    assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number }).pid, process.pid);
    again.release();
    assert.equal(displayStatus({ status: 'completed', dir }), 'completed');
  }));

test('links out of a run directory are refused, links inside are allowed', () =>
  withDir((dir) => {
    const run = join(dir, 'run');
    mkdirSync(join(run, 'checkpoints'), { recursive: true });
    symlinkSync(join(run, 'checkpoints'), join(run, 'latest'));
    assertNoEscapingLinks(run);
    symlinkSync(tmpdir(), join(run, 'checkpoints', 'escape'));
    assert.throws(
      () => assertNoEscapingLinks(run),
      /checkpoints\/escape: is a symbolic link to .*, outside the run directory/,
    );
    assert.equal(isInside('/a/b', '/a/b/c'), true);
    assert.equal(isInside('/a/b', '/a/bc'), false);
    assert.equal(isInside('/a/b', '/a'), false);
  }));

test('runs root guards: empty references, parents created one by one, half runs removed, index errors named', () =>
  withDir((dir) => {
    assert.throws(() => checkRunRef(''), /an empty run reference/);
    ensureDirectory(join(dir, 'a', 'b', 'c'));
    assert.equal(existsSync(join(dir, 'a', 'b', 'c')), true);
    writeFileSync(join(dir, 'file'), 'x');
    assert.throws(() => ensureDirectory(join(dir, 'file', 'runs')), /file\/runs: cannot use it for runs \(ENOTDIR\)/);
    const root = join(dir, 'runs');
    mkdirSync(join(root, 'old-run'), { recursive: true });
    assert.throws(
      () =>
        withoutHalfRuns(root, () => {
          mkdirSync(join(root, '20260101-000000-train-abcdef'));
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }),
      /ENOSPC/,
    );
    assert.equal(
      existsSync(join(root, '20260101-000000-train-abcdef')),
      false,
      'the cut-short run directory is removed',
    );
    assert.equal(existsSync(join(root, 'old-run')), true, 'older entries stay');
    assert.throws(
      () =>
        indexGuard('/r/index.sqlite', () => {
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }),
      /\/r\/index\.sqlite: the run index cannot be read or written \(SQLITE_FULL: the disk is full\)/,
    );
  }));

test('predictions CSV: quoted fields, formula cells neutralised, any class name as text', () => {
  assert.equal(safeCell('=1+1'), "'=1+1");
  assert.equal(safeCell('-x'), "'-x");
  assert.equal(safeCell(42), '42');
  assert.equal(safeCell({ a: 1 }), '{"a":1}');
  assert.equal(
    predictionsCsv([{ index: 0, class: 1, name: 'a,"b"\n=c', probability: 0.5 }]),
    'index,class,name,probability\n0,1,"a,""b""\n=c",0.5\n',
  );
  assert.equal(
    predictionsCsv([{ index: 0, class: 1, name: '@SUM(A1)', probability: 0.5 }]),
    "index,class,name,probability\n0,1,'@SUM(A1),0.5\n",
  );
});

test('declared parameters of the built-in architectures, without building them', () => {
  assert.equal(
    declaredParameters({ arch: 'mlp', config: { inputs: 4, hidden: [8] }, tasks: [{ name: 't', classes: 3 }] }),
    4 * 8 + 8 + 8 * 3 + 3,
  );
  assert.equal(
    declaredParameters({
      arch: 'cnn',
      config: { inChannels: 1, height: 8, width: 8, channels: [2], hidden: 0 },
      tasks: [{ name: 't', classes: 2 }],
    }),
    1 * 2 * 9 + 2 + 2 * 16 * 2 + 2,
  );
  assert.equal(declaredParameters({ arch: 'resnet', config: {}, tasks: [] }), null);
});
