/**
 * A table with named columns (CSV, TSV or JSONL, see rows.ts) read into what training needs: the
 * feature columns as one float32 matrix (rows × features, in the order of `features`, whatever the
 * file's column order), and the label column as class indices with class names (labels.ts). Rows
 * stream past; only the numbers are kept, in a buffer that grows within the memory budget
 * (read-limits.ts), or past the budget, when the caller allows, in an unnamed scratch file read
 * back row by row (io/spill-file.ts). Feature cells must be finite numbers: a column holding text, an empty cell,
 * NaN or Inf is an error naming the file, row, line and column. Rows whose label is missing are
 * dropped and counted.
 *
 * @example
 * const t = await readTable('iris.csv', { label: 'species' });
 * t.featureNames; // ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']
 * t.classNames;   // ['setosa', 'versicolor', 'virginica']
 * t.features;     // Float32Array, t.rows × 4
 */
import { FormatError, ValueError } from '../../core/errors.js';
import { SpillFile } from '../../io/spill-file.js';
import { snippet } from '../../io/untrusted.js';
import { isNumberText } from './cells.js';
import { checkAllocation, readLimits, type ReadLimits } from '../read-limits.js';
import { LabelColumn, type DeclaredClasses } from './labels.js';
import { openTable, type TableFormat } from './rows.js';

/** Which columns to read and how. */
export interface TableSpec {
  /** The label column; none for inputs to predict. */
  label?: string;
  /** The feature columns, in this order; default every column but the label and `ignore`. */
  features?: readonly string[];
  /** Columns left out of the default features. */
  ignore?: readonly string[];
  /** Label tokens that mean "no label" (default `?`, ``, `NA`, `NaN`). */
  missing?: readonly string[];
  /** Field separator of CSV/TSV; default from the extension. */
  delimiter?: string;
  /** The classes the labels must be among. */
  classes?: DeclaredClasses;
  /** Whose classes `classes` are, for errors (e.g. "the classes of train.csv"). */
  classesOrigin?: string;
}

/** A table's numbers; `F` is the features' storage. */
export interface Table<F extends Float32Array | SpilledFeatures = Float32Array> {
  file: string;
  format: TableFormat;
  /** Every column of the file, in file order. */
  columns: string[];
  featureNames: string[];
  /** Rows kept (those with a label, when a label column is read). */
  rows: number;
  /**
   * rows × featureNames.length, row-major; in a scratch file when they outgrew the memory budget
   * and the reader was allowed to spill (`readTable`'s `spill`).
   */
  features: F;
  /** Class of each kept row, when a label column is read. */
  labels?: Int32Array;
  classNames?: string[];
  /** Rows dropped because their label was missing. */
  missingLabels: number;
  /** The row in the file (1 = first after the header) of each kept row. */
  rowNumbers: Int32Array;
}

function columnList(names: readonly string[]): string {
  const shown = names
    .slice(0, 8)
    .map((n) => `"${snippet(n, 20)}"`)
    .join(', ');
  return `${names.length} columns: ${shown}${names.length > 8 ? ', …' : ''}`;
}

/** The feature columns a spec selects from a header, checked. */
function selectFeatures(header: readonly string[], spec: TableSpec, file: string): string[] {
  const has = new Set(header);
  const need = (name: string, key: string): void => {
    if (!has.has(name)) throw new ValueError(file, `no ${key} column "${snippet(name, 40)}" (${columnList(header)})`);
  };
  if (spec.label !== undefined) need(spec.label, 'label');
  (spec.ignore ?? []).forEach((n) => need(n, 'ignored'));
  const left = new Set([...(spec.ignore ?? []), ...(spec.label === undefined ? [] : [spec.label])]);
  let names: string[];
  if (spec.features !== undefined) {
    spec.features.forEach((n) => need(n, 'feature'));
    const twice = spec.features.find((n, i) => spec.features!.indexOf(n) !== i);
    if (twice !== undefined) throw new ValueError('data.features', `"${snippet(twice, 40)}" is listed twice`);
    if (spec.label !== undefined && spec.features.includes(spec.label))
      throw new ValueError('data.features', `"${snippet(spec.label, 40)}" is the label column, not a feature`);
    names = spec.features.filter((n) => !left.has(n));
  } else names = header.filter((n) => !left.has(n));
  if (names.length === 0) throw new ValueError(file, 'has no feature column besides the label and the ignored ones');
  return names;
}

/** Features that outgrew the memory budget, in an unnamed scratch file (rows × features float32). */
export interface SpilledFeatures {
  spill: SpillFile;
  /** Numbers written. */
  length: number;
}

/**
 * A growing float32 buffer that stays within the memory budget: past it, either an error (the
 * caller needs every number in memory) or, with `spill`, the numbers go to a scratch file in
 * chunks and only the chunk being filled stays in memory.
 */
class Floats {
  data = new Float32Array(1024);
  length = 0;
  #spill: SpilledFeatures | null = null;
  constructor(
    private readonly file: string,
    private readonly limits: ReadLimits,
    private readonly canSpill: boolean,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) this.#full();
    this.data[this.length++] = v;
  }
  #full(): void {
    const next = this.data.length * 2;
    if (this.#spill === null && !(this.canSpill && next * 4 > this.limits.memoryBudgetBytes)) {
      checkAllocation(this.file, next * 4, this.limits, "the table's numeric features");
      const grown = new Float32Array(next);
      grown.set(this.data);
      this.data = grown;
      return;
    }
    this.#spill ??= { spill: new SpillFile(), length: 0 };
    this.#flush(this.#spill);
  }
  #flush(s: SpilledFeatures): void {
    s.spill.append(new Uint8Array(this.data.buffer, 0, this.length * 4));
    s.length += this.length;
    this.length = 0;
  }
  done(): Float32Array | SpilledFeatures {
    if (this.#spill === null) return this.data.slice(0, this.length);
    this.#flush(this.#spill);
    return this.#spill;
  }
}

class Ints {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * A feature cell's number: a finite decimal; an empty cell, NaN, Inf or text is a FormatError
 * naming the file, row, line and column.
 *
 * @example
 * featureValue('2.5', 'a.csv', 1, 2, 'x'); // 2.5
 */
export function featureValue(cell: string, file: string, row: number, line: number, column: string): number {
  const where = `row ${row} (line ${line}), column "${snippet(column, 20)}"`;
  if (cell === '') throw new FormatError(file, `${where}: empty cell (features must be numbers; none may be missing)`);
  if (isNumberText(cell)) {
    const v = Number(cell);
    if (Number.isFinite(v)) return v;
    throw new FormatError(file, `${where}: ${snippet(cell, 20)} is not a finite number`);
  }
  if (/^[+-]?(?:nan|inf|infinity)$/i.test(cell))
    throw new FormatError(file, `${where}: ${cell} is not a finite number (features must be finite)`);
  throw new FormatError(
    file,
    `${where} holds text ("${snippet(cell, 20)}"); feature columns must be numbers: leave it out with ignore: [${snippet(column, 20)}], or read text with a text source`,
  );
}

/**
 * Reads a table file's features (and labels) by column name. Features larger than the memory
 * budget are an error, or with `opts.spill` go to a scratch file (see `Table.features`).
 *
 * @example
 * const t = await readTable('new.jsonl', { features: ['a', 'b'] }); // predict inputs: no label
 */
export async function readTable(file: string, spec?: TableSpec, limits?: ReadLimits): Promise<Table>;
export async function readTable(
  file: string,
  spec: TableSpec,
  limits: ReadLimits,
  opts: { spill: true },
): Promise<Table<Float32Array | SpilledFeatures>>;
export async function readTable(
  file: string,
  spec: TableSpec = {},
  limits: ReadLimits = readLimits(),
  opts: { spill?: boolean } = {},
): Promise<Table<Float32Array | SpilledFeatures>> {
  const t = await openTable(file, spec.delimiter === undefined ? {} : { delimiter: spec.delimiter });
  const featureNames = selectFeatures(t.header, spec, file);
  const at = featureNames.map((n) => t.header.indexOf(n));
  const labelAt = spec.label === undefined ? -1 : t.header.indexOf(spec.label);
  const labelColumn =
    spec.label === undefined
      ? null
      : new LabelColumn(file, spec.label, {
          ...(spec.classes === undefined ? {} : { classes: spec.classes }),
          ...(spec.missing === undefined ? {} : { missing: spec.missing }),
          ...(spec.classesOrigin === undefined ? {} : { origin: spec.classesOrigin }),
        });
  const x = new Floats(file, limits, opts.spill === true);
  const codes = new Ints();
  const rowNumbers = new Ints();
  let rows = 0;
  let missingLabels = 0;
  for await (const r of t.records) {
    if (labelColumn !== null) {
      const code = labelColumn.add(r.cells[labelAt]!, r.row, r.line);
      if (code === null) {
        missingLabels++;
        continue;
      }
      codes.push(code);
    }
    for (let j = 0; j < at.length; j++) x.push(featureValue(r.cells[at[j]!]!, file, r.row, r.line, featureNames[j]!));
    rowNumbers.push(r.row);
    rows++;
  }
  const base = {
    file,
    format: t.format,
    columns: t.header,
    featureNames,
    rows,
    features: x.done(),
    missingLabels,
    rowNumbers: rowNumbers.done(),
  };
  if (labelColumn === null) return base;
  const { labels, classNames } = labelColumn.finish(codes.done());
  return { ...base, labels, classNames };
}
