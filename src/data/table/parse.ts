/**
 * How every CSV reader of polytask calls csv-parse (the streaming table reader, the whole-file
 * one, the text and audio file lists): records with their line numbers, a BOM dropped, cells
 * trimmed, blank lines skipped, and ragged rows passed through so that the reader reports them
 * with the row and line they are on; and the one check of a header row.
 *
 * @example
 * parseRecords('a,b\n1,2\n', 'x.csv')[1]; // { record: ['1', '2'], info: { lines: 2, ... } }
 * checkHeader(['a', 'a'], 'x.csv');        // throws: header: column name "a" appears twice
 */
import { parse } from 'csv-parse/sync';
import { FormatError } from '../../core/errors.js';
import { snippet } from '../../io/untrusted.js';

/** One record as csv-parse gives it with `info`: its cells and the line it ends on. */
export interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** The csv-parse options every reader uses. */
export const CSV_RECORD_OPTIONS = {
  info: true,
  bom: true,
  trim: true,
  skip_empty_lines: true,
  relax_column_count: true,
} as const;

/**
 * The records of CSV `text` (named `file` in errors), parsed with CSV_RECORD_OPTIONS; `quoted`
 * false takes quotes as written (TSV has no quoting).
 *
 * @example
 * parseRecords('a\tb\n1\t2\n', 'x.tsv', '\t', false);
 */
export function parseRecords(text: string | Uint8Array, file: string, delimiter = ',', quoted = true): ParsedRecord[] {
  try {
    return parse(text, {
      ...CSV_RECORD_OPTIONS,
      delimiter,
      ...(quoted ? {} : { quote: false }),
    }) as unknown as ParsedRecord[];
  } catch (err) {
    throw new FormatError(file, `not valid CSV (${snippet((err as Error).message, 120)})`);
  }
}

/**
 * A header row's names, checked: none empty, none twice.
 *
 * @example
 * checkHeader(['x', 'y'], 'a.csv'); // ['x', 'y']
 */
export function checkHeader(names: string[], file: string): string[] {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === '') throw new FormatError(file, `header: column ${i + 1} has an empty name`);
    if (seen.has(name)) throw new FormatError(file, `header: column name "${snippet(name, 40)}" appears twice`);
    seen.add(name);
  });
  return names;
}

/**
 * The error of a data row whose number of fields is not the header's.
 *
 * @example
 * throw raggedRow('a.csv', 3, 4, 1, 2);
 */
export const raggedRow = (file: string, row: number, line: number, fields: number, header: number): FormatError =>
  new FormatError(file, `row ${row} (line ${line}) has ${fields} fields, the header has ${header}`);

/**
 * An upper bound of the header's fields (delimiters in the first line, plus one), counted in the
 * bytes without parsing them: a huge header is refused before it is parsed.
 *
 * @example
 * headerWidth('a,b,c\n1,2,3\n', ','); // 3
 */
export function headerWidth(text: string | Uint8Array, delimiter: string): number {
  const d = delimiter.charCodeAt(0);
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = typeof text === 'string' ? text.charCodeAt(i) : text[i]!;
    if (ch === 10) break;
    if (ch === d) n++;
  }
  return n;
}
