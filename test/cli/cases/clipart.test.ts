import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { CASES, caseStudies, findCase } from '../../../src/cli/cases/index.js';
import { CLIPART_TASKS } from '../../../src/cli/cases/clipart.js';
import { readConfigFile } from '../../../src/cli/config/read-file.js';
import { validateConfig } from '../../../src/cli/config/validate.js';
import { STUDIES, studyByKey } from '../../../src/cli/studies/index.js';
import { CLIPART_VIEWS, MULTITASK_COLUMNS } from '../../../src/data/prepared/clipart.js';
import { preparable } from '../../../src/data/prepared/index.js';
import { taskDescriptionSchema } from '../../../src/multitask/config/task-description-schema.js';
import { parseStudyConfig } from '../../../src/multitask/study/config.js';

const example = (name: string): string => fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));

/** Every `{ source: prepared, name, view }` and `{ prepared, file, column }` inside a value. */
function preparedRefs(
  v: unknown,
  out: { views: string[]; columns: string[]; names: string[] } = { views: [], columns: [], names: [] },
) {
  if (Array.isArray(v)) v.forEach((x) => preparedRefs(x, out));
  else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (o.source === 'prepared') {
      out.names.push(String(o.name));
      out.views.push(String(o.view));
    }
    if (typeof o.prepared === 'string') {
      out.names.push(o.prepared);
      if (typeof o.column === 'string') out.columns.push(o.column);
    }
    Object.values(o).forEach((x) => preparedRefs(x, out));
  }
  return out;
}

test('--case clipart prepares clipart, then runs the transfer and mtl studies with presets their schemas accept', () => {
  const c = findCase('clipart');
  assert.ok(CASES.includes(c));
  assert.deepEqual(c.datasets, ['clipart']);
  assert.equal(preparable('clipart').requires, 'Debian package openclipart-svg');
  assert.deepEqual(
    caseStudies(c, STUDIES).map((s) => s.key),
    STUDIES.map((s) => s.key).filter((k) => k === 'transfer' || k === 'mtl'),
  );
  for (const key of ['transfer', 'mtl'] as const) {
    const presets = c.presets[key]!;
    for (const which of ['main', 'quick'] as const)
      assert.doesNotThrow(() => validateConfig(studyByKey(key).schema, presets[which], { file: `${key} ${which}` }));
    assert.equal(presets.quick.smokeTest, true, `${key} quick is a smoke test`);
    const refs = preparedRefs(presets);
    assert.ok(refs.names.every((n) => n === 'clipart'));
    for (const v of refs.views) assert.ok((CLIPART_VIEWS as readonly string[]).includes(v), `view ${v}`);
  }
});

test("the case's main presets are the example configs, and its task description names views and columns that exist", () => {
  const c = findCase('clipart');
  const transfer = studyByKey('transfer').schema;
  const mtl = studyByKey('mtl').schema;
  assert.deepEqual(
    validateConfig(transfer, readConfigFile(example('study-transfer-clipart.yaml'))),
    validateConfig(transfer, c.presets.transfer!.main),
  );
  const fromFile = readConfigFile(example('study-mtl-clipart.yaml'));
  assert.equal(fromFile.dataset, 'examples/clipart-tasks.yaml');
  assert.equal(CLIPART_TASKS, example('clipart-tasks.yaml'));
  assert.deepEqual(
    validateConfig(mtl, { ...fromFile, dataset: CLIPART_TASKS }),
    validateConfig(mtl, c.presets.mtl!.main),
  );
  // the verdict's fair comparison (single-task models of equal total capacity) is made, and the runs
  // may train until early stopping ends them (the README's measured settings)
  const main = parseStudyConfig(c.presets.mtl!.main, 'mtl main');
  assert.equal(main.capacityCheck, true);
  assert.equal(main.epochs, 20);
  assert.deepEqual(main.seeds, [0, 1, 2]);
  assert.ok(main.validation > 0, 'early stopping on a validation split');
  assert.equal(parseStudyConfig(c.presets.mtl!.quick, 'mtl quick').epochs, 1, 'quick stays a smoke test');
  const tasks = taskDescriptionSchema.parse(readConfigFile(CLIPART_TASKS));
  const refs = preparedRefs(tasks);
  assert.deepEqual(refs.views, ['multitask']);
  assert.deepEqual(refs.columns, ['category', 'subcategory_partial']);
  for (const col of refs.columns) assert.ok((MULTITASK_COLUMNS as readonly string[]).includes(col));
});
