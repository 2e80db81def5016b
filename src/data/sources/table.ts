/**
 * A table with named columns as a source (`source: table`, or its older name `source: csv`):
 * CSV, TSV or JSONL, one label column, the feature columns by name (data/table/). Rows with a
 * missing label are dropped and counted in the description. A `testFile` is read with the
 * training file's feature columns and classes, so a test label never seen in training is an
 * error naming its row.
 *
 * @example
 * (await tablePool({ source: 'table', file: 'iris.csv', label: 'species', testFraction: 0.2 })).set.featureShape; // [4]
 */
import path from 'node:path';
import { declaredClasses, readTable, type Table, type TableSpec } from '../table/index.js';
import { TensorDataset } from '../dataset.js';
import { inMemory, type Pool, type PoolSet } from './pool.js';
import type { TableDataConfig } from './schema.js';

const poolSet = (t: Table): PoolSet => ({
  ...inMemory(new TensorDataset(t.features, [t.featureNames.length], t.labels ?? new Int32Array(t.rows))),
  rowNumbers: t.rowNumbers,
});

/** Whether class names are just the indices 0..k-1 (labels that were integers). */
const indexNames = (names: readonly string[]): boolean => names.every((n, i) => n === String(i));

function described(t: Table): string {
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
  const train = await readTable(d.file, { ...spec, ...(classes === undefined ? {} : { classes }) });
  const names = train.classNames!;
  const test =
    d.testFile === undefined
      ? undefined
      : await readTable(d.testFile, {
          ...spec,
          features: train.featureNames,
          classes: indexNames(names) ? { count: names.length } : { names },
          classesOrigin: `the classes of ${d.file}`,
        });
  return {
    set: poolSet(train),
    ...(test === undefined ? {} : { test: poolSet(test) }),
    classNames: names,
    featureNames: train.featureNames,
    missingLabels: train.missingLabels + (test?.missingLabels ?? 0),
    description: test === undefined ? described(train) : `${described(train)}, test ${described(test)}`,
    files: [path.resolve(d.file), ...(d.testFile === undefined ? [] : [path.resolve(d.testFile)])],
  };
}
