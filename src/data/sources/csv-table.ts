/**
 * A CSV table as a source: one column of class labels, every other column a feature.
 *
 * @example
 * csvPool({ source: 'csv', file: 'iris.csv', label: 'species', testFraction: 0.2 }).set.featureShape; // [4]
 */
import path from 'node:path';
import { ValueError } from '../../core/errors.js';
import { snippet } from '../../io/untrusted.js';
import { readCsv } from '../csv.js';
import { TensorDataset } from '../dataset.js';
import { classLabels, inMemory, type Pool } from './pool.js';
import type { CsvDataConfig } from './schema.js';

export function csvPool(d: CsvDataConfig): Pool {
  const { file, label } = d;
  const table = readCsv(file);
  if (!table.names.includes(label)) {
    const shown = table.names
      .slice(0, 8)
      .map((n) => `"${snippet(n, 20)}"`)
      .join(', ');
    throw new ValueError(
      file,
      `no label column "${snippet(label, 40)}" (${table.names.length} columns: ${shown}${table.names.length > 8 ? ', …' : ''})`,
    );
  }
  const features = table.names.filter((n) => n !== label);
  if (features.length === 0) throw new ValueError(file, 'has no feature column besides the label');
  const x = new Float32Array(table.rows * features.length);
  features.forEach((name, c) =>
    table.columns[name]!.forEach((v, r) => {
      x[r * features.length + c] = v;
    }),
  );
  return {
    set: inMemory(
      new TensorDataset(x, [features.length], classLabels(table.columns[label]!, `${file}: column "${label}"`)),
    ),
    description: `CSV file ${file}`,
    files: [path.resolve(file)],
  };
}
