/**
 * Numeric CSV tables with a header row, parsed by `csv-parse` (quoting, CRLF, BOM) and checked
 * here: every row has the header's number of fields, every cell is a number (`nan`, `inf` and
 * `-inf` included), and empty cells are missing values, allowed (as NaN) only when asked.
 *
 * @example
 * const table = readCsv('data/wine.csv', { allowMissing: true });
 * table.columns.alcohol;                          // Float64Array
 * const x = tableToTensor(table, ['alcohol', 'ash']); // float32 [rows, 2]
 */
import { checkDeclared } from '../core/size-limits.js';
import { snippet } from '../io/untrusted.js';
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { FormatError, ValueError } from '../core/errors.js';
import { setOwn } from '../io/untrusted.js';
import { Tensor } from '../tensor/index.js';
import { checkFileSize, CSV_BYTES_PER_BYTE, readLimits } from './read-limits.js';

export interface CsvOptions {
  /** Field separator; default `,`. */
  delimiter?: string;
  /** Treat empty cells as missing values (NaN) instead of an error. Default false. */
  allowMissing?: boolean;
}

/** A parsed table: column names in file order and one Float64Array per column. */
export interface CsvTable {
  names: string[];
  columns: Record<string, Float64Array>;
  rows: number;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Readonly<Record<string, number>> = {
  nan: NaN,
  NaN: NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  Infinity: Infinity,
  '-Infinity': -Infinity,
};

/** One record as csv-parse gives it with `info`: its cells and the line it ends on. */
export interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * How every CSV reader of polytask calls csv-parse: records with their line numbers, a BOM
 * dropped, cells trimmed, blank lines skipped, and ragged rows passed through so that the reader
 * reports them with the row and line they are on.
 */
export const CSV_RECORD_OPTIONS = {
  info: true,
  bom: true,
  trim: true,
  skip_empty_lines: true,
  relax_column_count: true,
} as const;

/**
 * The records of CSV `text` (named `file` in errors), parsed with CSV_RECORD_OPTIONS.
 *
 * @example
 * parseRecords('a,b\n1,2\n', 'x.csv', ',')[1]; // { record: ['1', '2'], info: { lines: 2, ... } }
 */
export function parseRecords(text: string | Uint8Array, file: string, delimiter = ','): ParsedRecord[] {
  try {
    return parse(text, { ...CSV_RECORD_OPTIONS, delimiter }) as unknown as ParsedRecord[];
  } catch (err) {
    throw new FormatError(file, `not valid CSV (${snippet((err as Error).message, 120)})`);
  }
}

/** An upper bound of the header's fields (delimiters in the first line, plus one), found without parsing the file. */
function headerWidth(text: string | Uint8Array, delimiter: string): number {
  const bytes = typeof text === 'string' ? null : text;
  const d = delimiter.charCodeAt(0);
  let n = 1;
  const length = bytes === null ? (text as string).length : bytes.length;
  for (let i = 0; i < length; i++) {
    const ch = bytes === null ? (text as string).charCodeAt(i) : bytes[i]!;
    if (ch === 10) break;
    if (ch === d) n++;
  }
  return n;
}

function headerNames(header: ParsedRecord | undefined, file: string): string[] {
  if (header === undefined) throw new FormatError(file, 'file is empty (expected a header row of column names)');
  const seen = new Set<string>();
  header.record.forEach((name, i) => {
    if (name === '') throw new FormatError(file, `header: column ${i + 1} has an empty name`);
    if (seen.has(name)) throw new FormatError(file, `header: column name "${snippet(name, 40)}" appears twice`);
    seen.add(name);
  });
  return header.record;
}

function cellValue(cell: string, allowMissing: boolean, file: string, row: number, line: number, name: string): number {
  if (cell === '') {
    if (allowMissing) return NaN;
    throw new FormatError(
      file,
      `row ${row} (line ${line}), column "${snippet(name, 20)}": empty cell (pass allowMissing to read it as NaN)`,
    );
  }
  if (NUMBER.test(cell)) return Number(cell);
  if (Object.hasOwn(SPECIAL, cell)) return SPECIAL[cell]!;
  throw new FormatError(
    file,
    `row ${row} (line ${line}), column "${snippet(name, 20)}": expected a number, got "${snippet(cell, 20)}"`,
  );
}

/**
 * Parses CSV text (or its bytes). `file` names the source in errors, which give the row (1 is
 * the first row after the header), its line in the file, and the column.
 *
 * @example
 * parseCsv('x,y\n1,2\n3,4\n', 'inline.csv').columns.y; // Float64Array [2, 4]
 */
export function parseCsv(text: string | Uint8Array, file = '<string>', opts: CsvOptions = {}): CsvTable {
  const delimiter = opts.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ValueError(
      'parseCsv',
      `delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`,
    );
  }
  checkDeclared(`${file}: header`, 'columns', headerWidth(text, delimiter));
  const records = parseRecords(text, file, delimiter);
  const names = headerNames(records[0], file);
  const rows = records.length - 1;
  const cols = names.map(() => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const { record, info } = records[r + 1]!;
    if (record.length !== names.length) {
      throw new FormatError(
        file,
        `row ${r + 1} (line ${info.lines}) has ${record.length} fields, the header has ${names.length}`,
      );
    }
    for (let c = 0; c < names.length; c++) {
      cols[c]![r] = cellValue(record[c]!, opts.allowMissing ?? false, file, r + 1, info.lines, names[c]!);
    }
  }
  const columns: Record<string, Float64Array> = {};
  names.forEach((n, i) => setOwn(columns, n, cols[i]!));
  return { names, columns, rows };
}

/**
 * The number a cell holds (`nan`, `inf` and their kin included), or null when it holds text or
 * nothing.
 *
 * @example
 * cellNumber('2.5'); // 2.5
 * cellNumber('odd'); // null
 */
export function cellNumber(cell: string): number | null {
  if (NUMBER.test(cell)) return Number(cell);
  return Object.hasOwn(SPECIAL, cell) ? SPECIAL[cell]! : null;
}

/** A table's cells as text: what a column of class names is read from. */
export interface CsvCells {
  names: string[];
  /** One array of cells per row, in header order. */
  rows: string[][];
}

/**
 * Reads a CSV file with a header row as text cells (trimmed), with the same checks of size,
 * header and row widths as readCsv.
 *
 * @example
 * readCsvCells('labels.csv').rows[0]; // ['3', 'odd']
 */
export function readCsvCells(path: string, opts: Pick<CsvOptions, 'delimiter'> = {}): CsvCells {
  checkFileSize(path, readLimits(), CSV_BYTES_PER_BYTE, 'a CSV file');
  const text = fs.readFileSync(path);
  const delimiter = opts.delimiter ?? ',';
  checkDeclared(`${path}: header`, 'columns', headerWidth(text, delimiter));
  const records = parseRecords(text, path, delimiter);
  const names = headerNames(records[0], path);
  const rows = records.slice(1).map(({ record, info }, r) => {
    if (record.length !== names.length)
      throw new FormatError(
        path,
        `row ${r + 1} (line ${info.lines}) has ${record.length} fields, the header has ${names.length}`,
      );
    return record;
  });
  return { names, rows };
}

/**
 * Reads a numeric CSV file with a header row.
 *
 * @example
 * const { columns, rows } = readCsv('measurements.csv');
 */
export function readCsv(path: string, opts: CsvOptions = {}): CsvTable {
  checkFileSize(path, readLimits(), CSV_BYTES_PER_BYTE, 'a CSV file');
  return parseCsv(fs.readFileSync(path), path, opts);
}

/**
 * The named columns (all, in file order, by default) as a float32 tensor of shape [rows, k].
 *
 * @example
 * const y = tableToTensor(table, ['target']); // [rows, 1]
 */
export function tableToTensor(table: CsvTable, names: readonly string[] = table.names): Tensor {
  const out = new Float32Array(table.rows * names.length);
  names.forEach((name, c) => {
    if (!Object.hasOwn(table.columns, name)) {
      throw new ValueError('tableToTensor', `no column "${name}" (columns: ${table.names.join(', ')})`);
    }
    const col = table.columns[name]!;
    for (let r = 0; r < table.rows; r++) out[r * names.length + c] = col[r]!;
  });
  return new Tensor(out, [table.rows, names.length]);
}
