/**
 * Predictions as CSV through `csv-stringify` (the sibling of the `csv-parse` polytask reads with):
 * proper quoting, so a class name holding commas, quotes or line breaks stays one field, and
 * cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return) neutralised with a leading apostrophe, as OWASP's CSV-injection advice says.
 * Any class name (a number, null, an object from a crafted metadata.json) becomes text first.
 *
 * @example
 * predictionsCsv([{ index: 0, class: 3, name: '=HYPERLINK("x")', probability: 0.9 }]);
 * // 'index,class,name,probability\n0,3,"\'=HYPERLINK(""x"")",0.9\n'
 */
import { stringify } from 'csv-stringify/sync';

/** One predicted row. */
export interface PredictionRow {
  index: number;
  /** The input file, when each example is one (images). */
  file?: string;
  class: number;
  name: unknown;
  probability: number;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell as a spreadsheet should show it: a leading formula character gets an apostrophe.
 *
 * @example
 * safeCell('-2+3'); // "'-2+3"
 */
export function safeCell(value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : value === undefined || value === null
        ? ''
        : typeof value === 'object'
          ? (JSON.stringify(value) ?? '')
          : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * The CSV text of a table with a header row: numbers as written, everything else through safeCell.
 *
 * @example
 * csvTable(['index', 'digit', 'parity'], [[0, 7, 'odd']]); // 'index,digit,parity\n0,7,odd\n'
 */
export function csvTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([
    header.map(safeCell),
    ...rows.map((r) => r.map((c) => (typeof c === 'number' ? String(c) : safeCell(c)))),
  ]);
}

/**
 * The CSV text of predictions, with a header row.
 *
 * @example
 * writeFileAtomicSync('p.csv', predictionsCsv(rows));
 */
export function predictionsCsv(rows: readonly PredictionRow[]): string {
  const files = rows.some((r) => r.file !== undefined);
  return csvTable(
    ['index', ...(files ? ['file'] : []), 'class', 'name', 'probability'],
    rows.map((r) => [r.index, ...(files ? [r.file] : []), r.class, r.name, r.probability]),
  );
}
