/**
 * T5-style mixing as the multi-task study runs it: `mixings:` in the study config, one run per
 * method and mixing, and loaders whose source frequencies match the formulas written out here
 * (rate ∝ min(n, K); ∝ n^(1/T); equal), independently of mixing.ts. Also the text path of a task
 * description: sources with their own test tables, targets from a column of the input's table,
 * one vocabulary for every text input, and the study's text trunk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor/index.js';
import { MultiTaskDataset } from '../../src/multitask/index.js';
import { loadTaskDescription } from '../../src/multitask/config/load-task-description.js';
import { multiTaskLabels, parseStudyConfig, studyMixings } from '../../src/multitask/study/config.js';
import { descriptionData, trainLoader, type StudyData } from '../../src/multitask/study/data.js';
import { mtlGrid } from '../../src/multitask/study/grid.js';
import { studyTrunk } from '../../src/multitask/study/trunk.js';
import { defineTask } from '../../src/multitask/task.js';
import { plain } from '../helpers/plain.js';

const SIZES = { big: 4000, mid: 1000, small: 250 };

function data(): StudyData {
  const train: Record<string, MultiTaskDataset> = {};
  for (const [name, n] of Object.entries(SIZES)) {
    const x = new Float32Array(n).fill(1);
    train[name] = new MultiTaskDataset(x, [1], { [name]: { data: new Float32Array(n) } });
  }
  const tasks = Object.keys(SIZES).map((name) => defineTask({ name, kind: 'multiclass', classes: 2 }));
  return { name: 'sizes', tasks, train, val: {}, test: train, mixing: { strategy: 'proportional' }, files: [] };
}

/** rate_i = w_i / Σ w. */
const normalise = (w: Record<string, number>): Record<string, number> => {
  const total = Object.values(w).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v / total]));
};
const map = (f: (n: number) => number): Record<string, number> =>
  Object.fromEntries(Object.entries(SIZES).map(([k, n]) => [k, f(n)]));

test("the study's mixings give loaders whose draws match rate ∝ min(n, K), ∝ n^(1/T) and equal", () => {
  const c = parseStudyConfig({
    dataset: 'tasks.yaml',
    mixings: {
      equal: { strategy: 'equal' },
      propK: { strategy: 'proportional', cap: 800 },
      T2: { strategy: 'temperature', temperature: 2 },
      T8: { strategy: 'temperature', temperature: 8 },
    },
  });
  const expected: Record<string, Record<string, number>> = {
    equal: map(() => 1 / 3),
    // K = 800 caps big and mid alike: 800 : 800 : 250
    propK: normalise(map((n) => Math.min(n, 800))),
    T2: normalise(map((n) => n ** (1 / 2))),
    T8: normalise(map((n) => n ** (1 / 8))),
  };
  const steps = 6000;
  for (const [name, mixing] of Object.entries(studyMixings(c)!)) {
    const loader = trainLoader(data(), Object.keys(SIZES), 8, 1, { mixing, stepsPerEpoch: steps });
    const counts: Record<string, number> = { big: 0, mid: 0, small: 0 };
    for (const b of loader) counts[(b as { source: string }).source]!++;
    for (const s of Object.keys(SIZES)) {
      const p = expected[name]![s]!;
      const sd = Math.sqrt((p * (1 - p)) / steps);
      const seen = counts[s]! / steps;
      assert.ok(Math.abs(seen - p) < 4 * sd, `${name} ${s}: drawn ${seen.toFixed(4)}, formula ${p.toFixed(4)}`);
    }
  }
  // the rates differ enough that the test would see a wrong formula
  assert.ok(expected.T2!.big! - expected.T8!.big! > 0.1);
});

test('every method runs once per mixing, labelled method@mixing; a single-source run keeps the step budget', () => {
  const c = parseStudyConfig({
    dataset: 'tasks.yaml',
    methods: ['ew', 'pcgrad'],
    capacityCheck: false,
    mixings: { equal: { strategy: 'equal' }, T2: { strategy: 'temperature', temperature: 2 } },
  });
  assert.deepEqual(multiTaskLabels(c), ['ew@equal', 'ew@T2', 'pcgrad@equal', 'pcgrad@T2']);
  const ids = mtlGrid(data(), c).grid.map((r) => r.id);
  assert.deepEqual(ids.slice(3), ['ew@equal-seed0', 'ew@T2-seed0', 'pcgrad@equal-seed0', 'pcgrad@T2-seed0']);
  assert.equal(trainLoader(data(), ['small'], 8, 0, { stepsPerEpoch: 77 }).batchesPerEpoch, 77);
  assert.throws(
    () => parseStudyConfig({ mixings: { t: { strategy: 'temperature' } } }, 'study.yaml'),
    /mixings\.t\.temperature/,
  );
  assert.throws(() => parseStudyConfig({ mixings: { e: { strategy: 'equal', cap: 10 } } }), /mixings\.e\.cap/);
});

test('text inputs: own test tables kept, targets from a column of the input, one vocabulary for every source', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-text-tasks-'));
  try {
    const csv = (rows: string[][]): string => `text,a,b\n${rows.map((r) => r.join(',')).join('\n')}\n`;
    writeFileSync(
      join(dir, 'one-train.csv'),
      csv([
        ['red fox', 'x', 'p'],
        ['blue fox', 'y', 'q'],
        ['red owl', 'x', 'q'],
      ]),
    );
    writeFileSync(join(dir, 'one-test.csv'), csv([['blue owl', 'y', 'p']]));
    writeFileSync(
      join(dir, 'two-train.csv'),
      csv([
        ['owl owl', 'm', 'm'],
        ['fox', 'n', 'n'],
      ]),
    );
    writeFileSync(join(dir, 'two-test.csv'), csv([['red', 'm', 'm']]));
    const text = (stem: string, label: string): Record<string, unknown> => ({
      source: 'text',
      file: `${stem}-train.csv`,
      testFile: `${stem}-test.csv`,
      label,
      maxLength: 3,
      lowercase: true,
    });
    writeFileSync(
      join(dir, 'tasks.json'),
      JSON.stringify({
        input: text('one', 'a'),
        tasks: {
          a: { kind: 'multiclass', targets: { column: 'a' } },
          b: { kind: 'multiclass', targets: { column: 'b' } },
          c: { kind: 'multiclass', input: text('two', 'a'), targets: { column: 'b' } },
        },
      }),
    );
    const d = await loadTaskDescription(join(dir, 'tasks.json'));
    assert.deepEqual(plain(d.heldOut), { shared: 3, c: 2 });
    const study = descriptionData(d);
    assert.equal(study.train.shared!.length, 3);
    assert.equal(study.test.shared!.length, 1);
    assert.equal(study.test.c!.length, 1);
    // b's labels from the input's own table, test row last: p q q | p
    assert.deepEqual([...d.sources.shared!.batch([0, 1, 2, 3]).y.b!.data], [0, 1, 1, 0]);
    // one vocabulary: "owl" has one id in both sources ("red owl" row 2 of one, "owl owl" row 0 of two)
    const one = d.sources.shared!.features;
    const two = d.sources.c!.features;
    assert.equal(one[2 * 3 + 1], two[0]);
    assert.equal(two[0], two[1]);
    assert.notEqual(one[2 * 3 + 1], d.tokenizer!.padId);
    assert.ok(study.text !== undefined && study.text.vocabSize === d.tokenizer!.vocabSize);
    // the study trunk embeds the ids: [N, 3] -> [N, 5·width]
    const trunk = studyTrunk([3], 2, 'auto', study.text);
    assert.deepEqual(trunk.module.forward(new Tensor(one.slice(0, 6), [2, 3])).shape, [2, 10]);
    // a column target needs an input that is a text table
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ input: { source: 'mnist' }, tasks: { a: { kind: 'multiclass', targets: { column: 'a' } } } }),
    );
    await assert.rejects(loadTaskDescription(join(dir, 'bad.json')), /tasks\.a\.targets\.column.*not a table of texts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
