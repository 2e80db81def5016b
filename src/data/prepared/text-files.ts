/**
 * What the text data sets (wordnet, fortunes, brown, spam) share when they build: a seeded,
 * stratified split of their examples (by a group, such as a Brown document, where examples of one
 * group must stay on one side), the train and test CSV files a `source: text` reads (`file` and
 * `testFile`), and an unlabelled text file (one example a line) for pre-training. Every file is
 * written atomically, and a complete file from an interrupted build is kept.
 *
 * @example
 * const rows = [{ text: 'a cat', label: 'noun' }, { text: 'to run', label: 'verb' }];
 * writeTextSplit(dir, 'glosses', rows, ['label'], { seed: 0, testFraction: 0.5, stratify: 'label' });
 * // glosses-train.csv and glosses-test.csv, columns text,label; unlabelled.txt (one text a line)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { ValueError } from '../../core/errors.js';
import { trainTestSplit } from '../split.js';
import { writeFileAtomicSync } from '../../io/atomic.js';

/** One example: its text and its label columns (all strings). */
export type TextRow = { text: string } & Record<string, string>;

export interface TextSplitOptions {
  seed: number;
  /** Fraction of the examples (or groups) held out for testing. */
  testFraction: number;
  /** The column the split keeps in proportion (each class split on its own). */
  stratify: string;
  /** A column whose values are kept on one side (a document's passages). */
  group?: string;
}

/** The names of the files writeTextSplit writes for `stem`. */
export const splitFiles = (stem: string): { file: string; testFile: string } => ({
  file: `${stem}-train.csv`,
  testFile: `${stem}-test.csv`,
});

/** The file of unlabelled texts (one a line) a build writes beside its splits. */
export const UNLABELLED_FILE = 'unlabelled.txt';

// eslint-disable-next-line no-control-regex -- these are the characters to remove
const OVERSTRIKE = /[^\n]\x08/g;
// eslint-disable-next-line no-control-regex -- these are the characters to remove
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/**
 * Whitespace (newlines, tabs, runs of spaces) to one space, backspace overstriking removed, trimmed:
 * one line per text, so the unlabelled file and line-oriented readers see one example a line.
 *
 * @example
 * oneLine('  to\tbe\n or_\bnot '); // 'to be or not'
 */
export function oneLine(text: string): string {
  return (
    text
      // terminal overstriking: "_\bx" underlines x, "x\bx" bolds it
      .replace(OVERSTRIKE, '')
      .replace(CONTROL, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Which rows go to the test side: whole groups when `group` is set, each stratum on its own. */
function testRows(rows: readonly TextRow[], o: TextSplitOptions): Uint8Array {
  const key = (r: TextRow): string => (o.group === undefined ? '' : r[o.group]!);
  // units are rows, or groups; each unit's stratum is its first row's
  const units = new Map<string, { stratum: string; rows: number[] }>();
  rows.forEach((r, i) => {
    const k = o.group === undefined ? String(i) : key(r);
    const u = units.get(k) ?? { stratum: r[o.stratify]!, rows: [] };
    u.rows.push(i);
    units.set(k, u);
  });
  const list = [...units.values()];
  const strata = [...new Set(list.map((u) => u.stratum))].sort();
  const split = trainTestSplit(list.length, {
    testFraction: o.testFraction,
    seed: o.seed,
    stratify: list.map((u) => strata.indexOf(u.stratum)),
  });
  const out = new Uint8Array(rows.length);
  for (const u of split.test) for (const i of list[u]!.rows) out[i] = 1;
  return out;
}

/**
 * Writes `rows` as `<stem>-train.csv` and `<stem>-test.csv` (columns text and `columns`), split by
 * `o`, and the texts of every row to unlabelled.txt unless `unlabelled` is false. Files already
 * complete (from an interrupted build of the same seed) are kept. Returns the counts.
 *
 * @example
 * writeTextSplit(dir, 'quotes', rows, ['category'], { seed: 0, testFraction: 0.2, stratify: 'category' }).test;
 */
export function writeTextSplit(
  dir: string,
  stem: string,
  rows: readonly TextRow[],
  columns: readonly string[],
  o: TextSplitOptions,
  unlabelled = true,
): { train: number; test: number } {
  if (rows.length === 0) throw new ValueError(`prepared ${stem}`, 'no examples were found in the raw material');
  const inTest = testRows(rows, o);
  const header = ['text', ...columns];
  const table = (side: number): string =>
    stringify(
      rows.filter((_, i) => inTest[i] === side).map((r) => header.map((c) => r[c] ?? '')),
      { header: true, columns: header },
    );
  const { file, testFile } = splitFiles(stem);
  const write = (name: string, body: () => string): void => {
    const at = join(dir, name);
    if (!existsSync(at)) writeFileAtomicSync(at, body());
  };
  write(file, () => table(0));
  write(testFile, () => table(1));
  if (unlabelled) write(UNLABELLED_FILE, () => `${rows.map((r) => r.text).join('\n')}\n`);
  const test = inTest.reduce((a, b) => a + b, 0);
  return { train: rows.length - test, test };
}

/**
 * `rows` in a seeded random order cut to `limit` (all of them in file order when no limit): a
 * small build for tests that still holds every class of any size.
 *
 * @example
 * capRows(rows, 100, 0).length; // 100
 */
export function capRows<T>(rows: readonly T[], limit: number | undefined, seed: number): T[] {
  if (limit === undefined || limit >= rows.length) return [...rows];
  if (!Number.isInteger(limit) || limit < 1)
    throw new ValueError('prepared data set', `limit must be a positive integer, got ${limit}`);
  const split = trainTestSplit(rows.length, { testFraction: limit / rows.length, seed });
  return [...split.test].sort((a, b) => a - b).map((i) => rows[i]!);
}
