/**
 * `--case clipart-pretrained`: a transfer study from the nsfwjs MobileNetV2 to the clip-art
 * categories. Its presets pass the study's schema as pretrained-source configs, the main one is the
 * example config, and the quick one runs end to end in seconds when the clip-art data is prepared
 * (`polytask data prepare clipart`; skipped, with the reason, when it is not).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES, caseStudies, findCase } from '../../../src/cli/cases/index.js';
import { readConfigFile } from '../../../src/cli/config/read-file.js';
import { validateConfig } from '../../../src/cli/config/validate.js';
import { STUDIES, studyByKey } from '../../../src/cli/studies/index.js';
import { MANIFEST_FILE, preparedDir } from '../../../src/data/prepared/store.js';
import { runTransferStudy } from '../../../src/transfer/study.js';
import { isPretrainedStudy, transferStudyConfigSchema } from '../../../src/transfer/study/config.js';

const example = (name: string): string => fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));

test('--case clipart-pretrained runs one transfer study from the nsfwjs backbone; its main preset is the example', () => {
  const c = findCase('clipart-pretrained');
  assert.ok(CASES.includes(c));
  assert.deepEqual(c.datasets, ['clipart']);
  assert.deepEqual(
    caseStudies(c, STUDIES).map((s) => s.key),
    ['transfer'],
  );
  const schema = studyByKey('transfer').schema;
  for (const which of ['main', 'quick'] as const) {
    const config = transferStudyConfigSchema.parse(validateConfig(schema, c.presets.transfer![which]));
    assert.ok(isPretrainedStudy(config), which);
    assert.equal(config.source.backbone, 'nsfw-mobilenet-v2');
  }
  assert.equal(c.presets.transfer!.quick.smokeTest, true);
  assert.deepEqual(
    validateConfig(schema, readConfigFile(example('study-transfer-clipart-pretrained.yaml'))),
    validateConfig(schema, c.presets.transfer!.main),
  );
});

const prepared = existsSync(join(preparedDir('clipart'), MANIFEST_FILE));

test(
  'the quick preset runs from the pretrained backbone on the prepared clip art',
  { timeout: 300_000, skip: prepared ? false : 'clip art not prepared (polytask data prepare clipart)' },
  async () => {
    const result = await runTransferStudy(findCase('clipart-pretrained').presets.transfer!.quick);
    assert.equal(result.setup.direction, 'pretrained');
    assert.equal(result.setup.target.classes, 16);
    assert.equal(result.verdict.outcome, 'inconclusive');
    assert.equal(result.verdict.because, 'smoke test');
    assert.equal(result.runs.length, 2);
  },
);
