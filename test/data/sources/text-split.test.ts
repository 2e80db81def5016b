import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '../../../src/core/errors.js';
import { dataSchema, loadData } from '../../../src/data/sources/index.js';

/** Writes `dir/<split>/<class>/<i>.txt`: texts made of the class's word and the split's word. */
function writeSplit(dir: string, split: string, perClass: number): void {
  for (const cls of ['cold', 'hot'])
    for (let i = 0; i < perClass; i++) {
      mkdirSync(join(dir, split, cls), { recursive: true });
      writeFileSync(join(dir, split, cls, `${i}.txt`), `${cls} ${split}word${i}`);
    }
}

const load = (config: Record<string, unknown>) =>
  loadData(dataSchema.parse({ source: 'text', maxLength: 4, testFraction: 0.5, ...config }), 0);

test('text class folders in the train/val/test layout: the held-out folder is the test split, the vocabulary from train/ alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-text-split-'));
  try {
    writeSplit(dir, 'train', 5);
    writeSplit(dir, 'val', 2);
    writeSplit(dir, 'test', 3);
    const d = await load({ dir });
    assert.deepEqual(d.classNames, ['cold', 'hot']);
    // every train/ file trains (testFraction does not apply), val/ is the test split
    assert.equal(d.train.length, 10);
    assert.equal(d.test.length, 4);
    assert.match(d.description, /, test split val\//);
    assert.equal(d.files.length, 14);
    assert.ok(d.files.every((f) => !f.includes(`${join(dir, 'test')}/`)));
    // train/'s words are known; val/'s own words are [UNK] (the vocabulary saw train/ only)
    const unk = d.tokenizer!.encode(['zzz'], 1)[0]!;
    const test0 = Array.from(d.test.features.subarray(0, 4) as Float32Array);
    assert.notEqual(test0[0], unk); // the class word
    assert.equal(test0[1], unk); // valword0
    assert.ok(Array.from(d.train.features as Float32Array).every((v, i) => i % 4 > 1 || v !== unk));
    // the labels follow the folders
    assert.deepEqual(Array.from(d.test.labels), [0, 0, 1, 1]);

    const t = await load({ dir, heldOut: 'test' });
    assert.equal(t.test.length, 6);
    assert.match(t.description, /, test split test\//);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('heldOut is refused where there is nothing to choose from: a flat folder, a missing split, a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-text-split-'));
  try {
    writeSplit(join(dir, 'flat'), '.', 3);
    await assert.rejects(
      load({ dir: join(dir, 'flat'), heldOut: 'val' }),
      (e: Error) =>
        e instanceof ValueError && e.message.startsWith('data.heldOut: ') && e.message.includes('has no train/'),
    );
    const flat = await load({ dir: join(dir, 'flat') });
    assert.equal(flat.train.length + flat.test.length, 6); // the flat layout is split by testFraction
    writeSplit(join(dir, 'onlyval'), 'train', 2);
    writeSplit(join(dir, 'onlyval'), 'val', 1);
    await assert.rejects(
      load({ dir: join(dir, 'onlyval'), heldOut: 'test' }),
      (e: Error) =>
        e instanceof ValueError && e.message === `data.heldOut: ${join(dir, 'onlyval')} has no test/ folder`,
    );
    writeFileSync(join(dir, 't.csv'), 'text,label\na,x\nb,y\n');
    await assert.rejects(load({ file: join(dir, 't.csv'), heldOut: 'val' }), /data\.heldOut: applies to class folders/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
