/**
 * Task descriptions (YAML/JSON → tasks and data): a valid file loads; every error names the file,
 * the field path, what was found and what is allowed; unknown keys are errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { writeNpy } from '../../src/data/index.js';
import { tensor } from '../../src/tensor/index.js';
import { ConfigError, loadTaskDescriptionSync, parseStudyConfig } from '../../src/multitask/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polytask-tasks-'));
writeNpy(
  path.join(dir, 'x.npy'),
  tensor(
    Float32Array.from({ length: 4 * 6 }, (_, i) => i),
    [4, 6],
  ),
);
writeNpy(path.join(dir, 'y.npy'), tensor(Float32Array.of(0.5, NaN, 1.5, 2)));
fs.writeFileSync(path.join(dir, 'labels.csv'), 'digit,round,tall,noise\n1,1,0,0.3\n,0,,0.1\n2,1,1,0.2\n0,,1,0.9\n');
fs.writeFileSync(path.join(dir, 'short.csv'), 'digit\n1\n2\n');
fs.writeFileSync(path.join(dir, 'other.csv'), 'f1,f2,label\n0.1,0.2,1\n0.3,0.4,0\n0.5,0.6,1\n');

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const VALID = `
input: { file: x.npy, shape: [1, 2, 3], scale: 0.5 }
tasks:
  digit:
    kind: multiclass
    classes: 3
    targets: { file: labels.csv, column: digit }
    metrics: [accuracy, macroF1]
  attributes:
    kind: multilabel
    targets: { file: labels.csv, columns: [round, tall] }
  size:
    kind: regression
    targets: { file: y.npy }
  flag:
    kind: binary
    input: { file: other.csv, columns: [f1, f2] }
    targets: { file: other.csv, column: label }
mixing: { strategy: temperature, temperature: 2 }
`;

test('a valid description gives tasks and one dataset per input', () => {
  const d = loadTaskDescriptionSync(write('valid.yaml', VALID));
  assert.deepEqual(
    d.tasks.map((t) => [t.name, t.kind, t.outputs]),
    [
      ['digit', 'multiclass', 3],
      ['attributes', 'multilabel', 2],
      ['size', 'regression', 1],
      ['flag', 'binary', 1],
    ],
  );
  assert.deepEqual(d.tasks[0]!.metricNames, ['accuracy', 'macroF1']);
  assert.deepEqual(d.tasks[1]!.labelNames, ['round', 'tall']);
  assert.deepEqual(Object.keys(d.sources), ['shared', 'flag']);
  const shared = d.sources['shared']!;
  assert.deepEqual([...shared.featureShape], [1, 2, 3]);
  assert.equal(shared.features[7], 3.5, 'scaled');
  assert.deepEqual(shared.tasks, ['digit', 'attributes', 'size']);
  assert.equal(shared.labelledCount('digit'), 3, 'an empty cell is a missing class');
  assert.equal(shared.presentFraction('attributes'), 6 / 8);
  assert.deepEqual([...d.sources['flag']!.featureShape], [2]);
  assert.deepEqual(d.mixing, { strategy: 'temperature', temperature: 2 });
  assert.deepEqual(d.split, { testFraction: 0.2, seed: 0 });
  // JSON is read as well
  const json = write(
    'valid.json',
    JSON.stringify({ input: { file: 'x.npy' }, tasks: { size: { kind: 'regression', targets: { file: 'y.npy' } } } }),
  );
  assert.deepEqual(
    loadTaskDescriptionSync(json).tasks.map((t) => t.name),
    ['size'],
  );
});

/** The ConfigError a description raises. */
function errorOf(name: string, text: string): ConfigError {
  const file = write(name, text);
  try {
    loadTaskDescriptionSync(file);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.ok(e.message.startsWith(`${file}: `), `names the file: ${e.message}`);
    return e;
  }
  assert.fail(`${name} loaded without error`);
}

test('schema errors name the file, the field path, what was found and what is expected', () => {
  const e = errorOf(
    'kind.yaml',
    'input: { file: x.npy }\ntasks:\n  digit:\n    kind: multi-class\n    targets: { file: labels.csv, column: digit }\n',
  );
  assert.match(
    e.message,
    /kind\.yaml: tasks\.digit\.kind: found "multi-class" \(a string\), expected one of "multiclass", "binary", "multilabel", "regression"/,
  );
  const t = errorOf(
    'type.yaml',
    'input: { file: x.npy }\ntasks:\n  digit:\n    kind: multiclass\n    classes: three\n    targets: { file: labels.csv, column: digit }\n',
  );
  assert.match(t.message, /type\.yaml: tasks\.digit\.classes: found "three" \(a string\), expected an integer/);
  const s = errorOf(
    'small.yaml',
    'input: { file: x.npy }\ntasks:\n  digit:\n    kind: multiclass\n    classes: 1\n    targets: { file: labels.csv, column: digit }\n',
  );
  assert.match(s.message, /small\.yaml: tasks\.digit\.classes: found 1, expected a number >= 2/);
  const n = errorOf(
    'name.yaml',
    'input: { file: x.npy }\ntasks:\n  "bad.name":\n    kind: binary\n    targets: { file: y.npy }\n',
  );
  assert.match(
    n.message,
    /name\.yaml: tasks\["bad\.name"\]: found the key "bad\.name", expected a name of letters, digits, _ and -/,
  );
  const m = errorOf('missing.yaml', 'input: { file: x.npy }\ntasks:\n  size:\n    kind: regression\n');
  assert.match(m.message, /missing\.yaml: tasks\.size\.targets: (missing|found nothing), expected a mapping/);
  const none = errorOf('none.yaml', 'input: { file: x.npy }\ntasks: {}\n');
  assert.match(none.message, /none\.yaml: tasks: found an empty mapping, expected at least one task/);
});

test('unknown keys are errors that suggest a close key or list the keys allowed there', () => {
  const e = errorOf(
    'unknown.yaml',
    'input: { file: x.npy, colums: [a] }\ntasks:\n  size:\n    kind: regression\n    targets: { file: y.npy }\n    weight: 2\nextra: true\n',
  );
  assert.match(e.message, /unknown\.yaml: input: unknown key "colums"; did you mean "column"\?/);
  assert.match(
    e.message,
    /unknown\.yaml: tasks\.size: unknown key "weight"; allowed: kind, classes, classNames, targets, mask, input, metrics/,
  );
  assert.match(e.message, /unknown\.yaml: unknown key "extra"; allowed: input, tasks, mixing, split/);
  assert.equal(e.problems.length, 3);
});

test('data errors name the field: missing file, unknown column, row count, label values, metric of the wrong kind', () => {
  const head = 'input: { file: x.npy }\ntasks:\n';
  assert.match(
    errorOf('nofile.yaml', `${head}  size:\n    kind: regression\n    targets: { file: nope.npy }\n`).message,
    /tasks\.size\.targets\.file: found "nope\.npy" \(no such file: .*nope\.npy\), expected an existing \.npy, IDX or \.csv file/,
  );
  assert.match(
    errorOf(
      'col.yaml',
      `${head}  digit:\n    kind: multiclass\n    classes: 3\n    targets: { file: labels.csv, column: dgt }\n`,
    ).message,
    /tasks\.digit\.targets\.column: found "dgt", expected a column of labels\.csv: digit, round, tall, noise/,
  );
  assert.match(
    errorOf(
      'cols.yaml',
      `${head}  a:\n    kind: multilabel\n    targets: { file: labels.csv, columns: [round, wide] }\n`,
    ).message,
    /tasks\.a\.targets\.columns\[1\]: found "wide", expected a column of labels\.csv/,
  );
  assert.match(
    errorOf(
      'rows.yaml',
      `${head}  digit:\n    kind: multiclass\n    classes: 3\n    targets: { file: short.csv, column: digit }\n`,
    ).message,
    /tasks\.digit\.targets: found 2 rows in short\.csv, expected 4, one per sample of the input x\.npy/,
  );
  assert.match(
    errorOf(
      'range.yaml',
      `${head}  digit:\n    kind: multiclass\n    classes: 2\n    targets: { file: labels.csv, column: digit }\n`,
    ).message,
    /tasks\.digit\.targets: found 2 at sample 2, expected class indices 0\.\.1/,
  );
  assert.match(
    errorOf('binary.yaml', `${head}  b:\n    kind: binary\n    targets: { file: labels.csv, column: noise }\n`).message,
    /tasks\.b\.targets: found 0\.3.* at sample 0, expected 0 or 1/,
  );
  assert.match(
    errorOf(
      'metric.yaml',
      `${head}  size:\n    kind: regression\n    targets: { file: y.npy }\n    metrics: [accuracy]\n`,
    ).message,
    /tasks\.size\.metrics\[0\]: found "accuracy", expected a metric for a regression task: mae, rmse, mse, r2/,
  );
  assert.match(
    errorOf(
      'shape.yaml',
      'input: { file: x.npy, shape: [5] }\ntasks:\n  size:\n    kind: regression\n    targets: { file: y.npy }\n',
    ).message,
    /input\.shape: found \[5\] \(5 values per sample\), expected a shape of 6 values/,
  );
  assert.match(
    errorOf('noinput.yaml', 'tasks:\n  size:\n    kind: regression\n    targets: { file: y.npy }\n').message,
    /tasks\.size\.input: found nothing, and there is no top-level input/,
  );
  assert.match(
    errorOf(
      'temp.yaml',
      `${head}  size:\n    kind: regression\n    targets: { file: y.npy }\nmixing: { strategy: temperature }\n`,
    ).message,
    /mixing\.temperature: found nothing, expected a positive number, required with strategy temperature/,
  );
});

test('YAML syntax errors name the file and line', () => {
  const file = write('syntax.yaml', 'tasks:\n  a: [1, 2\n');
  assert.throws(
    () => loadTaskDescriptionSync(file),
    (e: Error) => e.message.startsWith(`${file}:3:1: not valid YAML: `),
  );
  const dup = write('dup.yaml', 'tasks: {}\ntasks: {}\n');
  assert.throws(() => loadTaskDescriptionSync(dup), /dup\.yaml:2:1: not valid YAML/);
});

test('the study configuration is checked the same way', () => {
  assert.throws(
    () => parseStudyConfig({ epochs: 'three', methods: ['ew', 'sgd'], trunk: { widht: 3 } }, 'study.yaml'),
    (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^study\.yaml: /);
      assert.match(e.message, /study\.yaml: epochs: found "three" \(a string\), expected an integer/);
      assert.match(e.message, /study\.yaml: methods\[1\]: found "sgd" \(a string\), expected one of "ew", "sw", "uw"/);
      assert.match(e.message, /study\.yaml: trunk: unknown key "widht"; did you mean "width"\?/);
      return true;
    },
  );
  const c = parseStudyConfig({});
  assert.deepEqual(c.methods, ['ew', 'uw', 'pcgrad', 'mgda', 'famo']);
  assert.equal(c.trunk.width, 10);
  assert.equal(c.affinity.every, 20);
});
