/**
 * The multi-task study's `mlm+ft` run (pretrainFinetune.unsupervised, T5's baseline of Table 12;
 * src/multitask/study/mlm-pretrain.ts) on planted token-id sources: three corpora whose every row
 * is unique (its first two ids name its source, split and row), so a row the MLM loader hands out
 * can be traced to where it came from. Checked: the loader draws training rows of every source and
 * never a validation or test row; the run's MLM stage takes exactly the steps of a `+ft` run's
 * mixture phase ((epochs − finetuneEpochs) × stepsPerEpoch) and then each task its fine-tuning;
 * the trunk's encoder is what MLM trained; and the config refusals name their field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { MultiTaskDataset } from '../../src/multitask/index.js';
import { multiTaskLabels, parseStudyConfig, MLM_FINETUNE_LABEL } from '../../src/multitask/study/config.js';
import type { StudyData } from '../../src/multitask/study/data.js';
import { mtlGrid } from '../../src/multitask/study/grid.js';
import { mlmLoader, mlmVocabulary, pretrainTrunkMlm } from '../../src/multitask/study/mlm-pretrain.js';
import { pretrainThenFinetune } from '../../src/multitask/study/pretrain-finetune.js';
import { checkStudyModel, studyModel } from '../../src/multitask/study/run-one.js';
import { defineTask } from '../../src/multitask/task.js';
import { TextTrunk } from '../../src/models/text-trunk.js';

const LENGTH = 8;
const VOCAB = 40;
const SPLITS = { train: 0, val: 1, test: 2 } as const;

/**
 * n rows of `task`'s source `s` in split `split`: position 0 holds 10 + s, position 1 13 + the
 * split's code, position 2 16 + (row mod 20), then 3 to 6 random words 2..9, then padding (0);
 * the label is whether position 3 is even.
 */
function rows(task: string, s: number, split: keyof typeof SPLITS, n: number, seed: number): MultiTaskDataset {
  const rng = new Rng(seed);
  const x = new Float32Array(n * LENGTH);
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const words = 3 + (r % 4);
    x[r * LENGTH] = 10 + s;
    x[r * LENGTH + 1] = 13 + SPLITS[split];
    x[r * LENGTH + 2] = 16 + (r % 20);
    for (let j = 3; j < 3 + words; j++) x[r * LENGTH + j] = 2 + Math.floor(rng.uniform() * 8);
    y[r] = x[r * LENGTH + 3]! % 2 === 0 ? 1 : 0;
  }
  return new MultiTaskDataset(x, [LENGTH], { [task]: { data: y } });
}

function planted(): StudyData {
  const names = ['a', 'b', 'c'];
  const part = (split: keyof typeof SPLITS, n: number): Record<string, MultiTaskDataset> =>
    Object.fromEntries(names.map((t, s) => [t, rows(t, s, split, n + 10 * s, 100 * SPLITS[split] + s)]));
  return {
    name: 'planted-text',
    tasks: names.map((name) => defineTask({ name, kind: 'multiclass', classes: 2 })),
    train: part('train', 20),
    val: part('val', 6),
    test: part('test', 8),
    mixing: { strategy: 'proportional' },
    text: { vocabSize: VOCAB, padId: 0, special: [0, 1] },
    files: [],
  };
}

const base = {
  dataset: 'planted.yaml',
  methods: ['ew'],
  mixings: { prop: { strategy: 'proportional' } },
  epochs: 3,
  stepsPerEpoch: 4,
  batchSize: 8,
  lr: 0.01,
  capacityCheck: false,
  affinity: { every: 0 },
  trunk: { width: 2, encoder: 'transformer', numHeads: 2 },
} as const;
const config = parseStudyConfig({
  ...base,
  pretrainFinetune: { mixings: ['prop'], finetuneEpochs: 1, unsupervised: { objective: 'mlm' } },
});

test('the MLM loader draws training rows of every source, never a validation or test row', () => {
  const data = planted();
  const seen = new Set<string>();
  let batches = 0;
  // 3 epochs of 4 steps of 8 rows: 96 draws from 90 training rows
  const loader = mlmLoader(data, parseStudyConfig({ ...base, stepsPerEpoch: 12 }), 0);
  for (const { x } of loader) {
    batches += 1;
    const ids = x.data;
    for (let r = 0; r < x.shape[0]!; r++) {
      const [source, split] = [ids[r * LENGTH]! - 10, ids[r * LENGTH + 1]! - 13];
      assert.equal(split, SPLITS.train, `a row of split ${split} (source ${source}) was drawn`);
      seen.add(String(source));
    }
  }
  assert.equal(batches, 12);
  assert.deepEqual([...seen].sort(), ['0', '1', '2']);
  // the vocabulary: the text's plus [MASK], which is never chosen either
  assert.deepEqual(mlmVocabulary(data), { vocabSize: VOCAB + 1, padId: 0, maskId: VOCAB, special: [0, 1, VOCAB] });
});

test("mlm+ft: MLM for the mixture phase's steps, then each task alone; the encoder is what MLM trained", async () => {
  const data = planted();
  const spec = mtlGrid(data, config).grid.find((r) => r.spec.label === MLM_FINETUNE_LABEL)!.spec;
  assert.deepEqual(spec.unsupervised, { objective: 'mlm', maskProbability: 0.15 });
  let steps = 0;
  const out = await pretrainThenFinetune(data, config, { ...spec, finetuneEpochs: 1 }, () => (steps += 1));
  // (3 − 1) epochs × 4 steps of MLM, as ew@prop+ft's mixture phase; then 4 steps on each of 3 tasks
  assert.deepEqual(
    out.stages?.map((s) => [s.stage, s.steps, s.losses.length, s.valLosses?.length]),
    [
      ['pre-training (mlm)', 8, 2, 2],
      ['fine-tuning a', 4, 1, 1],
      ['fine-tuning b', 4, 1, 1],
      ['fine-tuning c', 4, 1, 1],
    ],
  );
  assert.equal(steps, 8 + 3 * 4);
  // the MLM loss starts near ln(41) (an untrained head over 41 ids) and is finite
  const first = out.stages![0]!.losses[0]!;
  assert.ok(Number.isFinite(first) && Math.abs(first - Math.log(VOCAB + 1)) < 1, `first MLM loss ${first}`);
  for (const t of ['a', 'b', 'c']) assert.ok(out.results[t]!['accuracy']! >= 0, `task ${t} scored`);
  // the same spec's ew@prop+ft takes its 8 pre-training steps on the mixture
  const ft = mtlGrid(data, config).grid.find((r) => r.spec.label === 'ew@prop+ft')!.spec;
  const mixed = await pretrainThenFinetune(data, config, { ...ft, finetuneEpochs: 1 }, () => {});
  assert.equal(mixed.stages?.[0]?.steps, 8);
});

test('the MLM stage trains the trunk encoder in place (the copies start from it)', async () => {
  const data = planted();
  const c = parseStudyConfig({
    ...base,
    epochs: 2,
    pretrainFinetune: { finetuneEpochs: 1, unsupervised: { objective: 'mlm' } },
  });
  const model = studyModel(data, data.tasks, 2, c.trunk);
  const trunk = model.trunk;
  assert.ok(trunk instanceof TextTrunk && trunk.bert !== null);
  const before = Float32Array.from(trunk.bert.stateDict()['encoder.layer.0.attention.self.query.weight']!.data);
  const stage = await pretrainTrunkMlm(model, data, c, { seed: 0, epochs: 1, maskProbability: 0.15 }, () => {});
  const after = trunk.bert.stateDict()['encoder.layer.0.attention.self.query.weight']!.data;
  assert.equal(stage.steps, 4);
  assert.ok(
    before.some((v, i) => v !== after[i]),
    'the encoder did not change',
  );
});

test('mlm+ft joins the runs; its config is refused with the field when it cannot run', () => {
  assert.deepEqual(multiTaskLabels(config), ['ew@prop', 'ew@prop+ft', 'mlm+ft']);
  const mean = { ...base, trunk: { width: 2 } };
  assert.throws(
    () => parseStudyConfig({ ...mean, pretrainFinetune: { unsupervised: { objective: 'mlm' } } }, 'study.yaml'),
    /^ValueError: study\.yaml: pretrainFinetune\.unsupervised: masked-language modelling needs a contextual encoder.*expected trunk\.encoder: transformer$/,
  );
  assert.throws(
    () =>
      parseStudyConfig(
        { ...base, trunk: { arch: 'resnet18' }, pretrainFinetune: { unsupervised: { objective: 'mlm' } } },
        'study.yaml',
      ),
    /pretrainFinetune\.unsupervised: masked-language modelling pre-trains the text trunk's transformer, not the resnet18 trunk/,
  );
  assert.throws(
    () => parseStudyConfig({ ...base, pretrainFinetune: { unsupervised: { objective: 'span' } } }, 'study.yaml'),
    /pretrainFinetune\.unsupervised\.objective/,
  );
  assert.throws(
    () =>
      parseStudyConfig(
        { ...base, pretrainFinetune: { unsupervised: { objective: 'mlm', maskProbability: 0 } } },
        'study.yaml',
      ),
    /pretrainFinetune\.unsupervised\.maskProbability/,
  );
  // images: refused once the data is known (before any run directory: the CLI checks the model first)
  const images: StudyData = { ...planted(), text: undefined };
  delete images.text;
  assert.throws(() => checkStudyModel(images, config), /pretrainFinetune\.unsupervised: .*not token ids/);
  // a transformer trunk's heads must divide its width 8·width
  assert.throws(
    () => checkStudyModel(planted(), parseStudyConfig({ ...base, trunk: { ...base.trunk, numHeads: 3 } })),
    /trunk\.numHeads: 3 heads must divide the transformer's width 8·width = 16/,
  );
});
