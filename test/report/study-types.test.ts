/**
 * The report reads each study's own result type: at compile time every study's result is
 * assignable to the report's input for it (a mistyped field fails `tsc`, so this file does not
 * build); at run time small real studies, saved and read back as a run does, draw a report with
 * every section, chart and verdict.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '../../src/data/index.js';
import { runE2eStudy, type E2eStudyResult } from '../../src/endtoend/index.js';
import { runMtlStudy, type MtlStudyResult } from '../../src/multitask/index.js';
import {
  assembleReport,
  createRunDir,
  isE2eReport,
  isMtlReport,
  isTransferReport,
  loadRunData,
  resultsFile,
  writeReport,
  writeRunJson,
  type E2eReport,
  type MtlReport,
  type ReportData,
  type TransferReport,
} from '../../src/report/index.js';
import { runTransferStudy, type TransferStudyResult } from '../../src/transfer/index.js';

/** true when A is assignable to B, false otherwise (not distributed over unions). */
type Assignable<A, B> = [A] extends [B] ? true : false;

// each study's result is the report's input for it, as it is
const fits = { transfer: true, mtl: true, e2e: true } satisfies {
  transfer: Assignable<TransferStudyResult, TransferReport>;
  mtl: Assignable<MtlStudyResult, MtlReport>;
  e2e: Assignable<E2eStudyResult, E2eReport>;
};
// and goes into the report's data under its key, with no conversion
const asReportData = (t: TransferStudyResult, m: MtlStudyResult, e: E2eStudyResult): ReportData => ({
  transfer: t,
  mtl: m,
  e2e: e,
});
// a report input is not anything at all: the check can fail
const notAnything = { any: false } satisfies { any: Assignable<{ budgets: number[] }, TransferReport> };

test("every study's result type is the report's input for it", () => {
  assert.deepEqual(fits, { transfer: true, mtl: true, e2e: true });
  assert.deepEqual(notAnything, { any: false });
  assert.equal(typeof asReportData, 'function');
});

test('small real studies, saved and read back as a run does, draw the whole report', async () => {
  const digits = loadMnist();
  const mtl = await runMtlStudy({
    train: 128,
    test: 64,
    epochs: 1,
    batchSize: 32,
    methods: ['ew', 'pcgrad'],
    affinity: { every: 2 },
    trunk: { width: 4 },
  });
  const transfer = await runTransferStudy({
    direction: 'digits-0-4-to-5-9',
    model: { arch: 'mlp', hidden: [16] },
    source: { samples: 400, epochs: 1 },
    target: { budgets: [2, 4], testSamples: 100 },
    fineTune: { seeds: [0, 1], strategies: ['scratch', 'full'], minEpochs: 2, epochBudget: 4, lr: 1e-2 },
  });
  const e2e = await runE2eStudy(
    {
      case: 'digit-sum',
      sizes: [20, 40, 80, 160],
      seeds: 2,
      testExamples: 200,
      subtaskExamples: 100,
      hidden: 16,
      bootstrap: 20,
      hybrid: false,
      training: { epochs: 2, minSteps: 10, maxSteps: 30 },
    },
    undefined,
    { digits },
  );
  const root = mkdtempSync(join(tmpdir(), 'polytask-study-types-'));
  try {
    const run = createRunDir(root, 'main', {});
    writeRunJson(run.dir, resultsFile('transfer'), transfer);
    writeRunJson(run.dir, resultsFile('mtl'), mtl);
    writeRunJson(run.dir, resultsFile('e2e'), e2e);
    const saved = loadRunData(run.dir).data;
    assert.ok(isTransferReport(saved.transfer) && isMtlReport(saved.mtl) && isE2eReport(saved.e2e));
    assert.equal(isMtlReport({ ...mtl, tasks: 'left' }), false);
    const { sections, verdicts } = assembleReport(saved);
    assert.deepEqual(
      sections.map((s) => s.title),
      ['Transfer learning', 'Multi-task learning', 'End-to-end vs pipeline'],
    );
    assert.deepEqual(
      verdicts.map((v) => v.study),
      ['transfer', 'mtl', 'e2e'],
    );
    assert.equal(verdicts[0]!.headline, transfer.verdict.sentence);
    assert.equal(verdicts[1]!.headline, mtl.verdict.sentence);
    assert.equal(verdicts[2]!.headline, e2e.verdict.sentence);
    const written = await writeReport(run.dir, {
      title: 'real studies',
      meta: [],
      config: {},
      data: saved,
      png: false,
    });
    for (const id of ['transfer', 'delta-m', 'task-metrics', 'affinity-ew', 'affinity-pcgrad', 'e2e'])
      assert.ok(written.chartIds.includes(id), `${id} in ${written.chartIds.join(', ')}`);
    // the multi-task table shows each task's first metric under every run
    const table = sections[1]!.tables[0]!;
    assert.deepEqual(table.header.slice(0, 3), ['method', ...mtl.tasks.map((t) => t.name)]);
    assert.deepEqual(
      table.rows.map((r) => r[0]),
      ['single', 'ew', 'pcgrad'],
    );
    assert.ok(
      table.rows.every((r) => r.slice(1, 3).every((cell) => cell !== '–')),
      JSON.stringify(table.rows),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
