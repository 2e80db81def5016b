/**
 * The transfer study's baselines (src/transfer/study/baselines.ts): their own training settings
 * (`baselines.<name>.fineTune`) and their own vocabulary (`vocabulary`). Planted truths: a
 * baseline of the study's own architecture with its own settings trains exactly as the study's
 * scratch runs do under those settings (so a baseline that ignored its lr, epochs, batch size or
 * patience would not match); a target whose label is one word the pre-training corpus never
 * holds is at chance for a bag of words over the corpus's vocabulary and learnt by one with its
 * own, built from the run's training rows alone (a word of the test rows alone is left out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTransferStudy } from '../../src/transfer/study.js';
import {
  epochsForBudget,
  patienceFor,
  resolveStudyConfig,
  runSettingsOf,
  type TransferStudyInput,
} from '../../src/transfer/study/config.js';
import { ownVocabulary, remapIds } from '../../src/transfer/study/baselines.js';
import { runImages, studyDataset } from '../../src/transfer/study/data.js';
import { validationSplit, type StudyRun } from '../../src/transfer/study/runs.js';
import { loadStudyData } from '../../src/transfer/study/user-data.js';
import { TensorDataset } from '../../src/data/index.js';
import { assembleReport } from '../../src/report/assemble.js';
import { polytask, withTempDir } from '../cli/helpers.js';
import { plain } from '../helpers/plain.js';
import { tinyStudy, writePlanted, writeText } from './mlm-text.js';

const bow = { arch: 'text', encoder: 'mean', embedDim: 8 } as const;

test("a baseline's fineTune settings take over the study's field by field; unknown or bad ones are refused with their path", () => {
  const c = resolveStudyConfig({
    fineTune: { lr: 0.002, batchSize: 32, minEpochs: 10, epochBudget: 200 },
    baselines: {
      own: { model: { arch: 'mlp' }, fineTune: { lr: 0.05, minEpochs: 40, patience: 7, weightDecay: 0.01 } },
      plain: { model: { arch: 'mlp' } },
    },
  });
  assert.deepEqual(plain(runSettingsOf(c, 'own')), {
    batchSize: 32,
    lr: 0.05,
    patience: 7,
    minEpochs: 40,
    epochBudget: 200,
    weightDecay: 0.01,
  });
  assert.deepEqual(plain(runSettingsOf(c, 'plain')), runSettingsOf(c));
  // max(minEpochs, ceil(epochBudget / n)): the baseline's 40 against the strategies' 10
  assert.equal(epochsForBudget(c, 10, 'own'), 40);
  assert.equal(epochsForBudget(c, 10), 20);
  assert.equal(patienceFor(c, 40, 'own'), 7);
  assert.equal(patienceFor(c, 40), 5);
  const refused: [TransferStudyInput['baselines'], RegExp][] = [
    [
      { b: { model: { arch: 'mlp' }, fineTune: { lrr: 1 } as never } },
      /baselines\.b\.fineTune: unknown key "lrr"; did you mean "lr"/,
    ],
    [
      { b: { model: { arch: 'mlp' }, fineTune: { lr: -1 } } },
      /baselines\.b\.fineTune\.lr: found -1, expected a number > 0/,
    ],
    [{ b: { model: { arch: 'mlp' }, fineTune: { minEpochs: 0.5 } } }, /baselines\.b\.fineTune\.minEpochs/],
    // the baselines train on the strategies' labelled examples and validation split
    [
      { b: { model: { arch: 'mlp' }, fineTune: { validation: 0.5 } as never } },
      /baselines\.b\.fineTune: unknown key "validation"/,
    ],
    [
      { b: { model: { arch: 'mlp' }, vocabulary: {} } },
      /baselines\.b\.model\.arch: found "mlp".*a vocabulary of its own/,
    ],
    [{ b: { model: bow, vocabulary: { minCount: 0 } } }, /baselines\.b\.vocabulary\.minCount/],
    [{ b: { model: bow, vocabulary: { size: 10 } as never } }, /baselines\.b\.vocabulary: unknown key "size"/],
  ];
  for (const [baselines, message] of refused) assert.throws(() => resolveStudyConfig({ baselines }), message);
});

test('polytask study transfer refuses a bad baseline setting in one line, before any run directory', () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const bad = join(dir, 'bad.json');
    const study = tinyStudy(writeText(dir));
    writeFileSync(bad, JSON.stringify({ ...study, baselines: { bow: { model: bow, fineTune: { epochs: 5 } } } }));
    const r = await polytask(['study', 'transfer', '-c', bad, '-q'], { runsDir });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /baselines\.bow\.fineTune: unknown key "epochs"/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(runsDir) || readdirSync(runsDir).every((n) => n.startsWith('index.sqlite')));
  }));

test('ownVocabulary: the training rows’ words by count, everything else left out as [PAD]', () => {
  // pool ids: 0 [PAD], 1 [UNK], words 2..9; rows of 4
  const train = Float32Array.of(5, 5, 7, 0, 9, 5, 7, 0);
  const { map, size } = ownVocabulary(train, { minCount: 1, maxSize: 100 }, { padId: 0 });
  // 5 three times, 7 twice, 9 once: ids 1, 2, 3; [PAD] 0 and every other id (2, 3, 4, 6, 8, [UNK]) → 0
  assert.equal(size, 4);
  assert.deepEqual(Array.from(map), [0, 0, 0, 0, 0, 1, 0, 2, 0, 3]);
  assert.deepEqual(ownVocabulary(train, { minCount: 2, maxSize: 100 }, { padId: 0 }).size, 3);
  assert.deepEqual(
    Array.from(ownVocabulary(train, { minCount: 1, maxSize: 2 }, { padId: 0 }).map),
    [0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
  );
  // a test row: 8 and 11 were never in training (11 is past the map), 1 is [UNK]
  const test = new TensorDataset(Float32Array.of(8, 5, 11, 1), [4], Int32Array.of(0));
  assert.deepEqual(Array.from(remapIds(test, map).features), [0, 1, 0, 0]);
});

/** The tiny MLM study (one short pre-training) with `over` on top. */
function study(files: ReturnType<typeof writeText>, over: Partial<TransferStudyInput>): TransferStudyInput {
  const s = tinyStudy(files);
  return {
    ...s,
    source: { ...s.source!, epochs: 2 } as TransferStudyInput['source'],
    fineTune: { ...s.fineTune, seeds: [0] },
    ...over,
  };
}

test("a baseline trains with its own lr, epochs, batch size and patience: the study's scratch run under those settings", () =>
  withTempDir(async (dir) => {
    const files = writeText(dir);
    // patience 1 (the default would be 5): early stopping ends it well before its 40 epochs
    const own = { lr: 0.05, minEpochs: 40, epochBudget: 40, batchSize: 2, patience: 1 };
    const base = tinyStudy(files);
    // planted: a baseline of the study's own architecture trained on the labels alone is scratch
    const a = await runTransferStudy(
      study(files, {
        baselines: {
          same: { model: base.model!, fineTune: own },
          decayed: { model: base.model!, fineTune: { ...own, weightDecay: 0.5 } },
        },
        fineTune: { ...base.fineTune, seeds: [0], strategies: ['scratch'] },
      }),
    );
    const b = await runTransferStudy(
      study(files, { fineTune: { ...base.fineTune, ...own, seeds: [0], strategies: ['scratch'] } }),
    );
    const baseline = a.baselineRuns![0]!;
    const scratchThere = b.runs[0]!;
    const pick = (r: StudyRun): unknown =>
      plain({ epochs: r.epochs, accuracy: r.accuracy, losses: r.losses, valLosses: r.valLosses });
    assert.deepEqual(pick(baseline), pick(scratchThere));
    assert.equal(baseline.epochs, 40);
    assert.ok(baseline.stopped === true && baseline.losses!.length < 40, `${baseline.losses!.length} epochs`);
    // its weight decay too: the same run with Adam's L2 penalty is another run
    const decayed = a.baselineRuns!.find((x) => x.baseline === 'decayed')!;
    assert.notDeepEqual(decayed.losses, baseline.losses);
    // not the study's own scratch run (lr 0.001, batch 8, 12 / 4 = 3 epochs)
    assert.equal(a.runs[0]!.epochs, 3);
    assert.notDeepEqual(baseline.losses, a.runs[0]!.losses);
    // the result records what it ran with
    assert.deepEqual(plain(a.baselineSettings!.same), {
      // the model as the config resolved it (its defaults filled in)
      model: plain(resolveStudyConfig({ ...base, baselines: { same: { model: base.model! } } }).baselines.same!.model),
      fineTune: { ...own, weightDecay: 0, epochsByBudget: { '4': 40 }, patienceByBudget: { '4': 1 } },
      vocabulary: 'study',
    });
    assert.equal(a.baselineSettings!.decayed!.fineTune.weightDecay, 0.5);
    // and the report's settings table shows it
    const section = assembleReport({ transfer: a }).sections.find((s) => s.title === 'Transfer learning')!;
    const settings = section.tables.find((t) => t.caption.startsWith('Baselines'))!;
    assert.deepEqual(settings.rows[0]!.slice(0, 6), ['same', 'the study’s', '0.05', '2', '0', '4: 40']);
  }));

test('a bag of words with its own vocabulary learns a label word the corpus never saw; over the corpus vocabulary it cannot', () =>
  withTempDir(async (dir) => {
    const files = writePlanted(dir);
    const fineTune = { lr: 0.05, minEpochs: 60, epochBudget: 60, batchSize: 4, patience: 60 };
    const config = study(files, {
      baselines: {
        own: { model: bow, vocabulary: { minCount: 1 }, fineTune },
        corpus: { model: bow, fineTune },
      },
    });
    const data = await loadStudyData(resolveStudyConfig(config));
    const words = data.words!;
    // the pool's vocabulary holds the label words; the test-only word is [UNK] (1) in every test row
    const width = words.test.width;
    for (let r = 0; r < words.test.n; r++)
      assert.ok(Array.from(words.test.images.subarray(r * width, (r + 1) * width)).includes(1));
    assert.ok(!Array.from(words.pool.images).includes(1));
    const r = await runTransferStudy(config);
    const run = (name: string): StudyRun => r.baselineRuns!.find((x) => x.baseline === name)!;
    // 40 test rows, the planted word decides each: learnt with its own vocabulary, chance without
    assert.ok(run('own').accuracy >= 0.9, `own vocabulary: ${run('own').accuracy}`);
    assert.ok(run('corpus').accuracy <= 0.7, `corpus vocabulary: ${run('corpus').accuracy}`);
    // its vocabulary: [PAD] and the distinct words of the run's training rows (the budget less its validation split)
    const view = { ...data, targetPool: words.pool, targetTest: words.test };
    const { train } = validationSplit(studyDataset(view, runImages(view, 4, 0).train), 0.2, 0);
    const distinct = new Set(Array.from(train.features).filter((id) => id !== words.padId));
    assert.equal(run('own').vocabularySize, distinct.size + 1);
    assert.equal(run('corpus').vocabularySize, undefined);
    assert.deepEqual(plain(r.baselineSettings!.own!.vocabulary), {
      minCount: 1,
      maxSize: 50_000,
      sizeByRun: { 'baseline-own-b4-seed0': distinct.size + 1 },
    });
  }));
