/**
 * The transfer study with a masked-language-model source (src/transfer/study/mlm-source.ts), at a
 * tiny size on text made here: the corpus is windows of a cycle of 24 words, so a masked word is
 * fixed by its neighbours (a planted truth: pre-training must learn it, far above chance), and the
 * target tells windows from the first half of the cycle from the second. The study runs end to end
 * through the verdict, whose headline effect is checked against the runs' own accuracies; bad
 * configs are refused before anything trains, and through the CLI before the run directory exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTransferStudy } from '../../src/transfer/study.js';
import { resolveStudyConfig, type TransferStudyInput } from '../../src/transfer/study/config.js';
import { loadStudyData } from '../../src/transfer/study/user-data.js';
import { polytask, withTempDir } from '../cli/helpers.js';
import { tinyStudy, writeText } from './mlm-text.js';

test('MLM source → text target: the encoder learns the planted corpus, and the headline is the runs’ paired gain', () =>
  withTempDir(async (dir) => {
    const files = writeText(dir);
    const r = await runTransferStudy(tinyStudy(files));
    // planted: a masked word of a window is fixed by its neighbours (chance: 1 in 27 ids; 0.45
    // here after 20 epochs, against 0.10 after 12 epochs at batch 32)
    const masked = r.setup.source.testAccuracy;
    assert.ok(masked !== null && masked > 0.3, `masked-token accuracy ${masked}`);
    const adequate = r.verdict.reasons.find((x) => x.check === 'source adequate');
    assert.equal(adequate?.passed, true, JSON.stringify(adequate));
    assert.equal(r.setup.model.arch, 'text');
    assert.deepEqual(
      r.setup.model.tasks.map((t) => t.name),
      ['mlm'],
    );
    assert.equal(r.setup.source.examples, 360); // 400 lines less 40 held out
    assert.equal(r.runs.length, 4);
    // the headline: full minus scratch at 4 labels per class, in points, paired by seed
    const acc = (strategy: string, seed: number): number =>
      r.runs.find((x) => x.strategy === strategy && x.seed === seed)!.accuracy;
    const gains = [0, 1].map((s) => 100 * (acc('full', s) - acc('scratch', s)));
    assert.equal(r.verdict.effect?.n, 2);
    assert.ok(Math.abs(r.verdict.effect!.estimate - (gains[0]! + gains[1]!) / 2) < 1e-9);
    assert.match(r.verdict.effect!.of, /full minus scratch at 4 labels per class/);
    // every run was scored on the 40 test rows: accuracies are multiples of 1/40
    for (const run of r.runs) assert.ok(Math.abs(run.accuracy * 40 - Math.round(run.accuracy * 40)) < 1e-9);
  }));

test('an MLM source: the vocabulary comes from the corpus and the target is read with it', () =>
  withTempDir(async (dir) => {
    const files = writeText(dir);
    const data = await loadStudyData(resolveStudyConfig(tinyStudy(files)));
    // [PAD], [UNK] and the 24 words; [MASK] one past them
    assert.deepEqual(data.text, { vocabSize: 27, padId: 0, maskId: 26, special: [0, 1] });
    assert.deepEqual(data.featureShape, [8]);
    assert.equal(data.source.n, 360);
    assert.equal(data.sourceTest.n, 40);
    // the target's words are all in the corpus: no [UNK] (1) in its ids
    assert.ok(!data.targetPool.images.includes(1));
    assert.deepEqual(data.targetPool.classNames, ['first', 'second']);
  }));

test('bad MLM configs are refused before anything trains', () =>
  withTempDir(async (dir) => {
    const files = writeText(dir);
    const good = tinyStudy(files);
    const cases: [TransferStudyInput, RegExp][] = [
      [{ ...good, model: { arch: 'cnn' } }, /model: an MLM source pre-trains a transformer/],
      [{ ...good, model: { arch: 'text', encoder: 'mean' } }, /model: an MLM source pre-trains a transformer/],
      [{ ...good, target: { budgets: [4] } }, /target\.data: an MLM source needs the target text/],
      [
        { ...good, source: { objective: 'mlm', data: { file: join(dir, 'none.txt') } } },
        /source\.data: .*none\.txt: no such file/,
      ],
      [
        { ...good, target: { ...good.target, budgets: [30] } },
        /target\.budgets: class 'first' .* has 20 training examples/,
      ],
      [{ ...good, source: { data: { file: files.corpus } } as never }, /target\.data|source\.data/],
      [
        {
          model: good.model,
          source: { data: { source: 'text', file: files.train, textColumn: 'text', label: 'label', maxLength: 8 } },
          target: good.target,
        },
        /model\.arch: text reads token ids: it goes with an MLM source/,
      ],
    ];
    for (const [config, message] of cases)
      await assert.rejects(async () => loadStudyData(resolveStudyConfig(config)), message);
    assert.throws(() => resolveStudyConfig({ ...good, source: { objective: 'masked' } as never }), /source\.objective/);
  }));

test('polytask study transfer refuses a bad MLM config in one line, with no run directory', () =>
  withTempDir(async (dir) => {
    const files = writeText(dir);
    const runsDir = join(dir, 'runs');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...tinyStudy(files), model: { arch: 'cnn' } }));
    const r = await polytask(['study', 'transfer', '-c', bad, '-q'], { runsDir });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /model: an MLM source pre-trains a transformer/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!existsSync(runsDir) || readdirSync(runsDir).every((n) => n.startsWith('index.sqlite')));
  }));
