/**
 * The transfer study resumed over its sub-run records: recorded fine-tuning runs and the recorded
 * pre-trained source are taken as they are, the missing runs are trained, and the result equals
 * the uninterrupted study's (timings aside).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSubRunStore } from '../../src/train/index.js';
import { runTransferStudy, type StudyProgress, type TransferStudyInput, type TransferStudyResult } from '../../src/transfer/index.js';

const config: TransferStudyInput = {
  direction: 'digits-0-4-to-5-9',
  model: { arch: 'mlp', hidden: [16] },
  source: { samples: 400, epochs: 1 },
  target: { budgets: [2, 4], testSamples: 100 },
  fineTune: { strategies: ['scratch', 'linear-probe', 'lp-ft'], seeds: [0, 1], minEpochs: 2, epochBudget: 4, lr: 1e-2 },
};

/** The result without wall times, which differ between any two runs. */
function withoutTimes(r: TransferStudyResult): unknown {
  return { ...r, setup: { ...r.setup, seconds: 0 }, runs: r.runs.map((run) => ({ ...run, seconds: 0 })) };
}

test('a resumed transfer study trains only what was not recorded and gives the uninterrupted result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-transfer-resume-'));
  try {
    const full = await runTransferStudy(config, undefined, { subRuns: FileSubRunStore.open(join(dir, 'a'), { config }) });
    cpSync(join(dir, 'a'), join(dir, 'b'), { recursive: true });
    // as if Ctrl-C had come after the first budget: its six runs and the source model are recorded
    for (const seed of [0, 1]) for (const s of ['scratch', 'linear-probe', 'lp-ft']) rmSync(join(dir, 'b', `finetune-${s}-b4-seed${seed}.json`));
    const events: StudyProgress[] = [];
    const resumed = await runTransferStudy(config, (e) => events.push(e), { subRuns: FileSubRunStore.open(join(dir, 'b'), { config }) });
    assert.deepEqual(withoutTimes(resumed), withoutTimes(full));
    assert.equal(events.filter((e) => e.phase === 'pretrain').length, 0, 'the recorded source model is loaded, not trained again');
    const trained = events.filter((e) => e.phase === 'finetune');
    assert.deepEqual(trained.map((e) => [e.budget, e.done]), [[4, 7], [4, 8], [4, 9], [4, 10], [4, 11], [4, 12]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
