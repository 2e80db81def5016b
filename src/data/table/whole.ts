/**
 * A whole table file read at once, as text cells: the same formats, header checks, row checks
 * and error messages as the streaming reader (rows.ts), for the callers that cannot wait (the
 * task description's file inputs, read by a study's sub-run in a worker process) or that hold
 * every cell anyway (`predict`'s input file, `parseCsv`). The file must fit the memory budget
 * (read-limits.ts); a larger table is for the streaming reader.
 *
 * @example
 * const t = readTableCells('labels.csv');
 * t.header;            // ['digit', 'parity']
 * t.records[0];        // { cells: ['3', 'odd'], row: 1, line: 2 }
 * parseTableText('a\tb\n1\t2\n', 'inline.tsv', 'tsv').records[0].cells; // ['1', '2']
 */
import * as fs from 'node:fs';
import { FormatError } from '../../core/errors.js';
import { checkDeclared } from '../../core/size-limits.js';
import { checkFileSize, CSV_BYTES_PER_BYTE, readLimits } from '../read-limits.js';
import { checkHeader, headerWidth, parseRecords, raggedRow } from './parse.js';
import { checkReadable, headerFields, jsonlRow, tableFormat, type TableFormat, type TableRecord } from './rows.js';

/** A table's cells: its column names and every data row. */
export interface TableCells {
  file: string;
  format: TableFormat;
  header: string[];
  records: TableRecord[];
}

const emptyFile = (file: string, format: TableFormat): FormatError =>
  new FormatError(
    file,
    format === 'jsonl'
      ? 'file is empty (expected one JSON object a line)'
      : 'file is empty (expected a header row of column names)',
  );

/**
 * Parses a table's text (or bytes) of a known format; `file` names it in errors.
 *
 * @example
 * parseTableText('x,y\n1,2\n', 'inline.csv', 'csv', ';'); // one column "x,y": the delimiter is ;
 */
export function parseTableText(
  text: string | Uint8Array,
  file: string,
  format: TableFormat,
  delimiter = format === 'tsv' ? '\t' : ',',
): TableCells {
  if (format === 'jsonl') {
    const lines = (typeof text === 'string' ? text : Buffer.from(text).toString('utf8')).split(/\r?\n/);
    let header: string[] | null = null;
    const records: TableRecord[] = [];
    lines.forEach((raw, i) => {
      const got = jsonlRow(raw, i + 1, file, header);
      if (got === null) return;
      header = got.header;
      records.push({ cells: got.cells, row: records.length + 1, line: i + 1 });
    });
    if (header === null) throw emptyFile(file, format);
    return { file, format, header: checkHeader(header, file), records };
  }
  checkDeclared(`${file}: header`, 'columns', headerWidth(text, delimiter));
  const parsed = parseRecords(text, file, delimiter, format === 'csv');
  if (parsed.length === 0) throw emptyFile(file, format);
  const header = checkHeader(parsed[0]!.record, file);
  const records = parsed.slice(1).map(({ record, info }, r): TableRecord => {
    if (record.length !== header.length) throw raggedRow(file, r + 1, info.lines, record.length, header.length);
    return { cells: record, row: r + 1, line: info.lines };
  });
  return { file, format, header, records };
}

/**
 * Reads a CSV, TSV or JSONL file (format from its extension, as openTable) whole, as text cells.
 *
 * @example
 * readTableCells('new.tsv').header; // ['a', 'b']
 */
export function readTableCells(file: string, opts: { delimiter?: string } = {}): TableCells {
  const { format, delimiter } = tableFormat(file, opts.delimiter);
  checkReadable(file);
  checkFileSize(file, readLimits(), CSV_BYTES_PER_BYTE, `a ${format.toUpperCase()} file`);
  if (format !== 'jsonl') checkDeclared(`${file}: header`, 'columns', headerFields(file, delimiter));
  return parseTableText(fs.readFileSync(file), file, format, delimiter);
}
