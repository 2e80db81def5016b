/**
 * Text as a source: a column of strings in a CSV, TSV or JSONL file, or one `.txt` file per
 * example in class folders (flat, or `train/` with `val/` and/or `test/`, the held-out one the
 * test split, as image folders), turned into token ids [maxLength] (float32, cut or padded with
 * the padding id) by a tokenizer: the one `tokenizer:` names, or a word vocabulary built from the
 * training split alone (text/tokenizer.ts) when `loadData` calls `fit`.
 *
 * @example
 * const d = await loadData({ source: 'text', file: 'reviews.csv', textColumn: 'review', label: 'sentiment', maxLength: 32, ... }, 0);
 * d.featureShape;          // [32]
 * d.tokenizer!.vocabSize;  // words of the training split + [PAD], [UNK]
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { ValueError } from '../../core/errors.js';
import { classesOf } from '../class-folders.js';
import { checkFileSize, readLimits } from '../read-limits.js';
import { readTextFolder, readTextTable } from '../text/read.js';
import { TextTokenizer } from '../text/tokenizer.js';
import type { Pool, PoolSet } from './pool.js';
import type { TextDataConfig } from './schema.js';

/**
 * The tokenizer.json at `file`, read and checked.
 *
 * @example
 * readTokenizer('runs/…/tokenizer.json').padId; // 0
 */
export function readTokenizer(file: string): TextTokenizer {
  checkFileSize(file, readLimits(), 8, 'a tokenizer.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(file, code === 'ENOENT' ? 'no such tokenizer file' : `cannot be read (${code ?? 'error'})`);
  }
  return TextTokenizer.fromJson(text, file);
}

/** The examples of a text config, encoded once `fit` has chosen the tokenizer. */
export function textPool(d: TextDataConfig): Pool {
  if ((d.file === undefined) === (d.dir === undefined))
    throw new ValueError(
      'data',
      'a text source takes file (a CSV, TSV or JSONL table) or dir (class folders), one of them',
    );
  const given = d.tokenizer === undefined ? undefined : readTokenizer(d.tokenizer);
  if (d.testFile !== undefined && d.file === undefined)
    throw new ValueError('data.testFile', 'goes with file (a table of texts), not with dir');
  let texts: string[];
  let labels: Int32Array;
  let classNames: string[];
  let files: string[];
  // the held-out split: a test table's (testFile) or a class folder's own val/ or test/
  let held: { texts: string[]; labels: Int32Array; files?: string[]; name?: string } | undefined;
  if (d.heldOut !== undefined && d.file !== undefined)
    throw new ValueError('data.heldOut', 'applies to class folders (dir) with train/ and val/ or test/, not to a file');
  if (d.file !== undefined) {
    const table = readTextTable(d.file, d.textColumn, d.label);
    files = [d.file];
    if (d.testFile === undefined) {
      ({ classNames, labels } = classesOf(table.labels));
      texts = table.texts;
    } else {
      // one class list over both tables, so a class seen only in testing keeps its index
      const test = readTextTable(d.testFile, d.textColumn, d.label);
      const both = classesOf([...table.labels, ...test.labels]);
      classNames = both.classNames;
      const n = table.labels.length;
      texts = table.texts;
      labels = both.labels.slice(0, n);
      held = { texts: test.texts, labels: both.labels.slice(n) };
      files.push(d.testFile);
    }
  } else {
    let test: ReturnType<typeof readTextFolder>['test'];
    ({ texts, labels, classNames, files, test } = readTextFolder(d.dir!, d.heldOut));
    if (test !== undefined) held = { texts: test.texts, labels: test.labels, files: test.files, name: `${test.held}/` };
  }
  let tokenizer: TextTokenizer | undefined = given;
  const vocabulary = {
    options: { lowercase: d.lowercase, minCount: d.minCount, maxSize: d.vocabSize },
    texts: (rows: ArrayLike<number>): string[] => Array.from(rows, (i) => texts[i]!),
  };
  const setOf = (rowTexts: readonly string[], rowLabels: Int32Array): PoolSet => ({
    labels: rowLabels,
    featureShape: [d.maxLength],
    rows: (indices) => {
      if (tokenizer === undefined)
        throw new ValueError('text source', 'rows read before the tokenizer was chosen (fit)');
      return tokenizer.encode(
        Array.from(indices, (i) => rowTexts[i]!),
        d.maxLength,
      );
    },
  });
  return {
    set: setOf(texts, labels),
    ...(held === undefined ? {} : { test: setOf(held.texts, held.labels) }),
    classNames,
    description: `text ${d.file ?? `folders ${d.dir!}`}${held?.name === undefined ? '' : `, test split ${held.name}`}`,
    files: [...files, ...(held?.files ?? []), ...(d.tokenizer === undefined ? [] : [d.tokenizer])].map((f) =>
      path.resolve(f),
    ),
    fit: (trainRows, shared) => {
      tokenizer ??= shared ?? TextTokenizer.build(vocabulary.texts(trainRows), vocabulary.options);
      return tokenizer;
    },
    // a tokenizer given by file is the vocabulary: nothing to share
    ...(given === undefined ? { vocabulary } : {}),
  };
}
