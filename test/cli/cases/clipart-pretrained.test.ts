/**
 * `--case clipart-pretrained`: a transfer study from the nsfwjs MobileNetV2 to the clip-art
 * categories. Its presets pass the study's schema as pretrained-source configs, the main one is the
 * example config. The study itself (the real nsfwjs backbone on a folder of drawings, the gain
 * against scratch recomputed from the runs, the refusals) runs in test/cli/transfer-pretrained.test.ts
 * on a folder the test writes, since the prepared clip art is not built in `npm test`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { CASES, caseStudies, findCase } from '../../../src/cli/cases/index.js';
import { readConfigFile } from '../../../src/cli/config/read-file.js';
import { validateConfig } from '../../../src/cli/config/validate.js';
import { STUDIES, studyByKey } from '../../../src/cli/studies/index.js';
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
