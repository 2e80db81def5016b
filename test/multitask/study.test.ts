/**
 * The study end to end on tiny settings: the documented JSON shape (tasks, results by run/task/
 * metric, Δm, negative transfer, affinity, weights over time, checks, timing), progress reports,
 * and a study on a user task description with tasks that have their own inputs (mixing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { writeNpy } from '../../src/data/index.js';
import { tensor } from '../../src/tensor/index.js';
import { runMtlStudy, type MtlStudyProgress } from '../../src/multitask/index.js';
import { plain } from '../helpers/plain.js';

const isNumberOrNull = (v: unknown): boolean => v === null || typeof v === 'number';

test('a tiny MultiMNIST study returns the documented JSON', async () => {
  const events: MtlStudyProgress[] = [];
  const result = await runMtlStudy(
    {
      train: 128,
      test: 64,
      epochs: 1,
      batchSize: 32,
      methods: ['ew', 'pcgrad'],
      affinity: { every: 2 },
      trunk: { width: 4 },
    },
    (p) => events.push(p),
  );
  // the JSON as a script reads it: untyped on purpose, every field checked below
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = JSON.parse(JSON.stringify(result)) as Record<string, any>;
  assert.deepEqual(
    Object.keys(json).sort(),
    [
      'affinity',
      'backend',
      'checks',
      'config',
      'dataset',
      'deltaM',
      'methods',
      'negativeTransfer',
      'results',
      'seeds',
      'taskDeltas',
      'tasks',
      'timing',
      'verdict',
      'weightsOverTime',
    ].sort(),
  );
  assert.deepEqual(Object.keys(json['verdict']).sort(), [
    'because',
    'effect',
    'next',
    'outcome',
    'reasons',
    'sentence',
  ]);
  // one seed gives no interval: never a conclusion
  assert.equal(json['verdict'].outcome, 'inconclusive');
  assert.equal(json['dataset'], 'multimnist');
  assert.deepEqual(json['tasks'], [
    { name: 'left', kind: 'multiclass', outputs: 10, metrics: ['accuracy'], directions: { accuracy: true } },
    { name: 'right', kind: 'multiclass', outputs: 10, metrics: ['accuracy'], directions: { accuracy: true } },
  ]);
  assert.deepEqual(Object.keys(json['results']), ['single', 'ew', 'pcgrad']);
  for (const run of Object.values(json['results']) as Record<string, Record<string, number>>[]) {
    for (const task of ['left', 'right']) assert.ok(run[task]!['accuracy']! >= 0 && run[task]!['accuracy']! <= 1);
  }
  assert.deepEqual(Object.keys(json['deltaM']), ['ew', 'pcgrad']);
  assert.ok(Object.values(json['deltaM']).every((v) => typeof v === 'number'));
  for (const m of ['ew', 'pcgrad']) {
    assert.ok(Array.isArray(json['negativeTransfer'][m]));
    assert.ok((json['negativeTransfer'][m] as string[]).every((t) => t === 'left' || t === 'right'));
    const aff = json['affinity'][m];
    assert.deepEqual(aff.tasks, ['left', 'right']);
    assert.deepEqual(aff.steps, [0, 2]);
    assert.equal(aff.meanLookahead.length, 2);
    assert.ok(aff.meanLookahead.flat().every(isNumberOrNull) && aff.meanCosine.flat().every(isNumberOrNull));
    assert.ok(Math.abs(aff.meanCosine[0][0] - 1) < 1e-6);
    const w = json['weightsOverTime'][m];
    assert.deepEqual(Object.keys(w.weights), ['left', 'right']);
    assert.equal(w.weights.left.length, w.steps.length);
  }
  assert.equal(json['checks'].sharedInput.shared, true);
  assert.equal(json['checks'].dataBalance.ratio, 1);
  const cap = json['checks'].capacity;
  assert.ok(cap.equalCapacityParams <= cap.multiTaskParams / 2 && cap.equalCapacityWidth < 4);
  assert.deepEqual(Object.keys(cap.equalCapacityResults), ['left', 'right']);
  assert.deepEqual(Object.keys(cap.deltaMVsEqualCapacity), ['ew', 'pcgrad']);
  assert.ok(json['timing'].total > 0);
  assert.deepEqual(Object.keys(json['timing'].runs), [
    'single:left',
    'single:right',
    'ew',
    'pcgrad',
    'capacity:left',
    'capacity:right',
  ]);
  assert.equal(events[0]!.phase, 'data');
  assert.equal(events.at(-1)!.phase, 'done');
  assert.ok(
    events.some((e) => e.phase === 'train' && e.run === 'pcgrad' && typeof e.step === 'number' && e.runs === 6),
  );
});

test('the same seed gives the same study', async () => {
  const cfg = {
    train: 64,
    test: 32,
    epochs: 1,
    batchSize: 32,
    methods: ['famo' as const],
    affinity: { every: 0 },
    capacityCheck: false,
    trunk: { width: 2 },
  };
  const a = await runMtlStudy(cfg);
  const b = await runMtlStudy(cfg);
  assert.deepEqual(a.results, b.results);
  assert.deepEqual(a.weightsOverTime, b.weightsOverTime);
  assert.deepEqual(plain(a.affinity), {});
  assert.equal(a.checks.capacity, null);
});

test('a study on a task description whose tasks have their own inputs', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polytask-study-'));
  // task 'sum' reads 4 features and predicts their sum; task 'sign' reads other samples and says if the first is positive
  const n = 80;
  const xa = Float32Array.from({ length: n * 4 }, (_, i) => Math.sin(i * 1.7));
  const xb = Float32Array.from({ length: n * 4 }, (_, i) => Math.cos(i * 0.9));
  writeNpy(path.join(dir, 'xa.npy'), tensor(xa, [n, 4]));
  writeNpy(path.join(dir, 'xb.npy'), tensor(xb, [n, 4]));
  writeNpy(
    path.join(dir, 'ya.npy'),
    tensor(Float32Array.from({ length: n }, (_, i) => xa[4 * i]! + xa[4 * i + 1]! + xa[4 * i + 2]! + xa[4 * i + 3]!)),
  );
  writeNpy(path.join(dir, 'yb.npy'), tensor(Float32Array.from({ length: n }, (_, i) => (xb[4 * i]! > 0 ? 1 : 0))));
  const file = path.join(dir, 'tasks.yaml');
  fs.writeFileSync(
    file,
    [
      'tasks:',
      '  sum: { kind: regression, input: { file: xa.npy }, targets: { file: ya.npy }, metrics: [mae, r2] }',
      '  sign: { kind: binary, input: { file: xb.npy }, targets: { file: yb.npy } }',
      'mixing: { strategy: equal }',
    ].join('\n'),
  );
  const r = await runMtlStudy({
    dataset: file,
    epochs: 2,
    batchSize: 16,
    methods: ['ew', 'mgda'],
    affinity: { every: 3 },
    trunk: { width: 2 },
  });
  assert.deepEqual(
    r.tasks.map((t) => t.name),
    ['sum', 'sign'],
  );
  assert.deepEqual(Object.keys(r.results['ew']!['sum']!), ['mae', 'r2']);
  assert.equal(r.checks.sharedInput.shared, false);
  assert.equal(r.checks.sharedInput.sameShape, true);
  // 64 training examples each, less the tenth held out for validation
  assert.deepEqual(plain(r.checks.dataBalance.labelled), { sum: 58, sign: 58 });
  assert.ok(Number.isFinite(r.deltaM['mgda']!));
});
