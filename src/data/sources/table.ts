/**
 * A table with named columns as a source (`source: table`, or its older name `source: csv`):
 * CSV, TSV or JSONL, one label column, the feature columns by name (data/table/). Rows with a
 * missing label are dropped and counted in the description. A `testFile` is read with the
 * training file's feature columns and classes, so a test label never seen in training is an
 * error naming its row. Features larger than the memory budget (`POLYTASK_MEMORY_BUDGET`) wait in
 * a scratch file and only the rows a run selects are read back.
 *
 * @example
 * (await tablePool({ source: 'table', file: 'iris.csv', label: 'species', testFraction: 0.2 })).set.featureShape; // [4]
 */
import path from 'node:path';
import { declaredClasses, readTable, type SpilledFeatures, type Table, type TableSpec } from '../table/index.js';
import { TensorDataset } from '../dataset.js';
import { readLimits, type ReadLimits } from '../read-limits.js';
import { float32Rows, readRows, rowLayout } from '../row-file.js';
import { inMemory, type Pool, type PoolSet } from './pool.js';
import type { TableDataConfig } from './schema.js';

function poolSet(t: Table<Float32Array | SpilledFeatures>, limits: ReadLimits): PoolSet {
  const labels = t.labels ?? new Int32Array(t.rows);
  const width = t.featureNames.length;
  if (t.features instanceof Float32Array)
    return { ...inMemory(new TensorDataset(t.features, [width], labels)), rowNumbers: t.rowNumbers };
  // past the memory budget: the chosen rows are read back from the scratch file
  const layout = { ...rowLayout(t.file, 0, [t.rows, width], 4), fd: t.features.spill.fd };
  return {
    labels,
    featureShape: [width],
    rows: (indices) => readRows(layout, null, indices, float32Rows, limits),
    rowNumbers: t.rowNumbers,
  };
}

/** Whether class names are just the indices 0..k-1 (labels that were integers). */
const indexNames = (names: readonly string[]): boolean => names.every((n, i) => n === String(i));

function described(t: Table<Float32Array | SpilledFeatures>): string {
  const dropped = t.missingLabels === 0 ? '' : `, ${t.missingLabels} rows without a label dropped`;
  return `${t.format.toUpperCase()} file ${t.file} (${t.rows} rows${dropped})`;
}

/**
 * The pool of a table config.
 *
 * @example
 * const p = await tablePool(config.data);
 * p.featureNames; // the columns the model reads, in order
 */
export async function tablePool(d: TableDataConfig): Promise<Pool> {
  const spec: TableSpec = {
    label: d.label,
    ...(d.features === undefined ? {} : { features: d.features }),
    ...(d.ignore === undefined ? {} : { ignore: d.ignore }),
    ...(d.missing === undefined ? {} : { missing: d.missing }),
    ...(d.delimiter === undefined ? {} : { delimiter: d.delimiter }),
  };
  const classes = declaredClasses(d);
  const limits = readLimits();
  const spill = { spill: true } as const;
  const train = await readTable(d.file, { ...spec, ...(classes === undefined ? {} : { classes }) }, limits, spill);
  const names = train.classNames!;
  const test =
    d.testFile === undefined
      ? undefined
      : await readTable(
          d.testFile,
          {
            ...spec,
            features: train.featureNames,
            classes: indexNames(names) ? { count: names.length } : { names },
            classesOrigin: `the classes of ${d.file}`,
          },
          limits,
          spill,
        );
  return {
    set: poolSet(train, limits),
    ...(test === undefined ? {} : { test: poolSet(test, limits) }),
    classNames: names,
    featureNames: train.featureNames,
    missingLabels: train.missingLabels + (test?.missingLabels ?? 0),
    description: test === undefined ? described(train) : `${described(train)}, test ${described(test)}`,
    files: [path.resolve(d.file), ...(d.testFile === undefined ? [] : [path.resolve(d.testFile)])],
  };
}
