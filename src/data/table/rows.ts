/**
 * The rows of a table file, streamed: CSV and TSV through `csv-parse`'s streaming parser (CRLF, a
 * byte-order mark; CSV fields may be quoted, TSV fields are taken as written, quotes included, as
 * the TSV format has no quoting), JSONL (one JSON object a line) line by line. Nothing but the current
 * row is held, so a table of any size can be read into numbers with bounded memory (read.ts).
 * The format comes from the file's extension: `.tsv`/`.tab` tab-separated, `.jsonl`/`.ndjson`
 * JSON lines, anything else comma-separated; a `delimiter` replaces the separator of CSV/TSV.
 *
 * @example
 * const t = await openTable('iris.tsv');
 * t.header;                       // ['sepal_length', ..., 'species']
 * for await (const r of t.records) r.cells; // ['5.1', '3.5', '1.4', '0.2', 'setosa'], r.row 1, r.line 2
 */
import * as fs from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { checkHeader, CSV_RECORD_OPTIONS, raggedRow } from './parse.js';
import { FormatError, ValueError } from '../../core/errors.js';
import { checkDeclared } from '../../core/size-limits.js';
import { isJsonObject, snippet } from '../../io/untrusted.js';

/** How a table file is written. */
export type TableFormat = 'csv' | 'tsv' | 'jsonl';

/** One data row: its cells as text (trimmed; '' for an empty or null cell), its number (1 = first after the header) and its line. */
export interface TableRecord {
  cells: string[];
  row: number;
  line: number;
}

/** An open table: its column names and its rows, to be read once. */
export interface OpenTable {
  file: string;
  format: TableFormat;
  header: string[];
  records: AsyncGenerator<TableRecord, void, undefined>;
}

/** The longest record (one row) csv-parse may assemble, in characters: a file without line breaks is not a table. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

/**
 * The format and separator of a table file, from its extension and an optional delimiter.
 *
 * @example
 * tableFormat('x.tsv'); // { format: 'tsv', delimiter: '\t' }
 */
export function tableFormat(file: string, delimiter?: string): { format: TableFormat; delimiter: string } {
  const ext = extname(file).toLowerCase();
  const format: TableFormat =
    ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : ext === '.tsv' || ext === '.tab' ? 'tsv' : 'csv';
  if (delimiter !== undefined) {
    if (format === 'jsonl') throw new ValueError('data.delimiter', `${file} is JSON lines, which have no delimiter`);
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')
      throw new ValueError(
        'data.delimiter',
        `expected one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`,
      );
  }
  return { format, delimiter: delimiter ?? (format === 'tsv' ? '\t' : ',') };
}

/**
 * The fields of the first line (delimiters plus one, an upper bound), counted from the bytes
 * without holding them: a huge header is refused before it is parsed.
 *
 * @example
 * headerFields('a.csv', ','); // 5
 */
export function headerFields(file: string, delimiter: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const d = delimiter.charCodeAt(0);
    let n = 1;
    for (;;) {
      const got = fs.readSync(fd, buf, 0, buf.length, null);
      if (got === 0) return n;
      for (let i = 0; i < got; i++) {
        if (buf[i] === 10) return n;
        if (buf[i] === d) n++;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A file that cannot be opened is named before any stream starts.
 *
 * @example
 * checkReadable('data.csv'); // throws ENOENT naming it when it is not there
 */
export function checkReadable(file: string): void {
  // a missing or unreadable file is the system's error (with its path), which the CLI words as for every reader
  if (!fs.statSync(file).isFile()) throw new FormatError(file, 'is not a file');
}

interface Raw {
  cells: string[];
  line: number;
}

async function* csvRecords(file: string, delimiter: string, quoted: boolean): AsyncGenerator<Raw, void, undefined> {
  const input = fs.createReadStream(file);
  const parser = parse({
    ...CSV_RECORD_OPTIONS,
    delimiter,
    ...(quoted ? {} : { quote: false }),
    max_record_size: MAX_RECORD_CHARS,
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  try {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>)
      yield { cells: r.record, line: r.info.lines };
  } catch (err) {
    throw new FormatError(file, `not valid CSV (${snippet((err as Error).message, 120)})`);
  } finally {
    input.destroy();
  }
}

/** A JSON value as a cell: numbers and strings as text, null as empty; anything else is not a cell. */
function jsonCell(v: unknown, file: string, line: number, key: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new FormatError(
    file,
    `line ${line}, key "${snippet(key, 20)}": expected a number, a string or null, got ${Array.isArray(v) ? 'an array' : 'an object'}`,
  );
}

/**
 * One line of a JSONL table (`header` null on the first object, which names the columns): its
 * cells, or null for a blank line. The first object's line yields its keys as `header` first.
 *
 * @example
 * jsonlRow('{"a": 1}', 1, 'x.jsonl', null); // { header: ['a'], cells: ['1'] }
 */
export function jsonlRow(
  raw: string,
  line: number,
  file: string,
  header: string[] | null,
): { header: string[]; cells: string[] } | null {
  const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
  if (text.trim() === '') return null;
  if (text.length > MAX_RECORD_CHARS)
    throw new FormatError(file, `line ${line} is longer than ${MAX_RECORD_CHARS} characters`);
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new FormatError(file, `line ${line}: not valid JSON (${snippet((err as Error).message, 80)})`);
  }
  if (!isJsonObject(obj)) throw new FormatError(file, `line ${line}: expected a JSON object of column values`);
  let columns = header;
  if (columns === null) {
    columns = Object.keys(obj);
    checkDeclared(`${file}: line ${line}`, 'columns', columns.length);
  }
  const known = new Set(columns);
  const extra = Object.keys(obj).find((k) => !known.has(k));
  if (extra !== undefined)
    throw new FormatError(
      file,
      `line ${line}: key "${snippet(extra, 20)}" is not a column of the first line (${columns.length} columns)`,
    );
  const o = obj;
  return { header: columns, cells: columns.map((k) => jsonCell(Object.hasOwn(o, k) ? o[k] : null, file, line, k)) };
}

async function* jsonlRecords(file: string): AsyncGenerator<Raw, void, undefined> {
  const input = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let header: string[] | null = null;
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      const got = jsonlRow(raw, line, file, header);
      if (got === null) continue;
      if (header === null) {
        header = got.header;
        yield { cells: header, line: 0 };
      }
      yield { cells: got.cells, line };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * Opens a table: reads its header (checked: no empty or repeated names, no more columns than the
 * limit) and returns the rest as a stream of records. A row with the wrong number of fields is an
 * error naming its row and line.
 *
 * @example
 * const { header, records } = await openTable('data.jsonl');
 */
export async function openTable(file: string, opts: { delimiter?: string } = {}): Promise<OpenTable> {
  const { format, delimiter } = tableFormat(file, opts.delimiter);
  checkReadable(file);
  if (format !== 'jsonl') {
    checkDeclared(`${file}: header`, 'columns', headerFields(file, delimiter));
  }
  const raw = format === 'jsonl' ? jsonlRecords(file) : csvRecords(file, delimiter, format === 'csv');
  const first = await raw.next();
  if (first.done === true) {
    throw new FormatError(
      file,
      format === 'jsonl'
        ? 'file is empty (expected one JSON object a line)'
        : 'file is empty (expected a header row of column names)',
    );
  }
  const header = checkHeader(first.value.cells, file);
  async function* records(): AsyncGenerator<TableRecord, void, undefined> {
    let row = 0;
    for await (const r of raw) {
      row++;
      if (r.cells.length !== header.length) throw raggedRow(file, row, r.line, r.cells.length, header.length);
      yield { cells: r.cells, row, line: r.line };
    }
  }
  return { file, format, header, records: records() };
}
