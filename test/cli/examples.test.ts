import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile } from '../../src/cli/config/read-file.js';
import { finetuneConfigSchema, trainConfigSchema } from '../../src/cli/config/train-schema.js';
import { validateConfig } from '../../src/cli/config/validate.js';
import { studyByKey } from '../../src/cli/studies/index.js';
import { yamlCaseSchema } from '../../src/endtoend/cases/index.js';
import { isMultiTaskConfig, multiTaskConfigSchema } from '../../src/cli/config/multitask-schema.js';
import { taskDescriptionSchema } from '../../src/multitask/config/task-description-schema.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** The schema an example is for, by its file name (and a train config's `tasks` key). */
function schemaFor(name: string, raw: Record<string, unknown>): Parameters<typeof validateConfig>[0] {
  // `tasks:` names a task description in a multi-task train config, and maps tasks in a description
  if (isMultiTaskConfig(raw)) return typeof raw.tasks === 'string' ? multiTaskConfigSchema : taskDescriptionSchema;
  if (name.startsWith('e2e-case')) return yamlCaseSchema;
  // study-<key>.yaml, or study-<key>-<variant>.yaml (study-mtl-text.yaml, study-mtl-clipart.yaml)
  if (name.startsWith('study-')) return studyByKey(name.slice('study-'.length).split(/[-.]/)[0]!).schema;
  if (name.startsWith('transfer-')) return studyByKey('transfer').schema;
  if (name.startsWith('finetune-')) return finetuneConfigSchema;
  return trainConfigSchema;
}

test('every example config is valid for its command', () => {
  const files = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length >= 8, files.join(', '));
  for (const f of files) {
    const file = join(EXAMPLES, f);
    const raw = readConfigFile(file);
    // finetune examples take the run to start from on the command line
    const config = f.startsWith('finetune-')
      ? { ...raw, finetune: { ...(raw.finetune as object), from: 'a-run' } }
      : raw;
    assert.doesNotThrow(() => validateConfig(schemaFor(f, raw), config, { file }), f);
  }
});
