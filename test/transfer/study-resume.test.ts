/**
 * The transfer study resumed over its sub-run records: recorded fine-tuning runs and the recorded
 * pre-trained source are taken as they are, the missing runs are trained, and the result equals
 * the uninterrupted study's (timings aside). An aborted signal stops the study after the current
 * step, in the pre-training as in the fine-tuning runs, without recording the run it cut short.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSubRunStore } from '../../src/study/index.js';
import { StoppedError } from '../../src/train/index.js';
import {
  runTransferStudy,
  type TransferStudyProgress,
  type TransferStudyInput,
  type TransferStudyResult,
} from '../../src/transfer/index.js';

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
    const full = await runTransferStudy(config, undefined, {
      subRuns: FileSubRunStore.open(join(dir, 'a'), { config }),
    });
    cpSync(join(dir, 'a'), join(dir, 'b'), { recursive: true });
    // as if Ctrl-C had come after the first budget: its six runs and the source model are recorded
    for (const seed of [0, 1])
      for (const s of ['scratch', 'linear-probe', 'lp-ft']) rmSync(join(dir, 'b', `finetune-${s}-b4-seed${seed}.json`));
    const events: TransferStudyProgress[] = [];
    const resumed = await runTransferStudy(config, (e) => events.push(e), {
      subRuns: FileSubRunStore.open(join(dir, 'b'), { config }),
    });
    assert.deepEqual(withoutTimes(resumed), withoutTimes(full));
    assert.equal(
      events.filter((e) => e.phase === 'pretrain').length,
      0,
      'the recorded source model is loaded, not trained again',
    );
    const trained = events.filter((e) => e.phase === 'finetune');
    assert.deepEqual(
      trained.map((e) => [e.budget, e.done]),
      [
        [4, 7],
        [4, 8],
        [4, 9],
        [4, 10],
        [4, 11],
        [4, 12],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an aborted signal stops the transfer study after the current step; the resumed study gives the uninterrupted result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-transfer-stop-'));
  const open = (name: string): FileSubRunStore => FileSubRunStore.open(join(dir, name), { config });
  const recorded = (name: string): string[] =>
    readdirSync(join(dir, name))
      .filter((n) => n.endsWith('.json'))
      .sort();
  try {
    const full = await runTransferStudy(config, undefined, { subRuns: open('full') });

    // aborted before the study starts: no step trained, nothing recorded
    await assert.rejects(
      runTransferStudy(config, undefined, { subRuns: open('none'), signal: AbortSignal.abort() }),
      (e: unknown) => e instanceof StoppedError && e.stepsDone === 0,
    );
    assert.deepEqual(recorded('none'), []);

    // aborted during the pre-training (at the end of its first epoch of two): no step of the second
    const twoEpochs = { ...config, source: { samples: 400, epochs: 2 } };
    const pretraining = new AbortController();
    const stopped = await runTransferStudy(
      twoEpochs,
      (e) => {
        if (e.phase === 'pretrain') pretraining.abort();
      },
      { subRuns: FileSubRunStore.open(join(dir, 'pretrain'), { config: twoEpochs }), signal: pretraining.signal },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(stopped instanceof StoppedError, String(stopped));
    assert.equal(
      stopped.stepsDone,
      Math.ceil((0.9 * full.setup.source.examples!) / 64),
      'one epoch of the source examples (less the tenth held out for validation) in batches of 64',
    );
    assert.deepEqual(recorded('pretrain'), [], 'the unfinished pre-training is not recorded');

    // aborted as the third fine-tuning run is reported: the fourth stops before its first step
    const controller = new AbortController();
    await assert.rejects(
      runTransferStudy(
        config,
        (e) => {
          if (e.phase === 'finetune' && e.done === 3) controller.abort();
        },
        { subRuns: open('cut'), signal: controller.signal },
      ),
      StoppedError,
    );
    assert.deepEqual(recorded('cut'), [
      'finetune-linear-probe-b2-seed0.json',
      'finetune-lp-ft-b2-seed0.json',
      'finetune-scratch-b2-seed0.json',
      'source.json',
    ]);
    const events: TransferStudyProgress[] = [];
    const resumed = await runTransferStudy(config, (e) => events.push(e), { subRuns: open('cut') });
    assert.deepEqual(withoutTimes(resumed), withoutTimes(full));
    assert.deepEqual(
      events.filter((e) => e.phase === 'finetune').map((e) => e.done),
      [4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
