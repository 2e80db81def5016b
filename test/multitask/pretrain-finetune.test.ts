/**
 * T5's multi-task pre-training then fine-tuning in the multi-task study (pretrainFinetune,
 * src/multitask/study/pretrain-finetune.ts), on a planted pair of sources: task `a` (2,000 points,
 * label x0 > 0) and task `b` (40 points, label x1 > 0). Mixed examples-proportionally, `b` is
 * drawn about once in fifty steps, so the mixture alone leaves its head untrained (near chance);
 * fine-tuning a copy on `b` alone learns it. A run whose fine-tuning stage were skipped, or whose
 * `b` were scored by the pre-trained model or by `a`'s copy, would score `b` near chance, and the
 * step counts show each final model took the same budget as the mixture-only run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { MultiTaskDataset } from '../../src/multitask/index.js';
import { multiTaskLabels, parseStudyConfig } from '../../src/multitask/study/config.js';
import type { StudyData } from '../../src/multitask/study/data.js';
import { mtlGrid } from '../../src/multitask/study/grid.js';
import { pretrainThenFinetune, taskWeights } from '../../src/multitask/study/pretrain-finetune.js';
import { studyModel, trainAndEvaluate } from '../../src/multitask/study/run-one.js';
import { defineTask } from '../../src/multitask/task.js';

/** n points of N(0, 1)², labelled by the sign of coordinate `axis`, for task `task`. */
function points(task: string, n: number, axis: number, seed: number): MultiTaskDataset {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: 2 * n }, () => rng.normal());
  const y = Float32Array.from({ length: n }, (_, i) => (x[2 * i + axis]! > 0 ? 1 : 0));
  return new MultiTaskDataset(x, [2], { [task]: { data: y } });
}

function planted(): StudyData {
  return {
    name: 'planted',
    tasks: ['a', 'b'].map((name) => defineTask({ name, kind: 'multiclass', classes: 2 })),
    train: { a: points('a', 2000, 0, 1), b: points('b', 40, 1, 2) },
    val: {},
    test: { a: points('a', 400, 0, 3), b: points('b', 400, 1, 4) },
    mixing: { strategy: 'proportional' },
    files: [],
  };
}

const config = parseStudyConfig({
  dataset: 'planted.yaml',
  methods: ['ew'],
  mixings: { prop: { strategy: 'proportional' } },
  pretrainFinetune: { finetuneEpochs: 1 },
  epochs: 2,
  stepsPerEpoch: 30,
  batchSize: 16,
  lr: 0.05,
  validation: 0,
  capacityCheck: false,
  affinity: { every: 0 },
  trunk: { width: 4 },
});

test('pre-training on the mixture then fine-tuning on each task learns the task the mixture starves; equal steps per final model', async () => {
  const data = planted();
  const spec = { label: 'ew@prop', tasks: data.tasks, method: 'ew' as const, width: 4, seed: 0, mixing: data.mixing };
  let mixtureSteps = 0;
  const mixture = await trainAndEvaluate(data, config, spec, () => (mixtureSteps += 1));
  let steps = 0;
  const ft = await pretrainThenFinetune(data, config, { ...spec, label: 'ew@prop+ft', finetuneEpochs: 1 }, () => {
    steps += 1;
  });
  const acc = (r: typeof ft, t: string): number => r.results[t]!['accuracy']!;
  // a is learnt either way; b only by its fine-tuned copy (planted: its head saw ~1 batch in the mixture)
  assert.ok(acc(mixture, 'a') > 0.9 && acc(ft, 'a') > 0.9, `a: ${acc(mixture, 'a')}, ${acc(ft, 'a')}`);
  assert.ok(acc(mixture, 'b') < 0.75, `mixture only, b: ${acc(mixture, 'b')}`);
  assert.ok(acc(ft, 'b') > 0.9, `mixture then fine-tune, b: ${acc(ft, 'b')}`);
  // 30 steps on the mixture, then 30 on each task: every final model took 60, as the mixture-only run
  assert.equal(mixtureSteps, 60);
  assert.equal(steps, 30 + 2 * 30);
  assert.deepEqual(
    ft.stages?.map((s) => [s.stage, s.losses.length]),
    [
      ['pre-training', 1],
      ['fine-tuning a', 1],
      ['fine-tuning b', 1],
    ],
  );
  assert.equal(ft.losses?.length, 1);
});

test("a task's copy starts from the trunk and that task's head only", () => {
  const data = planted();
  const model = studyModel(data, data.tasks, 4);
  const keys = Object.keys(taskWeights(model.stateDict(), 'b'));
  assert.ok(keys.some((k) => k.startsWith('trunk.')));
  assert.ok(keys.some((k) => k.startsWith('heads.b.')));
  assert.ok(!keys.some((k) => k.startsWith('heads.a.')));
  assert.equal(keys.length, Object.keys(studyModel(data, [data.tasks[1]!], 4).stateDict()).length);
});

test('pretrainFinetune adds <method>@<mixing>+ft runs to the grid; bad settings name the key', () => {
  assert.deepEqual(multiTaskLabels(config), ['ew@prop', 'ew@prop+ft']);
  const ids = mtlGrid(planted(), config).grid.map((r) => r.id);
  assert.deepEqual(ids, ['single:a-seed0', 'single:b-seed0', 'ew@prop-seed0', 'ew@prop+ft-seed0']);
  const spec = mtlGrid(planted(), config).grid[3]!.spec;
  assert.equal(spec.finetuneEpochs, 1);
  assert.deepEqual(spec.mixing, { strategy: 'proportional' });
  // chosen mixings only; without mixings, <method>+ft
  const two = parseStudyConfig({
    methods: ['ew', 'uw'],
    epochs: 3,
    mixings: { eq: { strategy: 'equal' }, t2: { strategy: 'temperature', temperature: 2 } },
    pretrainFinetune: { mixings: ['t2'], finetuneEpochs: 2 },
  });
  assert.deepEqual(multiTaskLabels(two), ['ew@eq', 'ew@t2', 'uw@eq', 'uw@t2', 'ew@t2+ft', 'uw@t2+ft']);
  assert.deepEqual(multiTaskLabels(parseStudyConfig({ methods: ['ew'], pretrainFinetune: {} })), ['ew', 'ew+ft']);
  assert.throws(
    () => parseStudyConfig({ epochs: 2, pretrainFinetune: { finetuneEpochs: 2 } }, 'study.yaml'),
    /study\.yaml: pretrainFinetune\.finetuneEpochs: 2 leaves no epoch of the 2 \(epochs\)/,
  );
  assert.throws(
    () =>
      parseStudyConfig({ mixings: { eq: { strategy: 'equal' } }, pretrainFinetune: { mixings: ['T2'] } }, 'study.yaml'),
    /pretrainFinetune\.mixings\[0\]: 'T2' is not one of mixings: eq/,
  );
});
