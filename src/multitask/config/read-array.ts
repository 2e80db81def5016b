/**
 * Reading the array a file reference of a task description points at: an NPY array, an IDX array
 * or columns of a CSV or TSV table (read whole by the table reader), as rows (one per sample) of
 * a per-sample shape. Problems are ConfigErrors naming the description file and the field (`tasks.digit.targets.column`).
 *
 * @example
 * const a = readArray(ref, ['tasks', 'digit', 'targets'], { file: 'tasks.yaml', dir: '/data', missing: true });
 * a.rows; a.rowShape; a.values;   // Float32Array, NaN for missing labels ('', '?', NA, NaN)
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { PolytaskError } from '../../core/errors.js';
import { sizeOf } from '../../core/shape.js';
import { readIdx, readNpy } from '../../data/index.js';
import { cellNumber } from '../../data/csv.js';
import { readTableCells } from '../../data/table/index.js';
import { snippet } from '../../io/untrusted.js';
import { ConfigError, describeValue } from '../../config/index.js';
import { preparedDir } from '../../data/prepared/index.js';
import type { FileRef } from './task-description-schema.js';

/** Values read from a file, row-major: `rows` samples of `rowShape` each. */
export interface ArrayData {
  values: Float32Array;
  rows: number;
  rowShape: number[];
  /** CSV: the names of the columns taken, in order. */
  columns?: string[];
  /**
   * Label files only: the text of each entry that is neither a number nor a missing-value token
   * (undefined elsewhere; its value is NaN), present when at least one such entry exists.
   */
  text?: (string | undefined)[];
  /** CSV label files: every entry's text (trimmed), so declared class names win over numbers that look alike. */
  cells?: string[];
  /** The resolved file path. */
  path: string;
}

export interface ReadContext {
  /** The description file, for error messages. */
  file: string;
  /** Directory relative paths are resolved against. */
  dir: string;
  /**
   * Whether missing CSV cells are allowed (as NaN) and text cells kept: targets and masks yes,
   * inputs no.
   */
  missing: boolean;
}

/** The cells of a label file that mean "no label here" (case-sensitive, after trimming). */
export const MISSING_TOKENS: readonly string[] = ['', '?', 'NA', 'N/A', 'NaN', 'nan'];

type Format = 'npy' | 'idx' | 'csv';

function formatOf(ref: FileRef, at: readonly PropertyKey[], ctx: ReadContext): Format {
  if (ref.format !== undefined) return ref.format;
  const name = path.basename(ref.file).toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.npy')) return 'npy';
  if (name.endsWith('.csv') || name.endsWith('.tsv')) return 'csv';
  if (name.endsWith('.idx') || name.endsWith('-ubyte') || /\.idx\d-/.test(name) || /-idx\d-/.test(name)) return 'idx';
  throw new ConfigError(
    ctx.file,
    [...at, 'format'],
    `nothing, and the file name ${JSON.stringify(ref.file)} does not tell`,
    'one of npy, idx, csv (or a file name ending in .npy, .csv, .tsv, .idx or -ubyte)',
  );
}

/** Runs a reader, turning its errors into a ConfigError at the file field. */
function reading<T>(at: readonly PropertyKey[], ctx: ReadContext, ref: FileRef, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigError || !(e instanceof PolytaskError)) throw e;
    throw new ConfigError(
      ctx.file,
      [...at, 'file'],
      `${JSON.stringify(ref.file)}, which cannot be read (${e.message})`,
      'a readable file of the stated format',
    );
  }
}

/** The columns a CSV reference takes: `column`, `columns`, or every column but those in `exclude`. */
function wantedColumns(ref: FileRef, at: readonly PropertyKey[], ctx: ReadContext, names: string[]): string[] {
  const given = [ref.column, ref.columns, ref.exclude].filter((v) => v !== undefined).length;
  if (given > 1) {
    throw new ConfigError(
      ctx.file,
      at,
      'more than one of column, columns and exclude',
      'one of column, columns or exclude',
    );
  }
  const check = (c: string, field: readonly PropertyKey[]): void => {
    if (!names.includes(c))
      throw new ConfigError(ctx.file, field, JSON.stringify(c), `a column of ${ref.file}: ${names.join(', ')}`);
  };
  if (ref.column !== undefined) {
    check(ref.column, [...at, 'column']);
    return [ref.column];
  }
  if (ref.columns !== undefined) {
    ref.columns.forEach((c, i) => check(c, [...at, 'columns', i]));
    return ref.columns;
  }
  ref.exclude?.forEach((c, i) => check(c, [...at, 'exclude', i]));
  const kept = names.filter((n) => !(ref.exclude ?? []).includes(n));
  if (kept.length === 0)
    throw new ConfigError(ctx.file, [...at, 'exclude'], 'every column', `fewer columns than ${ref.file} has`);
  return kept;
}

function csvColumns(ref: FileRef, at: readonly PropertyKey[], ctx: ReadContext, full: string): ArrayData {
  const delimiter = ref.delimiter === undefined ? {} : { delimiter: ref.delimiter };
  const table = reading(at, ctx, ref, () => readTableCells(full, delimiter));
  const wanted = wantedColumns(ref, at, ctx, table.header);
  const indices = wanted.map((c) => table.header.indexOf(c));
  const values = new Float32Array(table.records.length * wanted.length);
  // labels: missing-value tokens become NaN and text cells (class names) are kept; inputs: numbers only
  let text: (string | undefined)[] | undefined;
  const cells = ctx.missing ? new Array<string>(values.length) : undefined;
  table.records.forEach(({ cells: row }, r) =>
    indices.forEach((c, k) => {
      const cell = row[c]!;
      const i = r * wanted.length + k;
      const n = ctx.missing && MISSING_TOKENS.includes(cell) ? NaN : cellNumber(cell);
      if (n === null && !ctx.missing)
        throw new ConfigError(
          ctx.file,
          [...at, 'file'],
          `${JSON.stringify(snippet(cell, 20))} in ${ref.file}, row ${r + 1}, column "${snippet(wanted[k]!, 40)}"`,
          'numbers in every input column (exclude label columns with exclude: [...])',
        );
      values[i] = n ?? NaN;
      if (cells !== undefined) cells[i] = cell;
      if (n === null) (text ??= new Array<string | undefined>(values.length))[i] = cell;
    }),
  );
  return {
    values,
    rows: table.records.length,
    rowShape: ref.column !== undefined ? [] : [wanted.length],
    columns: wanted,
    path: full,
    ...(text === undefined ? {} : { text }),
    ...(cells === undefined ? {} : { cells }),
  };
}

/**
 * The resolved path of a file reference: relative to the description's folder, or with `prepared`
 * to that prepared data set's folder, which it may not climb out of.
 *
 * @example
 * refPath({ prepared: 'clipart', file: 'multitask.csv' }, ['tasks', 'a', 'targets'], ctx); // '<cache>/prepared/clipart/multitask.csv'
 */
export function refPath(ref: FileRef, at: readonly PropertyKey[], ctx: ReadContext): string {
  if (ref.prepared === undefined) return path.resolve(ctx.dir, ref.file);
  if (!/^[a-z][a-z0-9-]*$/.test(ref.prepared))
    throw new ConfigError(ctx.file, [...at, 'prepared'], JSON.stringify(ref.prepared), 'a data set name: a-z, 0-9, -');
  const dir = preparedDir(ref.prepared);
  const full = path.resolve(dir, ref.file);
  if (!full.startsWith(`${dir}${path.sep}`))
    throw new ConfigError(
      ctx.file,
      [...at, 'file'],
      JSON.stringify(ref.file),
      `a file inside the prepared folder ${dir}`,
    );
  return full;
}

/**
 * The array `ref` names; `at` is the field path of `ref` in the description.
 *
 * @example
 * readArray({ file: 'x.npy', shape: [1, 28, 28] }, ['input'], ctx).rowShape; // [1, 28, 28]
 */
export function readArray(ref: FileRef, at: readonly PropertyKey[], ctx: ReadContext): ArrayData {
  const full = refPath(ref, at, ctx);
  if (!fs.existsSync(full))
    throw new ConfigError(
      ctx.file,
      [...at, 'file'],
      `${JSON.stringify(ref.file)} (no such file: ${full})`,
      ref.prepared === undefined
        ? 'an existing .npy, IDX or .csv file, relative to the description'
        : `a file of the prepared data set ${ref.prepared} (polytask data prepare ${ref.prepared})`,
    );
  const format = formatOf(ref, at, ctx);
  if (format !== 'csv' && (ref.column !== undefined || ref.columns !== undefined || ref.exclude !== undefined)) {
    throw new ConfigError(
      ctx.file,
      [...at, ref.column !== undefined ? 'column' : ref.columns !== undefined ? 'columns' : 'exclude'],
      describeValue(ref.column ?? ref.columns ?? ref.exclude),
      `nothing: columns are for CSV files, ${ref.file} is ${format}`,
    );
  }
  let data: ArrayData;
  if (format === 'csv') data = csvColumns(ref, at, ctx, full);
  else {
    const arr = reading(at, ctx, ref, () => {
      if (format === 'npy') {
        const t = readNpy(full);
        return { values: t.data, shape: [...t.shape] };
      }
      const idx = readIdx(full);
      return { values: idx.data, shape: idx.shape };
    });
    if (arr.shape.length === 0)
      throw new ConfigError(
        ctx.file,
        [...at, 'file'],
        `${JSON.stringify(ref.file)}, a scalar`,
        'an array with one row per sample',
      );
    data = { values: new Float32Array(arr.values), rows: arr.shape[0]!, rowShape: arr.shape.slice(1), path: full };
  }
  if (ref.shape !== undefined) {
    const have = sizeOf(data.rowShape);
    const want = sizeOf(ref.shape);
    if (have !== want)
      throw new ConfigError(
        ctx.file,
        [...at, 'shape'],
        `[${ref.shape.join(', ')}] (${want} values per sample)`,
        `a shape of ${have} values, as each row of ${ref.file} holds`,
      );
    data.rowShape = [...ref.shape];
  }
  if (ref.scale !== undefined) for (let i = 0; i < data.values.length; i++) data.values[i]! *= ref.scale;
  return data;
}
