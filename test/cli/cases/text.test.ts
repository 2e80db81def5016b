/**
 * The text case's transfer study (masked-language-model pre-training, then spam/ham): its presets
 * pass the study's schema, the main one is examples/study-transfer-text.yaml, the quick one is a
 * smoke test, and every data set they name is one the case prepares first. The study itself runs
 * end to end at a tiny size in test/transfer/mlm-study.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { caseStudies, findCase } from '../../../src/cli/cases/index.js';
import { TEXT_TRANSFER } from '../../../src/cli/cases/text.js';
import { readConfigFile } from '../../../src/cli/config/read-file.js';
import { validateConfig } from '../../../src/cli/config/validate.js';
import { STUDIES, studyByKey } from '../../../src/cli/studies/index.js';
import { preparable } from '../../../src/data/prepared/index.js';

const example = fileURLToPath(new URL('../../../../examples/study-transfer-text.yaml', import.meta.url));

test('--case text runs the MLM transfer study and the mixing study; the transfer presets validate', () => {
  const c = findCase('text');
  assert.deepEqual(
    caseStudies(c, STUDIES).map((s) => s.key),
    STUDIES.map((s) => s.key).filter((k) => k === 'transfer' || k === 'mtl'),
  );
  const schema = studyByKey('transfer').schema;
  const presets = c.presets.transfer!;
  const main = validateConfig(schema, presets.main, { file: 'transfer main' }) as Record<string, unknown>;
  const quick = validateConfig(schema, presets.quick, { file: 'transfer quick' }) as Record<string, unknown>;
  assert.deepEqual(validateConfig(schema, readConfigFile(example)), main);
  assert.equal(quick.smokeTest, true);
  assert.equal(main.smokeTest, false);
  for (const p of [main, quick]) {
    const source = p.source as { objective: string; data: { prepared: string[] } };
    const target = p.target as { data: { name: string } };
    assert.equal(source.objective, 'mlm');
    // spam is the target: its text is not pre-trained on (its unlabelled.txt holds its test e-mails)
    assert.deepEqual(source.data.prepared, ['wordnet', 'fortunes', 'brown']);
    assert.equal(target.data.name, 'spam');
    for (const name of [...source.data.prepared, target.data.name]) {
      assert.ok(c.datasets.includes(name), `${name} is prepared by the case`);
      assert.doesNotThrow(() => preparable(name));
    }
  }
});

const mtlExample = fileURLToPath(new URL('../../../../examples/study-mtl-text.yaml', import.meta.url));

test("--case text's mixing study includes T5's pre-training then fine-tuning, and the transfer study the bag-of-words baseline", () => {
  const c = findCase('text');
  const schema = studyByKey('mtl').schema;
  const main = validateConfig(schema, c.presets.mtl!.main, { file: 'mtl main' }) as Record<string, unknown>;
  const quick = validateConfig(schema, c.presets.mtl!.quick, { file: 'mtl quick' }) as Record<string, unknown>;
  // the example is the main preset (its task description named from the repository root)
  const example = validateConfig(schema, readConfigFile(mtlExample)) as Record<string, unknown>;
  assert.deepEqual({ ...example, dataset: main.dataset }, main);
  for (const p of [main, quick]) {
    assert.deepEqual(p.pretrainFinetune, {
      mixings: ['prop-K'],
      finetuneEpochs: 1,
      unsupervised: { objective: 'mlm', maskProbability: 0.15 },
    });
    // T5's unsupervised baseline needs the contextual encoder
    assert.equal((p.trunk as { encoder?: string }).encoder, 'transformer');
    // at least one epoch is left to the mixture
    assert.ok((p.epochs as number) > 1);
  }
  const transfer = c.presets.transfer!;
  for (const p of [transfer.main, transfer.quick]) assert.deepEqual(p.baselines, TEXT_TRANSFER.baselines);
  // the bag of words trains with its own settings, over its own vocabulary
  assert.deepEqual(TEXT_TRANSFER.baselines.bow.model, { arch: 'text', encoder: 'mean', embedDim: 32 });
  assert.deepEqual(TEXT_TRANSFER.baselines.bow.vocabulary, { minCount: 1 });
  assert.equal(TEXT_TRANSFER.baselines.bow.fineTune.lr, 0.01);
});
