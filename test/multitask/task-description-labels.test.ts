/**
 * Task descriptions, the user's format: class names in CSV label columns (sorted unless declared),
 * missing-label tokens, `exclude` for a table with features and labels side by side, and inputs
 * read from a `data:` source through poolOf (the embedded MNIST, a CSV table).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { loadMnist } from '../../src/data/mnist.js';
import { IGNORE_INDEX } from '../../src/multitask/task-loss.js';
import { ConfigError, loadTaskDescription, loadTaskDescriptionSync } from '../../src/multitask/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polytask-labels-'));
fs.writeFileSync(
  path.join(dir, 'table.csv'),
  'a,b,fruit,size\n1,2,pear,3\n3,4,?,NA\n5,6,apple,\n7,8,NaN,1.5\n9,10,fig,N/A\n11,12,apple,2\n',
);

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** A task's targets over every sample, as the training batches hold them. */
function labelsOf(d: Awaited<ReturnType<typeof loadTaskDescription>>, task: string): number[] {
  const ds = d.sources.shared!;
  return Array.from(ds.batch(Array.from({ length: ds.length }, (_, i) => i)).y[task]!.data);
}

test('class names in a CSV column: sorted names, missing tokens, exclude for the feature columns', async () => {
  const d = await loadTaskDescription(
    write(
      'names.yaml',
      'input: { file: table.csv, exclude: [fruit, size] }\ntasks:\n  fruit: { kind: multiclass, targets: { file: table.csv, column: fruit } }\n  size: { kind: regression, targets: { file: table.csv, column: size } }\n',
    ),
  );
  const fruit = d.tasks.find((t) => t.name === 'fruit')!;
  assert.deepEqual(fruit.labelNames, ['apple', 'fig', 'pear']);
  assert.equal(fruit.outputs, 3);
  const M = IGNORE_INDEX;
  assert.deepEqual(labelsOf(d, 'fruit'), [2, M, 0, M, 1, 0]);
  // NA, an empty cell and N/A are missing (NaN)
  assert.deepEqual(labelsOf(d, 'size'), [3, NaN, NaN, 1.5, NaN, 2]);
  assert.deepEqual(d.sources.shared!.featureShape, [2]);
  assert.deepEqual(Array.from(d.sources.shared!.features.slice(0, 4)), [1, 2, 3, 4]);
  assert.deepEqual(d.inputReading, { columns: ['a', 'b'] });
  assert.equal(d.sources.shared!.labelledCount('fruit'), 4);
});

test('declared classNames fix the order; an undeclared name is an error naming the sample', async () => {
  const declared = await loadTaskDescription(
    write(
      'declared.yaml',
      'input: { file: table.csv, columns: [a, b] }\ntasks:\n  fruit: { kind: multiclass, classNames: [pear, fig, apple], targets: { file: table.csv, column: fruit } }\n',
    ),
  );
  assert.deepEqual(declared.tasks[0]!.labelNames, ['pear', 'fig', 'apple']);
  assert.deepEqual(labelsOf(declared, 'fruit'), [0, IGNORE_INDEX, 2, IGNORE_INDEX, 1, 2]);
  // declared names that read as numbers are names first: "1" is class 0 here
  fs.writeFileSync(path.join(dir, 'grades.csv'), 'g\n1\n0\n?\n1\n0\n1\n');
  const numeric = await loadTaskDescription(
    write(
      'numeric-names.yaml',
      'input: { file: table.csv, columns: [a, b] }\ntasks:\n  g: { kind: multiclass, classNames: ["1", "0"], targets: { file: grades.csv, column: g } }\n',
    ),
  );
  assert.deepEqual(labelsOf(numeric, 'g'), [0, 1, IGNORE_INDEX, 0, 1, 0]);
  await assert.rejects(
    loadTaskDescription(
      write(
        'undeclared.yaml',
        'input: { file: table.csv, columns: [a, b] }\ntasks:\n  fruit: { kind: multiclass, classNames: [pear, apple], targets: { file: table.csv, column: fruit } }\n',
      ),
    ),
    (e: unknown) =>
      e instanceof ConfigError &&
      /undeclared\.yaml: tasks\.fruit\.targets: found "fig" at sample 4, expected one of the classNames pear, apple/.test(
        e.message,
      ),
  );
  await assert.rejects(
    loadTaskDescription(
      write(
        'binary-names.yaml',
        'input: { file: table.csv, columns: [a, b] }\ntasks:\n  fruit: { kind: binary, classNames: [x, y], targets: { file: table.csv, column: size } }\n',
      ),
    ),
    /tasks\.fruit\.classNames: found class names, expected nothing for a binary task/,
  );
});

test('an input from a data source: the embedded MNIST through poolOf, its features row by row', async () => {
  const mnist = loadMnist();
  const n = mnist.labels.length;
  // the digit label of every tenth image; the rest missing
  const rows = Array.from(mnist.labels, (y, i) => (i % 10 === 0 ? String(y) : '?'));
  fs.writeFileSync(path.join(dir, 'mnist-labels.csv'), `digit\n${rows.join('\n')}\n`);
  const d = await loadTaskDescription(
    write(
      'mnist.yaml',
      'input: { source: mnist }\ntasks:\n  digit: { kind: multiclass, classes: 10, targets: { file: mnist-labels.csv, column: digit } }\n',
    ),
  );
  const ds = d.sources.shared!;
  assert.equal(ds.length, n);
  assert.deepEqual(ds.featureShape, [1, 28, 28]);
  assert.deepEqual(Array.from(ds.features.slice(784 * 5, 784 * 6)), Array.from(mnist.images.slice(784 * 5, 784 * 6)));
  assert.equal(ds.labelledCount('digit'), Math.ceil(n / 10));
  assert.equal(d.inputReading, undefined);
  // the synchronous loader (study worker processes) names what it cannot read
  assert.throws(
    () => loadTaskDescriptionSync(path.join(dir, 'mnist.yaml')),
    /mnist\.yaml: input\.source: found "mnist", expected a file input here/,
  );
});

test('an input from a CSV data source: every column but its label column, paths relative to the description', async () => {
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  const d = await loadTaskDescription(
    write(
      'sub/csv-source.yaml',
      'input: { source: csv, file: ../table.csv, label: a }\ntasks:\n  size: { kind: regression, targets: { file: ../table.csv, column: size } }\n',
    ),
  ).catch((e: unknown) => e);
  // the table's fruit column is text, which a csv source refuses: the error names the input
  assert.ok(d instanceof ConfigError, String(d));
  assert.match(d.message, /csv-source\.yaml: input: found source csv, which cannot be read \(.*table\.csv.*fruit/);
  fs.writeFileSync(path.join(dir, 'numbers.csv'), 'a,b,c\n1,2,0\n3,4,1\n5,6,1\n');
  const ok = await loadTaskDescription(
    write(
      'sub/numbers.yaml',
      'input: { source: csv, file: ../numbers.csv, label: c }\ntasks:\n  c: { kind: binary, targets: { file: ../numbers.csv, column: c } }\n',
    ),
  );
  assert.deepEqual(ok.sources.shared!.featureShape, [2]);
  assert.deepEqual(Array.from(ok.sources.shared!.features), [1, 2, 3, 4, 5, 6]);
  assert.ok(ok.files.includes(path.join(dir, 'numbers.csv')));
});
