/**
 * A table as columns, text kept: each chosen column holds numbers when every non-empty cell is a
 * number (empty cells and the `missing` tokens read as NaN), and its text otherwise. This is the
 * reader for columns that are not numeric features (a text column for a text model, a column to
 * summarise); it holds every chosen cell, so it is for columns, not for a whole large table
 * (read.ts streams the numeric features within the memory budget).
 *
 * @example
 * const t = await readTableColumns('reviews.tsv', ['text', 'stars']);
 * t.columns.text;  // { kind: 'text', values: ['Great', ...] }
 * t.columns.stars; // { kind: 'number', values: Float64Array [5, ...] }
 */
import { ValueError } from '../../core/errors.js';
import { snippet } from '../../io/untrusted.js';
import { isNumberText } from './cells.js';
import { DEFAULT_MISSING } from './labels.js';
import { openTable } from './rows.js';

/** One column: numbers (NaN where missing) or text. */
export type TableColumn = { kind: 'number'; values: Float64Array } | { kind: 'text'; values: string[] };

/** The chosen columns of a table. */
export interface TableColumns {
  /** The chosen column names, in the order asked for (every column by default). */
  names: string[];
  columns: Record<string, TableColumn>;
  rows: number;
}

/**
 * Reads the named columns (all by default) of a CSV, TSV or JSONL file.
 *
 * @example
 * (await readTableColumns('a.csv')).columns.x.kind; // 'number'
 */
export async function readTableColumns(
  file: string,
  names?: readonly string[],
  opts: { delimiter?: string; missing?: readonly string[] } = {},
): Promise<TableColumns> {
  const t = await openTable(file, opts.delimiter === undefined ? {} : { delimiter: opts.delimiter });
  const chosen = names === undefined ? [...t.header] : [...names];
  const at = chosen.map((n) => {
    const i = t.header.indexOf(n);
    if (i < 0) throw new ValueError(file, `no column "${snippet(n, 40)}" (${t.header.length} columns)`);
    return i;
  });
  const missing = new Set(opts.missing ?? DEFAULT_MISSING);
  const cells: string[][] = chosen.map(() => []);
  let rows = 0;
  for await (const r of t.records) {
    at.forEach((i, c) => cells[c]!.push(r.cells[i]!));
    rows++;
  }
  const columns: Record<string, TableColumn> = Object.create(null) as Record<string, TableColumn>;
  chosen.forEach((name, c) => {
    const values = cells[c]!;
    const numeric = values.every((v) => missing.has(v) || isNumberText(v));
    columns[name] = numeric
      ? { kind: 'number', values: Float64Array.from(values, (v) => (missing.has(v) ? NaN : Number(v))) }
      : { kind: 'text', values };
  });
  return { names: chosen, columns, rows };
}
