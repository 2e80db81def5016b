/**
 * The examples of a file given to `predict`: NPY as stored, a table's columns (CSV, TSV or JSONL,
 * read by the table reader: all columns, or the named ones in that order, so a table whose label
 * columns sit beside the features can be given as it is; every cell a finite number), IDX arrays
 * (bytes scaled to [0, 1] when asked), as a float tensor [N, ...].
 *
 * @example
 * readExamples('digits.npy').shape;                          // [N, 1, 28, 28]
 * readExamples('table.csv', { columns: ['p0', 'p1'] }).shape; // [N, 2]
 * readExamples('t10k-images-idx3-ubyte', { scaleBytes: true }); // values in [0, 1]
 */
import { extname } from 'node:path';
import { openIdx, readNpy } from '../data/index.js';
import { featureValue, readTableCells } from '../data/table/index.js';
import { snippet } from '../io/untrusted.js';
import { Tensor } from '../tensor/index.js';
import { CliError } from './errors.js';

export interface ExampleFileOptions {
  /** Tables: take these columns, in this order (default: every column). */
  columns?: readonly string[];
  /** IDX: divide unsigned bytes by 255. */
  scaleBytes?: boolean;
}

/** The extensions read as tables (as the table reader tells their format). */
const TABLE_EXTENSIONS: ReadonlySet<string> = new Set(['.csv', '.tsv', '.tab', '.jsonl', '.ndjson']);

function tableColumns(file: string, columns: readonly string[] | undefined): Tensor {
  const table = readTableCells(file);
  const names = columns ?? table.header;
  const at = names.map((c) => {
    const i = table.header.indexOf(c);
    if (i < 0)
      throw new CliError(
        `${file}: no column "${snippet(c, 40)}", which the model reads (it reads ${names.length} columns: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''})`,
      );
    return i;
  });
  const x = new Float32Array(table.records.length * names.length);
  table.records.forEach(({ cells, row, line }, r) =>
    at.forEach((c, k) => {
      x[r * names.length + k] = featureValue(cells[c]!, file, row, line, names[k]!);
    }),
  );
  return new Tensor(x, [table.records.length, names.length]);
}

/**
 * The examples of `file` as a float tensor [N, ...].
 *
 * @example
 * readExamples('x.csv').shape; // [rows, columns]
 */
export function readExamples(file: string, opts: ExampleFileOptions = {}): Tensor {
  const ext = extname(file).toLowerCase();
  if (ext === '.npy') return readNpy(file).toFloat();
  if (TABLE_EXTENSIONS.has(ext)) return tableColumns(file, opts.columns);
  const idx = openIdx(file);
  return new Tensor(idx.read(undefined, opts.scaleBytes === true && idx.type === 'ubyte' ? 1 / 255 : 1), idx.shape);
}
