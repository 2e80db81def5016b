/**
 * Tables through the real CLI: `data check` on the iris example (counts per split and class, the
 * one duplicate row the file holds, found by its row numbers), on a table with missing labels and
 * on a multi-task task description; a run trained on a table stores its feature columns, and
 * `predict` matches them by name: reordered columns with an extra one give identical predictions,
 * a missing column is a one-line error naming it, with no output file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { writeNpy } from '../../src/data/index.js';
import { tensor } from '../../src/tensor/index.js';
import { polytask, withTempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const IRIS = join(ROOT, 'examples', 'data', 'iris.csv');

test('data check on the iris example: examples per split and class, and its one duplicate row', async () => {
  const r = await polytask(['data', 'check', 'examples/train-table.yaml', '--json'], { cwd: ROOT });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.kind, 'single-task');
  assert.deepEqual(s.inputShape, [4]);
  assert.deepEqual(s.featureNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  assert.deepEqual(s.classes, ['setosa', 'versicolor', 'virginica']);
  // 150 flowers, 50 a species, 20% held out stratified
  assert.deepEqual(s.train, { examples: 120, perClass: { setosa: 40, versicolor: 40, virginica: 40 } });
  assert.deepEqual(s.test, { examples: 30, perClass: { setosa: 10, versicolor: 10, virginica: 10 } });
  assert.deepEqual(s.missingLabels, { examples: 0, fraction: 0 });
  // rows 102 and 143 of iris.csv are the same flower (5.8, 2.7, 5.1, 1.9, virginica); seed 0 splits them
  const lines = readFileSync(IRIS, 'utf8').split('\n');
  assert.equal(lines[102], lines[143]);
  assert.equal(s.duplicates, 1);
  assert.match(
    s.warnings[0],
    /^1 of 30 test examples equal a training example \(first: test row 102 = training row 143\)/,
  );
});

test('data check counts rows without a label, and fails like train on a bad table', () =>
  withTempDir(async (dir) => {
    const rows = Array.from({ length: 20 }, (_, i) => [i, (i * 7) % 11, i % 5 === 0 ? '?' : ['cat', 'dog'][i % 2]]);
    writeFileSync(join(dir, 't.csv'), stringify([['a', 'b', 'animal'], ...rows]));
    writeFileSync(join(dir, 'c.yaml'), `data:\n  source: table\n  file: ${join(dir, 't.csv')}\n  label: animal\n`);
    const r = await polytask(['data', 'check', join(dir, 'c.yaml'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(s.missingLabels, { examples: 4, fraction: 0.2 });
    assert.equal(s.train.examples + s.test.examples, 16);
    assert.deepEqual(s.classes, ['cat', 'dog']);
    assert.match(s.data, /4 rows without a label dropped/);
    const text = await polytask(['data', 'check', join(dir, 'c.yaml')]);
    assert.match(text.stdout, /without a label \(20%\), dropped/);
    assert.match(text.stdout, /^checks passed$/m);

    writeFileSync(join(dir, 't.csv'), 'a,b,animal\n1,2,cat\n3,x,dog\n');
    const bad = await polytask(['data', 'check', join(dir, 'c.yaml')]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr.trim(), /^polytask: \S+t\.csv: row 2 \(line 3\), column "b" holds text \("x"\)[^\n]*$/);
  }));

test('data check on a task description: inputs, tasks, missing-label fractions, classes', () =>
  withTempDir(async (dir) => {
    writeNpy(
      join(dir, 'x.npy'),
      tensor(
        Float32Array.from({ length: 4 * 6 }, (_, i) => i),
        [4, 6],
      ),
    );
    writeFileSync(join(dir, 'labels.csv'), 'digit,round,tall\n1,1,0\n,0,\n2,1,1\n0,,1\n');
    writeFileSync(
      join(dir, 'tasks.yaml'),
      [
        'input: { file: x.npy }',
        'tasks:',
        '  digit: { kind: multiclass, classes: 3, targets: { file: labels.csv, column: digit } }',
        '  attributes: { kind: multilabel, targets: { file: labels.csv, columns: [round, tall] } }',
      ].join('\n'),
    );
    const r = await polytask(['data', 'check', join(dir, 'tasks.yaml'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.kind, 'multi-task');
    assert.deepEqual(s.sources, [{ name: 'shared', examples: 4, inputShape: [6] }]);
    const [digit, attributes] = s.tasks;
    assert.deepEqual(digit, {
      name: 'digit',
      kind: 'multiclass',
      source: 'shared',
      outputs: 3,
      labelled: 3,
      missingFraction: 0.25,
      perClass: { 0: 1, 1: 1, 2: 1 },
    });
    assert.equal(attributes.missingFraction, 2 / 8);
    assert.equal(attributes.labelled, 4);
    assert.equal(attributes.perClass, null);
  }));

test('predict matches a table run’s columns by name: reordered and extra columns give identical predictions', () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    // no features: key, so the default (every column but the label) is what the run must store
    writeFileSync(
      join(dir, 'train.yaml'),
      `task: species\ndata: { source: table, file: ${IRIS}, label: species }\nmodel: { arch: mlp, hidden: [8] }\ntraining: { epochs: 2 }\n`,
    );
    const trained = await polytask(['train', '-c', join(dir, 'train.yaml'), '--json'], { runsDir });
    assert.equal(trained.code, 0, trained.stderr);
    const run = readdirSync(runsDir).find((n) => n.includes('-train-'))!;
    const stored = JSON.parse(readFileSync(join(runsDir, run, 'config.json'), 'utf8'));
    assert.deepEqual(
      stored.data.features,
      ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
      'the default (every other column) is stored resolved',
    );

    const rows = parse(readFileSync(IRIS, 'utf8'), { columns: true }) as Record<string, string>[];
    const shuffled = ['note', 'petal_width', 'species', 'sepal_length', 'petal_length', 'sepal_width'];
    writeFileSync(
      join(dir, 'shuffled.csv'),
      stringify([shuffled, ...rows.map((r, i) => shuffled.map((c) => (c === 'note' ? `flower ${i}` : r[c]!)))]),
    );
    writeFileSync(join(dir, 'flowers.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const outputs: string[] = [];
    for (const input of [IRIS, join(dir, 'shuffled.csv'), join(dir, 'flowers.jsonl')]) {
      const out = join(dir, `p${outputs.length}.csv`);
      const p = await polytask(['predict', run, '-i', input, '-o', out], { runsDir });
      assert.equal(p.code, 0, p.stderr);
      outputs.push(readFileSync(out, 'utf8'));
    }
    assert.equal(outputs[0]!.trim().split('\n').length, 151);
    assert.equal(outputs[1], outputs[0], 'reordered columns');
    assert.equal(outputs[2], outputs[0], 'the same rows as JSON lines');

    writeFileSync(
      join(dir, 'short.csv'),
      stringify([
        ['sepal_length', 'petal_length', 'petal_width'],
        ...rows.map((r) => [r.sepal_length, r.petal_length, r.petal_width]),
      ]),
    );
    const out = join(dir, 'none.csv');
    const missing = await polytask(['predict', run, '-i', join(dir, 'short.csv'), '-o', out], { runsDir });
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr.trim(),
      /^polytask: \S+short\.csv: no feature column "sepal_width" \(3 columns: [^\n]*$/,
    );
    assert.equal(existsSync(out), false);
  }));
