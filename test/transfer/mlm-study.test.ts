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
import { plain } from '../helpers/plain.js';
import { tinyStudy, writeText } from './mlm-text.js';
import { checkBaselines } from '../../src/transfer/study/baselines.js';
import type { StudyRun } from '../../src/transfer/study/runs.js';
import { assembleReport } from '../../src/report/assemble.js';

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
    // held to the most frequent word: about 1 in 24 of the masked tokens (the cycle's words are equally common)
    const frequent = r.setup.source.frequencyBaseline;
    assert.ok(frequent !== undefined && frequent > 0.01 && frequent < 0.12, `frequency baseline ${frequent}`);
    assert.match(adequate!.detail, /against always the most frequent word/);
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

test('baselines train their own model on the labels alone, beside the strategies and outside the verdict', () =>
  withTempDir(async (dir) => {
    const files = writeText(dir);
    const study = tinyStudy(files);
    const r = await runTransferStudy({
      ...study,
      fineTune: { ...study.fineTune, seeds: [0] },
      baselines: {
        // planted: a baseline of the study's own architecture, trained on the labels alone, is scratch
        same: { model: study.model! },
        bow: { model: { arch: 'text', encoder: 'mean', embedDim: 16 } },
      },
    });
    assert.deepEqual(
      r.runs.map((x) => x.strategy),
      ['scratch', 'full'],
    );
    const of = (name: string): StudyRun => r.baselineRuns!.find((x) => x.baseline === name)!;
    const scratch = r.runs.find((x) => x.strategy === 'scratch')!;
    assert.equal(of('same').accuracy, scratch.accuracy);
    assert.deepEqual(of('same').losses, scratch.losses);
    // its own architecture: not the same training
    assert.notDeepEqual(of('bow').losses, scratch.losses);
    assert.deepEqual(plain(r.baselines), {
      same: { '4': { mean: Number(scratch.accuracy.toFixed(4)), sd: 0 } },
      bow: { '4': { mean: Number(of('bow').accuracy.toFixed(4)), sd: 0 } },
    });
    // the verdict compares the strategies only
    assert.equal(r.verdict.effect?.n, 1);
    assert.equal(r.verdict.effect?.estimate, 100 * (r.runs[1]!.accuracy - scratch.accuracy));
    // the report's table shows them below the strategies
    const { sections } = assembleReport({ transfer: r });
    const table = sections.find((s) => s.title === 'Transfer learning')!.tables[0]!;
    assert.deepEqual(
      table.rows.map((row) => row[0]),
      ['scratch', 'full', 'same (baseline)', 'bow (baseline)'],
    );
  }));

test('baselines: a bad name or an architecture the data cannot take is refused before anything trains', () =>
  withTempDir(async (dir) => {
    const files = writeText(dir);
    const study = tinyStudy(files);
    assert.throws(
      () => resolveStudyConfig({ ...study, baselines: { scratch: { model: { arch: 'text' } } } }),
      /baselines\.scratch.*a name that is not a strategy/,
    );
    const c = resolveStudyConfig({ ...study, baselines: { img: { model: { arch: 'cnn' } } } });
    const data = await loadStudyData(c);
    assert.throws(() => checkBaselines(c, data), /baselines\.img\.model: cnn needs image inputs/);
    const runsDir = join(dir, 'runs');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...study, baselines: { img: { model: { arch: 'cnn' } } } }));
    const ran = await polytask(['study', 'transfer', '-c', bad, '-q'], { runsDir });
    assert.notEqual(ran.code, 0);
    assert.match(ran.stderr, /baselines\.img\.model: cnn needs image inputs/);
    assert.equal(ran.stderr.trim().split('\n').length, 1, ran.stderr);
    assert.ok(!existsSync(runsDir) || readdirSync(runsDir).every((n) => n.startsWith('index.sqlite')));
  }));

test('an MLM source: the vocabulary comes from the corpus and the target is read with it', () =>
  withTempDir(async (dir) => {
    const files = writeText(dir);
    const data = await loadStudyData(resolveStudyConfig(tinyStudy(files)));
    // [PAD], [UNK] and the 24 words; [MASK] one past them
    const { tokenizer, ...sizes } = data.text!;
    assert.deepEqual(sizes, { vocabSize: 27, padId: 0, maskId: 26, special: [0, 1] });
    // the vocabulary saved with the model: the corpus's words, then [MASK] at its id
    assert.equal((JSON.parse(tokenizer!) as { model: { vocab: Record<string, number> } }).model.vocab['[MASK]'], 26);
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
