import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '../../../src/core/errors.js';
import { scanImageFolder, scanLimits } from '../../../src/data/image-folder/index.js';

const LIMITS = { maxFiles: 1000, maxFileBytes: 1 << 20 };

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-scan-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes each relative path (its contents do not matter to the scan). */
function touch(dir: string, ...files: string[]): void {
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), 'x');
  }
}

test('flat layout: classes sorted by folder name, images by file name, others skipped and counted', () =>
  withDir((dir) => {
    touch(dir, 'zebra/b.PNG', 'zebra/a.jpeg', 'ant/1.webp', 'ant/2.gif', 'ant/3.svg', 'ant/.DS_Store', 'ant/notes.txt');
    touch(dir, '.git/config', 'README.md', 'ant/deeper/x.png');
    const f = scanImageFolder(dir, LIMITS);
    assert.equal(f.layout, 'flat');
    assert.deepEqual(f.classNames, ['ant', 'zebra']);
    assert.deepEqual(
      f.train.map((e) => [e.path.slice(dir.length + 1), e.label]),
      [
        ['ant/1.webp', 0],
        ['ant/2.gif', 0],
        ['ant/3.svg', 0],
        ['zebra/a.jpeg', 1],
        ['zebra/b.PNG', 1],
      ],
    );
    assert.deepEqual(f.skipped, { hidden: 2, other: 2, folders: 1 });
    assert.equal(f.train[0]!.size, 1);
  }));

test('split layout: val and test use the train folder’s class indices and may lack classes', () =>
  withDir((dir) => {
    touch(
      dir,
      'train/cat/1.png',
      'train/dog/1.png',
      'train/emu/1.png',
      'val/dog/2.png',
      'test/cat/3.png',
      'test/emu/4.png',
    );
    const f = scanImageFolder(dir, LIMITS);
    assert.equal(f.layout, 'split');
    assert.deepEqual(f.classNames, ['cat', 'dog', 'emu']);
    assert.deepEqual(
      f.val!.map((e) => e.label),
      [1],
    );
    assert.deepEqual(
      f.test!.map((e) => e.label),
      [0, 2],
    );
    // a class of val that train lacks is an error naming it
    touch(dir, 'val/fox/1.png');
    assert.throws(() => scanImageFolder(dir, LIMITS), /val\/fox: class 'fox' is not one of the train folder's classes/);
  }));

test('a train/ folder alone is a class called train (flat layout)', () =>
  withDir((dir) => {
    touch(dir, 'train/1.png', 'other/1.png');
    assert.deepEqual(scanImageFolder(dir, LIMITS).classNames, ['other', 'train']);
  }));

test('errors name the folder or file: empty class, one class, missing folder, too many, too large', () =>
  withDir((dir) => {
    touch(dir, 'a/1.png', 'b/readme.txt');
    assert.throws(
      () => scanImageFolder(dir, LIMITS),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === `${join(dir, 'b')}: class folder holds no images (.png .jpg .jpeg .webp .gif .svg)`,
    );
    rmSync(join(dir, 'b'), { recursive: true });
    assert.throws(() => scanImageFolder(dir, LIMITS), /found 1 class folder \(a\); expected at least 2/);
    assert.throws(() => scanImageFolder(join(dir, 'nope'), LIMITS), /nope: no such folder/);
    assert.throws(() => scanImageFolder(join(dir, 'a', '1.png'), LIMITS), /1\.png: not a folder/);
    touch(dir, 'b/1.png', 'b/2.png');
    assert.throws(
      () => scanImageFolder(dir, { maxFiles: 2, maxFileBytes: 1024 }),
      /holds more than 2 images \(the limit; raise POLYTASK_MAX_IMAGES/,
    );
    writeFileSync(join(dir, 'b', '3.png'), Buffer.alloc(3000));
    assert.throws(
      () => scanImageFolder(dir, { maxFiles: 100, maxFileBytes: 1024 }),
      /b\/3\.png: is 3 KiB, larger than the 1 KiB an image may be/,
    );
  }));

test('symbolic links are followed once: a linked class folder counts, a loop inside one is skipped', () =>
  withDir((dir) => {
    touch(dir, 'data/a/1.png', 'elsewhere/2.png', 'elsewhere/3.png');
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'data', 'b'));
    symlinkSync(join(dir, 'data'), join(dir, 'elsewhere', 'loop')); // data/b/loop -> data
    symlinkSync(join(dir, 'missing.png'), join(dir, 'data', 'a', 'dangling.png'));
    const f = scanImageFolder(join(dir, 'data'), LIMITS);
    assert.deepEqual(f.classNames, ['a', 'b']);
    assert.equal(f.train.length, 3);
    assert.deepEqual(f.skipped, { hidden: 0, other: 1, folders: 1 });
  }));

test('scan limits come from the environment and are checked', () => {
  assert.deepEqual(scanLimits({ POLYTASK_MAX_IMAGES: '10', POLYTASK_MAX_IMAGE_BYTES: '2K' }), {
    maxFiles: 10,
    maxFileBytes: 2048,
  });
  assert.throws(
    () => scanLimits({ POLYTASK_MAX_IMAGES: 'lots' }),
    /POLYTASK_MAX_IMAGES: expected a positive whole number/,
  );
});
