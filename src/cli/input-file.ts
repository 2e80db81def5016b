/**
 * The examples of a file given to `predict`: NPY as stored, CSV columns (all, or the named ones
 * in that order, so a table whose label columns sit beside the features can be given as it is),
 * IDX arrays (bytes scaled to [0, 1] when asked), as a float tensor [N, ...].
 *
 * @example
 * readExamples('digits.npy').shape;                          // [N, 1, 28, 28]
 * readExamples('table.csv', { columns: ['p0', 'p1'] }).shape; // [N, 2]
 * readExamples('t10k-images-idx3-ubyte', { scaleBytes: true }); // values in [0, 1]
 */
import { extname } from 'node:path';
import { cellNumber, readCsvCells } from '../data/csv.js';
import { openIdx, readCsv, readNpy } from '../data/index.js';
import { snippet } from '../io/untrusted.js';
import { Tensor } from '../tensor/index.js';
import { CliError } from './errors.js';

export interface ExampleFileOptions {
  /** CSV: take these columns, in this order (default: every column). */
  columns?: readonly string[];
  /** IDX: divide unsigned bytes by 255. */
  scaleBytes?: boolean;
}

function csvColumns(file: string, columns: readonly string[]): Tensor {
  const table = readCsvCells(file);
  const at = columns.map((c) => {
    const i = table.names.indexOf(c);
    if (i < 0)
      throw new CliError(
        `${file}: no column "${snippet(c, 40)}", which the model reads (it reads ${columns.length} columns: ${columns.slice(0, 4).join(', ')}${columns.length > 4 ? ', …' : ''})`,
      );
    return i;
  });
  const x = new Float32Array(table.rows.length * columns.length);
  table.rows.forEach((row, r) =>
    at.forEach((c, k) => {
      const v = cellNumber(row[c]!);
      if (v === null)
        throw new CliError(
          `${file}: row ${r + 1}, column "${snippet(columns[k]!, 40)}": expected a number, got "${snippet(row[c]!, 20)}"`,
        );
      x[r * columns.length + k] = v;
    }),
  );
  return new Tensor(x, [table.rows.length, columns.length]);
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
  if (ext === '.csv') {
    if (opts.columns !== undefined) return csvColumns(file, opts.columns);
    const t = readCsv(file);
    const x = new Float32Array(t.rows * t.names.length);
    t.names.forEach((n, c) =>
      t.columns[n]!.forEach((v, r) => {
        x[r * t.names.length + c] = v;
      }),
    );
    return new Tensor(x, [t.rows, t.names.length]);
  }
  const idx = openIdx(file);
  return new Tensor(idx.read(undefined, opts.scaleBytes === true && idx.type === 'ubyte' ? 1 / 255 : 1), idx.shape);
}
