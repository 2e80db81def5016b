/**
 * Image folders through the real `polytask` command: bad folders and images fail with one line
 * naming the file or folder, a non-zero exit and no run directory; a CNN trained on a generated
 * folder of red and blue squares reaches high accuracy, and `predict` on new PNGs (files and a
 * folder) prints the class names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { encodeRaw, noisySquare, writeColourFolder } from '../data/image-folder/fixtures.js';
import { polytask, withTempDir } from './helpers.js';

const RED = [220, 40, 40] as const;
const BLUE = [40, 40, 220] as const;

/** Run directories of a runs root (the index database is not one). */
const runDirs = (root: string): string[] =>
  existsSync(root) ? readdirSync(root).filter((n) => !n.startsWith('index.sqlite')) : [];

/** stderr lines that are not Node's own warnings. */
const errorLines = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('(node:') && !l.startsWith('(Use `node'));

const TRAIN = ['train', '--set', 'data.source=images', '--arch', 'cnn', '--epochs', '1', '--no-report'];

test('bad image folders fail before any run directory: one line naming the file or folder', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const data = join(dir, 'data');
    await writeColourFolder(data, { blue: BLUE, red: RED }, 4, { formats: ['png', 'jpg'] });
    writeFileSync(join(data, 'red', 'broken.png'), 'not really a png');
    writeFileSync(join(data, 'blue', 'cut.jpg'), readFileSync(join(data, 'blue', '001.jpg')).subarray(0, 30));
    mkdirSync(join(data, 'green'));
    writeFileSync(join(data, 'green', 'notes.txt'), 'no images here');
    const cases: [string[], RegExp][] = [
      [['--set', `data.dir=${data}`], /green: class folder holds no images/],
      [['--set', `data.dir=${join(dir, 'missing')}`], /missing: no such folder/],
      [['--set', `data.dir=${data}`, '--set', 'data.size=0'], /data\.size/],
      [['--set', `data.dir=${data}`, '--set', 'data.resize=squash'], /data\.resize/],
    ];
    for (const [args, pattern] of cases) {
      const r = await polytask([...TRAIN, ...args], { runsDir: runs });
      assert.ok(r.code === 1 || r.code === 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = errorLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^polytask: /);
      assert.match(lines[0]!, pattern);
      assert.deepEqual(runDirs(runs), [], 'no run directory');
    }
    rmSync(join(data, 'green'), { recursive: true });
    const r = await polytask([...TRAIN, '--set', `data.dir=${data}`], { runsDir: runs });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(errorLines(r.stderr), [
      `polytask: ${join(data, 'blue', 'cut.jpg')}: JPEG does not decode (${/\(([^)]*)\)/.exec(r.stderr)?.[1]}); and 1 other file does not decode either`,
    ]);
    assert.deepEqual(runDirs(runs), []);
    rmSync(join(data, 'blue'), { recursive: true });
    rmSync(join(data, 'red', 'broken.png'));
    const one = await polytask([...TRAIN, '--set', `data.dir=${data}`], { runsDir: runs });
    assert.match(errorLines(one.stderr)[0]!, /found 1 class folder \(red\); expected at least 2/);
    assert.deepEqual(runDirs(runs), []);
  }));

test('train a CNN on red and blue squares, then predict new PNGs by class name', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const data = join(dir, 'squares');
    await writeColourFolder(data, { blue: BLUE, red: RED }, 40, { size: 20, svg: true });
    const trained = await polytask(
      [
        ...TRAIN,
        '--set',
        `data.dir=${data}`,
        '--set',
        'data.size=16',
        '--set',
        'data.augment.flip=true',
        '--set',
        'data.augment.resizedCrop.scale=[0.5,1]',
        '--set',
        'data.normalize.mean=[0.5,0.5,0.5]',
        '--set',
        'data.normalize.std=[0.5,0.5,0.5]',
        '--set',
        'model.channels=[4,8]',
        '--set',
        'model.hidden=16',
        '--epochs',
        '4',
        '--batch-size',
        '16',
        '--json',
      ],
      { runsDir: runs },
    );
    assert.equal(trained.code, 0, trained.stderr);
    const result = JSON.parse(trained.stdout) as { run: string; accuracy: number };
    assert.ok(result.accuracy >= 0.95, `test accuracy ${result.accuracy}`);
    const fresh = join(dir, 'fresh');
    mkdirSync(fresh);
    const rng = new Rng(99);
    writeFileSync(join(fresh, 'a.png'), await encodeRaw(noisySquare(33, RED, rng), 33, 33, 3, 'png'));
    writeFileSync(join(fresh, 'b.png'), await encodeRaw(noisySquare(25, BLUE, rng), 25, 25, 3, 'png'));
    writeFileSync(join(fresh, 'c.png'), await encodeRaw(noisySquare(40, RED, rng), 40, 40, 3, 'png'));
    const files = await polytask(['predict', result.run, '-i', join(fresh, 'a.png'), join(fresh, 'b.png')], {
      runsDir: runs,
    });
    assert.equal(files.code, 0, files.stderr);
    const lines = files.stdout.trim().split('\n');
    assert.match(lines[0]!, /^index\s+file\s+class\s+name\s+probability$/);
    assert.match(lines[1]!, /^0\s+\S+a\.png\s+1\s+red\s+/);
    assert.match(lines[2]!, /^1\s+\S+b\.png\s+0\s+blue\s+/);
    const folder = await polytask(['predict', result.run, '-i', fresh, '--json'], { runsDir: runs });
    assert.equal(folder.code, 0, folder.stderr);
    const rows = (JSON.parse(folder.stdout) as { predictions: { file: string; name: string }[] }).predictions;
    assert.deepEqual(
      rows.map((p) => [p.file.slice(fresh.length + 1), p.name]),
      [
        ['a.png', 'red'],
        ['b.png', 'blue'],
        ['c.png', 'red'],
      ],
    );
    const evaluated = await polytask(['eval', result.run, '--json'], { runsDir: runs });
    assert.deepEqual((JSON.parse(evaluated.stdout) as { classNames: string[] }).classNames, ['blue', 'red']);
    // a broken image among the inputs: one line naming it, no output file
    writeFileSync(join(fresh, 'd.png'), 'garbage');
    const out = join(dir, 'p.csv');
    const bad = await polytask(['predict', result.run, '-i', fresh, '-o', out], { runsDir: runs });
    assert.equal(bad.code, 1);
    assert.deepEqual(errorLines(bad.stderr), [
      `polytask: ${join(fresh, 'd.png')}: not a PNG, JPEG, WebP, GIF or SVG image (unknown first bytes)`,
    ]);
    assert.equal(existsSync(out), false);
  }));
