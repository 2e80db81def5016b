import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classFolderLimits, scanClassFolders, TEXT_FILES, WAV_FILES } from '../../src/data/class-folders.js';
import { loadData } from '../../src/data/sources/load.js';
import { dataSchema, type DataConfig } from '../../src/data/sources/schema.js';
import { readTextFolder, readTextLines, readTextTable } from '../../src/data/text/read.js';
import { TextTokenizer } from '../../src/data/text/tokenizer.js';
import { sentences, writeTextCsv } from '../helpers/media.js';

function withDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-text-'));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A BERT-style WordPiece tokenizer.json of 20 entries, with [CLS] ... [SEP] added around each text. */
const TINY_WORDPIECE = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [0, 1, 2, 3].map((id) => ({
    id,
    content: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'][id],
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  })),
  normalizer: {
    type: 'BertNormalizer',
    clean_text: true,
    handle_chinese_chars: true,
    strip_accents: null,
    lowercase: true,
  },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [
      { SpecialToken: { id: '[CLS]', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
    ],
    pair: [],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
    },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: {
    type: 'WordPiece',
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: 100,
    vocab: Object.fromEntries(
      [
        '[PAD]',
        '[UNK]',
        '[CLS]',
        '[SEP]',
        'the',
        'cat',
        'sat',
        'on',
        'mat',
        'un',
        '##aff',
        '##able',
        'play',
        '##ing',
        '##ed',
        'dog',
        '.',
        ',',
        'a',
        'is',
      ].map((t, i) => [t, i]),
    ),
  },
};

test('a given WordPiece tokenizer.json gives the ids it defines, with its special tokens, padded and cut', () => {
  const tok = TextTokenizer.fromJson(JSON.stringify(TINY_WORDPIECE), 'tiny.json');
  assert.equal(tok.vocabSize, 20);
  assert.equal(tok.padId, 0); // no padding section: the id of [PAD]
  // lower-cased, split on punctuation, word pieces, [UNK] for what no piece covers
  assert.deepEqual(tok.ids('The CAT sat, unaffable playing zebra.'), [2, 4, 5, 6, 17, 9, 10, 11, 12, 13, 1, 16, 3]);
  const x = tok.encode(['the dog played', 'a cat is on the mat , the dog sat'], 6);
  assert.deepEqual(Array.from(x), [2, 4, 15, 12, 14, 3, 2, 18, 5, 19, 7, 4]);
  assert.deepEqual(Array.from(tok.encode([''], 4)), [2, 3, 0, 0]);
});

test('a tokenizer.json that is not one is refused naming the file', () => {
  assert.throws(() => TextTokenizer.fromJson('{"model": 3}', 'bad.json'), /bad\.json: expected a tokenizer\.json/);
  assert.throws(() => TextTokenizer.fromJson('not json', 'bad.json'), /bad\.json: not JSON/);
  const noVocab = { ...TINY_WORDPIECE, added_tokens: [], model: { ...TINY_WORDPIECE.model, vocab: {} } };
  assert.throws(() => TextTokenizer.fromJson(JSON.stringify(noVocab), 'empty.json'), /empty\.json: .*vocabulary/);
  const badPad = { ...TINY_WORDPIECE, padding: { pad_id: 99 } };
  assert.throws(
    () => TextTokenizer.fromJson(JSON.stringify(badPad), 'pad.json'),
    /pad\.json: padding id 99 is outside the vocabulary of 20/,
  );
});

test('a built vocabulary: [PAD] 0, [UNK] 1, then words by count, ties in code-point order, minCount and maxSize', () => {
  const texts = ['Good film, good music', 'bad film', 'GOOD plot', 'Ünusual plot'];
  const tok = TextTokenizer.build(texts, { lowercase: true, minCount: 1, maxSize: 100 });
  const vocab = (JSON.parse(tok.json) as { model: { vocab: Record<string, number> } }).model.vocab;
  // good ×3, film ×2, plot ×2, then once each: ',', bad, music, unusual (accent stripped)
  assert.deepEqual(Object.keys(vocab), ['[PAD]', '[UNK]', 'good', 'film', 'plot', ',', 'bad', 'music', 'unusual']);
  assert.deepEqual(Object.values(vocab), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(tok.ids('GOOD, unseen film!'), [2, 5, 1, 3, 1]);
  const frequent = TextTokenizer.build(texts, { lowercase: true, minCount: 2, maxSize: 100 });
  assert.deepEqual(frequent.ids('good film plot bad'), [2, 3, 4, 1]);
  const small = TextTokenizer.build(texts, { lowercase: true, minCount: 1, maxSize: 4 });
  assert.equal(small.vocabSize, 4);
  assert.deepEqual(small.ids('good film plot'), [2, 3, 1]);
  const cased = TextTokenizer.build(['Good good'], { lowercase: false, minCount: 1, maxSize: 10 });
  assert.deepEqual(cased.ids('Good good GOOD'), [2, 3, 1]); // 'Good' < 'good' in code points
  assert.throws(
    () => TextTokenizer.build(texts, { lowercase: true, minCount: 1, maxSize: 2 }),
    /maxSize must be at least 3/,
  );
});

test('the built vocabulary is deterministic and survives saving: the same ids after fromJson', () => {
  const texts = sentences(30, 4).map((s) => s.text);
  const a = TextTokenizer.build(texts, { lowercase: true, minCount: 1, maxSize: 1000 });
  const b = TextTokenizer.build([...texts], { lowercase: true, minCount: 1, maxSize: 1000 });
  assert.equal(a.json, b.json);
  const loaded = TextTokenizer.fromJson(a.json, 'saved.json');
  assert.equal(loaded.vocabSize, a.vocabSize);
  assert.equal(loaded.padId, 0);
  const probe = ['the film was GREAT!', 'dull, dull plot with zebras'];
  assert.deepEqual(Array.from(loaded.encode(probe, 12)), Array.from(a.encode(probe, 12)));
  assert.ok(a.ids('zebras').every((id) => id === 1));
  // words that name parts of JavaScript's object model are words like any other
  const odd = TextTokenizer.build(['toString constructor prototype hasOwnProperty'], {
    lowercase: false,
    minCount: 1,
    maxSize: 10,
  });
  const again = TextTokenizer.fromJson(odd.json, 'odd.json');
  assert.deepEqual(again.ids('toString constructor valueOf prototype'), [5, 2, 1, 4]);
});

test('text tables: CSV with quotes and commas, TSV, JSONL; errors name the file, row or line and field', () =>
  withDir((dir) => {
    const csv = join(dir, 't.csv');
    writeFileSync(csv, 'id,review,stars\n1,"Great, really ""great""",5\n2,dull,1\n');
    assert.deepEqual(readTextTable(csv, 'review', 'stars'), {
      texts: ['Great, really "great"', 'dull'],
      labels: ['5', '1'],
    });
    assert.deepEqual(readTextTable(csv, 'review').labels, []);
    const tsv = join(dir, 't.tsv');
    writeFileSync(tsv, 'text\tlabel\nhello, world\tpos\n');
    assert.deepEqual(readTextTable(tsv, 'text', 'label'), { texts: ['hello, world'], labels: ['pos'] });
    const jsonl = join(dir, 't.jsonl');
    writeFileSync(jsonl, '{"text": "a\\nb", "label": 2}\n\n{"text": "c", "label": "x"}\n');
    assert.deepEqual(readTextTable(jsonl, 'text', 'label'), { texts: ['a\nb', 'c'], labels: ['2', 'x'] });
    assert.throws(
      () => readTextTable(csv, 'text', 'stars'),
      /t\.csv: no text column "text" \(columns: "id", "review", "stars"\)/,
    );
    assert.throws(() => readTextTable(csv, 'review', 'label'), /t\.csv: no label column "label"/);
    writeFileSync(csv, 'text,label\nok,1\nbad\n');
    assert.throws(() => readTextTable(csv, 'text', 'label'), /t\.csv: row 2 \(line 3\) has 1 fields, the header has 2/);
    writeFileSync(csv, 'text,label\nok, \n');
    assert.throws(() => readTextTable(csv, 'text', 'label'), /t\.csv: row 1 \(line 2\), column "label": empty label/);
    writeFileSync(jsonl, '{"text": "a", "label": 1}\n{"text": 5, "label": 1}\n');
    assert.throws(
      () => readTextTable(jsonl, 'text', 'label'),
      /t\.jsonl: line 2: field "text" must be a string, got number/,
    );
    writeFileSync(jsonl, '{"text": "a", "label": 1}\n{oops\n');
    assert.throws(() => readTextTable(jsonl, 'text', 'label'), /t\.jsonl: line 2: not valid JSON/);
    writeFileSync(jsonl, '{"text": "a"}\n');
    assert.throws(
      () => readTextTable(jsonl, 'text', 'label'),
      /t\.jsonl: line 1: field "label" must be a non-empty string or a number/,
    );
    writeFileSync(join(dir, 'h.csv'), 'text,label\n');
    assert.throws(() => readTextTable(join(dir, 'h.csv'), 'text', 'label'), /h\.csv: has no examples/);
    assert.throws(
      () => readTextTable(join(dir, 'x.txt'), 'text', 'label'),
      /x\.txt: expected a \.csv, \.tsv or \.jsonl file/,
    );
    assert.throws(() => readTextTable(join(dir, 'none.csv'), 'text', 'label'), /none\.csv: no such file/);
    writeFileSync(join(dir, 'lines.txt'), 'first\r\n\n  \nsecond\n');
    assert.deepEqual(readTextLines(join(dir, 'lines.txt')), ['first', 'second']);
  }));

test('class folders of .txt files: sorted classes and files, hidden entries and other files skipped', () =>
  withDir((dir) => {
    for (const [cls, files] of Object.entries({ spam: ['b.txt', 'a.txt'], ham: ['z.TXT'] })) {
      mkdirSync(join(dir, cls));
      for (const f of files) writeFileSync(join(dir, cls, f), `${cls} ${f}`);
    }
    writeFileSync(join(dir, 'spam', 'notes.md'), 'not an example');
    writeFileSync(join(dir, 'spam', '.hidden.txt'), 'hidden');
    mkdirSync(join(dir, '.git'));
    const t = readTextFolder(dir);
    assert.deepEqual(t.classNames, ['ham', 'spam']);
    assert.deepEqual(t.texts, ['ham z.TXT', 'spam a.txt', 'spam b.txt']);
    assert.deepEqual(Array.from(t.labels), [0, 1, 1]);
    mkdirSync(join(dir, 'empty'));
    assert.throws(() => readTextFolder(dir), /empty: class folder holds no \.txt files/);
    assert.throws(
      () => readTextFolder(join(dir, 'ham')),
      /ham: found 0 class folders; expected at least 2 \(DIR\/<class>\/<file>, or DIR\/train\/<class>\/\.\.\. with DIR\/val or DIR\/test\)/,
    );
    assert.throws(() => readTextFolder(join(dir, 'nowhere')), /nowhere: no such folder/);
  }));

test('text and audio folders share the image scanner: flat layout, skip counts, POLYTASK_MAX_FILES limits', () =>
  withDir((dir) => {
    for (const cls of ['ham', 'spam']) {
      mkdirSync(join(dir, cls));
      writeFileSync(join(dir, cls, 'a.txt'), cls);
      writeFileSync(join(dir, cls, 'b.txt'), cls);
    }
    writeFileSync(join(dir, 'spam', 'c.wav'), 'not text');
    mkdirSync(join(dir, 'spam', 'deeper'));
    const f = scanClassFolders(dir, TEXT_FILES);
    assert.equal(f.layout, 'flat');
    assert.deepEqual(f.classNames, ['ham', 'spam']);
    assert.equal(f.train.length, 4);
    assert.deepEqual(f.skipped, { hidden: 0, other: 1, folders: 1 });
    assert.throws(
      () => scanClassFolders(dir, TEXT_FILES, { maxFiles: 3, maxFileBytes: 1024 }),
      /holds more than 3 \.txt files \(the limit; raise POLYTASK_MAX_FILES/,
    );
    assert.throws(
      () => scanClassFolders(dir, TEXT_FILES, { maxFiles: 10, maxFileBytes: 2 }),
      /a\.txt: is .+ a \.txt file may be \(raise POLYTASK_MAX_FILE_BYTES/,
    );
    assert.throws(() => scanClassFolders(dir, WAV_FILES), /ham: class folder holds no WAV files/);
    assert.deepEqual(classFolderLimits(WAV_FILES, { POLYTASK_MAX_FILES: '7', POLYTASK_MAX_FILE_BYTES: '1K' }), {
      maxFiles: 7,
      maxFileBytes: 1024,
    });
    assert.throws(
      () => classFolderLimits(TEXT_FILES, { POLYTASK_MAX_FILES: 'x' }),
      /POLYTASK_MAX_FILES: expected a positive/,
    );
  }));

test('loadData on text: ids [maxLength], class names sorted, the vocabulary from the training split only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-text-'));
  try {
    const file = join(dir, 'r.csv');
    writeTextCsv(file, 20, 2);
    const config = (extra: object): DataConfig =>
      dataSchema.parse({ source: 'text', file, maxLength: 12, testFraction: 0.25, ...extra });
    const d = await loadData(config({}), 3);
    assert.deepEqual(d.featureShape, [12]);
    assert.deepEqual(d.classNames, ['negative', 'positive']);
    assert.equal(d.train.length + d.test.length, 40);
    const tok = d.tokenizer!;
    const vocab = new Set(Object.keys((JSON.parse(tok.json) as { model: { vocab: object } }).model.vocab));
    // every word of the training texts is in the vocabulary, and it holds nothing else
    const trainWords = new Set<string>(['[PAD]', '[UNK]']);
    const texts = sentences(20, 2).map((s) => s.text);
    const x = d.train.features as Float32Array;
    for (let i = 0; i < d.train.length; i++) {
      const row = Array.from(x.subarray(i * 12, (i + 1) * 12));
      const text = texts.find((t) => tok.encode([t], 12).every((v, j) => v === row[j]))!;
      assert.ok(text !== undefined, `training row ${i} is the encoding of one of the texts`);
      for (const w of text.toLowerCase().match(/[a-z]+|[.!]/g)!) trainWords.add(w);
    }
    assert.deepEqual([...vocab].sort(), [...trainWords].sort());
    // the same seed gives the same vocabulary; the test rows use it too (unseen words are [UNK] = 1)
    assert.equal((await loadData(config({}), 3)).tokenizer!.json, tok.json);
    // a given tokenizer is used as it is
    const tf = join(dir, 'tokenizer.json');
    writeFileSync(tf, JSON.stringify(TINY_WORDPIECE));
    const given = await loadData(config({ tokenizer: tf }), 3);
    assert.equal(given.tokenizer!.vocabSize, 20);
    assert.equal((given.train.features as Float32Array)[0], 2); // [CLS]
    await assert.rejects(loadData(config({ dir }), 0), /a text source takes file .* or dir .*, one of them/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
