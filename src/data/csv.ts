/**
 * Numeric CSV tables with a header row, read by the table reader (table/whole.ts: `csv-parse`
 * with quoting, CRLF, BOM; the header and every row's width checked there) and checked here:
 * every cell is a number (`nan`, `inf` and `-inf` included), and empty cells are missing values,
 * allowed (as NaN) only when asked.
 *
 * @example
 * const table = readCsv('data/wine.csv', { allowMissing: true });
 * table.columns.alcohol;                          // Float64Array
 * const x = tableToTensor(table, ['alcohol', 'ash']); // float32 [rows, 2]
 */
import * as fs from 'node:fs';
import { FormatError, ValueError } from '../core/errors.js';
import { setOwn, snippet } from '../io/untrusted.js';
import { Tensor } from '../tensor/index.js';
import { checkFileSize, CSV_BYTES_PER_BYTE, readLimits } from './read-limits.js';
import { isNumberText } from './table/cells.js';
import { parseTableText } from './table/whole.js';
import { nullRecord } from '../core/safe-keys.js';

// the csv-parse configuration every CSV reader shares lives with the table reader
export { CSV_RECORD_OPTIONS, parseRecords, type ParsedRecord } from './table/parse.js';

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

const SPECIAL: Readonly<Record<string, number>> = {
  nan: NaN,
  NaN: NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  Infinity: Infinity,
  '-Infinity': -Infinity,
};

function cellValue(cell: string, allowMissing: boolean, file: string, row: number, line: number, name: string): number {
  if (cell === '') {
    if (allowMissing) return NaN;
    throw new FormatError(
      file,
      `row ${row} (line ${line}), column "${snippet(name, 20)}": empty cell (pass allowMissing to read it as NaN)`,
    );
  }
  if (isNumberText(cell)) return Number(cell);
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
  const { header: names, records } = parseTableText(text, file, 'csv', delimiter);
  const rows = records.length;
  const cols = names.map(() => new Float64Array(rows));
  records.forEach(({ cells, row, line }, r) => {
    for (let c = 0; c < names.length; c++)
      cols[c]![r] = cellValue(cells[c]!, opts.allowMissing ?? false, file, row, line, names[c]!);
  });
  const columns = nullRecord<Float64Array>();
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
  if (isNumberText(cell)) return Number(cell);
  return Object.hasOwn(SPECIAL, cell) ? SPECIAL[cell]! : null;
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
