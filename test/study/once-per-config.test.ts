import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oncePerConfig } from '../../src/study/index.js';
import { withTempDir } from '../cli/helpers.js';

test('oncePerConfig loads once for equal configs, again for another, and forgets a failed load', async () => {
  let calls = 0;
  let fail = false;
  const load = oncePerConfig(
    async (c: { n: number }) => {
      calls += 1;
      if (fail) throw new Error('unreadable');
      return { value: c.n * 2 };
    },
    () => [],
  );
  const a = await load({ n: 1 });
  assert.equal(await load({ n: 1 }), a);
  assert.equal(calls, 1);
  assert.equal((await load({ n: 2 })).value, 4);
  assert.equal(calls, 2);
  fail = true;
  await assert.rejects(load({ n: 3 }), /unreadable/);
  fail = false;
  assert.equal((await load({ n: 3 })).value, 6);
  assert.equal(calls, 4);
});

test('oncePerConfig loads again when a file it read changed, and not while it is unchanged', () =>
  withTempDir(async (dir) => {
    const file = join(dir, 'data.csv');
    const other = join(dir, 'labels.csv');
    let reads = 0;
    const load = oncePerConfig(
      async (c: { files: string[] }) => {
        reads += 1;
        return { text: c.files.map((f) => readFileSync(f, 'utf8')).join('|'), files: c.files };
      },
      (loaded) => loaded.files,
    );
    const config = { files: [file, other] };
    const past = (s: number): Date => new Date(Date.UTC(2024, 0, 1, 0, 0, s));
    writeFileSync(file, 'a\n1\n');
    writeFileSync(other, 'y\n0\n');
    utimesSync(file, past(0), past(0));
    utimesSync(other, past(0), past(0));

    const first = load(config);
    assert.equal(load(config), first, 'a load under way is shared');
    assert.equal((await first).text, 'a\n1\n|y\n0\n');
    assert.equal(load({ files: [file, other] }), first, 'unchanged files: the same promise');
    assert.equal(reads, 1);

    // the same size, other contents, a new modification time: loaded again
    writeFileSync(file, 'a\n2\n');
    utimesSync(file, past(5), past(5));
    const second = load(config);
    assert.notEqual(second, first);
    assert.equal((await second).text, 'a\n2\n|y\n0\n');
    assert.equal(load(config), second);
    assert.equal(reads, 2);

    // a longer file with its old time set back: its size tells
    writeFileSync(other, 'y\n10\n');
    utimesSync(other, past(0), past(0));
    assert.equal((await load(config)).text, 'a\n2\n|y\n10\n');
    assert.equal(reads, 3);

    // a file gone: loaded again, and the loader's own error is what the caller sees
    rmSync(other);
    await assert.rejects(load(config), /ENOENT/);
    assert.equal(reads, 4);
    writeFileSync(other, 'y\n1\n');
    assert.equal((await load(config)).text, 'a\n2\n|y\n1\n');
    assert.equal(reads, 5);
  }));
