/**
 * Text examples as written by people: a column of strings and a column of labels in a CSV, TSV
 * or JSONL file, or one `.txt` file per example in one folder per class. Labels are kept as the
 * strings they are in the file; class names and indices come from `classesOf`. Class folders
 * may also come as `train/` with `val/` and/or `test/` (the folder's own splits), as image folders. Every error names
 * the file, and the row or line, and what was expected.
 *
 * @example
 * const t = readTextTable('reviews.csv', 'review', 'sentiment');
 * t.texts[0];  // 'A quiet, moving film.'
 * t.labels[0]; // 'positive'
 */
import * as fs from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CSV_RECORD_OPTIONS } from '../csv.js';
import { FormatError, ValueError } from '../../core/errors.js';
import { isJsonObject, snippet } from '../../io/untrusted.js';
import { heldOutSplit, scanClassFolders, TEXT_FILES, type ClassFile } from '../class-folders.js';
import { CSV_BYTES_PER_BYTE, checkAllocation, checkFileSize, readLimits } from '../read-limits.js';

/** Texts and their labels as strings, in file order. */
export interface TextTable {
  texts: string[];
  labels: string[];
}

/** Texts with class indices already known (class folders). */
export interface TextFolder {
  texts: string[];
  labels: Int32Array;
  classNames: string[];
  files: string[];
  /** The split layout's held-out folder (`val/` or `test/`): the folder's own test split. */
  test?: { held: 'val' | 'test'; texts: string[]; labels: Int32Array; files: string[] };
}

function readText(file: string, factor: number, what: string): string {
  checkFileSize(file, readLimits(), factor, what);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(file, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`);
  }
}

function missingColumn(file: string, which: string, name: string, names: readonly string[]): ValueError {
  const shown = names.slice(0, 8).map((n) => `"${snippet(n, 20)}"`);
  return new ValueError(
    file,
    `no ${which} column "${snippet(name, 40)}" (columns: ${shown.join(', ')}${names.length > 8 ? ', …' : ''})`,
  );
}

function readDelimited(file: string, delimiter: string, textColumn: string, label: string | undefined): TextTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // texts keep their spaces: the one difference from the other CSV readers
    records = parse(readText(file, CSV_BYTES_PER_BYTE, 'a CSV file'), {
      ...CSV_RECORD_OPTIONS,
      trim: false,
      delimiter,
    }) as unknown as typeof records;
  } catch (err) {
    throw new FormatError(file, `not valid CSV (${snippet((err as Error).message, 120)})`);
  }
  const header = records[0]?.record;
  if (header === undefined) throw new FormatError(file, 'file is empty (expected a header row of column names)');
  const t = header.indexOf(textColumn);
  const l = label === undefined ? -1 : header.indexOf(label);
  if (t < 0) throw missingColumn(file, 'text', textColumn, header);
  if (label !== undefined && l < 0) throw missingColumn(file, 'label', label, header);
  const out: TextTable = { texts: [], labels: [] };
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    if (record.length !== header.length)
      throw new FormatError(
        file,
        `row ${r} (line ${info.lines}) has ${record.length} fields, the header has ${header.length}`,
      );
    out.texts.push(record[t]!);
    if (label === undefined) continue;
    const value = record[l]!.trim();
    if (value === '')
      throw new FormatError(file, `row ${r} (line ${info.lines}), column "${snippet(label, 20)}": empty label`);
    out.labels.push(value);
  }
  return out;
}

function readJsonl(file: string, textColumn: string, label: string | undefined): TextTable {
  const out: TextTable = { texts: [], labels: [] };
  const lines = readText(file, CSV_BYTES_PER_BYTE, 'a JSONL file').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const at = `line ${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new FormatError(file, `${at}: not valid JSON (${snippet((err as Error).message, 80)})`);
    }
    if (!isJsonObject(row)) throw new FormatError(file, `${at}: expected a JSON object per line`);
    const text = Object.hasOwn(row, textColumn) ? row[textColumn] : undefined;
    if (typeof text !== 'string')
      throw new FormatError(
        file,
        `${at}: field "${snippet(textColumn, 20)}" must be a string, got ${text === undefined ? 'nothing' : typeof text}`,
      );
    out.texts.push(text);
    if (label === undefined) return;
    const value = Object.hasOwn(row, label) ? row[label] : undefined;
    if ((typeof value !== 'string' || value.trim() === '') && !(typeof value === 'number' && Number.isFinite(value)))
      throw new FormatError(
        file,
        `${at}: field "${snippet(label, 20)}" must be a non-empty string or a number (the label)`,
      );
    out.labels.push(String(value).trim());
  });
  return out;
}

/**
 * The text and label columns of a `.csv`, `.tsv` or `.jsonl` file (the texts only, without `label`).
 *
 * @example
 * readTextTable('tweets.jsonl', 'text', 'label').texts.length; // one per non-empty line
 */
export function readTextTable(file: string, textColumn: string, label?: string): TextTable {
  const ext = extname(file).toLowerCase();
  let table: TextTable;
  if (ext === '.jsonl' || ext === '.ndjson') table = readJsonl(file, textColumn, label);
  else if (ext === '.csv' || ext === '.tsv')
    table = readDelimited(file, ext === '.tsv' ? '\t' : ',', textColumn, label);
  else throw new ValueError(file, `expected a .csv, .tsv or .jsonl file of texts, got "${snippet(ext || file, 20)}"`);
  if (table.texts.length === 0) throw new FormatError(file, 'has no examples (only a header, or empty)');
  return table;
}

/**
 * The `.txt` files of `dir/<class>/`, or of `dir/train/<class>/` with the held-out folder
 * (`heldOut`: `val`, by default when there is one, else `test`) as the test split, one example
 * each (read as UTF-8), scanned with the class-folder limits (POLYTASK_MAX_FILES,
 * POLYTASK_MAX_FILE_BYTES).
 *
 * @example
 * readTextFolder('reviews').classNames; // ['negative', 'positive']
 * readTextFolder('reviews-split').test?.held; // 'val'
 */
export function readTextFolder(dir: string, heldOut?: 'val' | 'test'): TextFolder {
  const folder = scanClassFolders(dir, TEXT_FILES);
  const split = heldOutSplit(folder, heldOut, dir);
  const examples = [...folder.train, ...(split?.test ?? [])];
  let bytes = 0;
  for (const e of examples) bytes += e.size;
  checkAllocation(dir, bytes * CSV_BYTES_PER_BYTE, readLimits(), `reading ${examples.length} text files`);
  const read = (entries: readonly ClassFile[]) => ({
    texts: entries.map((e) => readText(e.path, 1, 'a text file')),
    labels: Int32Array.from(entries, (e) => e.label),
    files: entries.map((e) => e.path),
  });
  return {
    ...read(folder.train),
    classNames: folder.classNames,
    ...(split === undefined ? {} : { test: { held: split.held, ...read(split.test) } }),
  };
}

/**
 * The lines of a text file that hold something, one example each (for `predict`).
 *
 * @example
 * readTextLines('new-reviews.txt'); // ['great fun', 'dull and long']
 */
export function readTextLines(file: string): string[] {
  const lines = readText(file, CSV_BYTES_PER_BYTE, 'a text file')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new FormatError(file, 'has no line of text');
  return lines;
}
