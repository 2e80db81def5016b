/**
 * The end-to-end study resumed over its sub-run records: recorded runs are taken as they are, a
 * recorded pipeline's weights are loaded for the hybrids still to train, and the result equals the
 * uninterrupted study's (its wall time aside). An aborted signal stops a run after its current
 * step and the study without recording that run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, randn, tensor } from '../../src/index.js';
import { loadMnist, TensorDataset } from '../../src/data/index.js';
import { fitModel, runE2eStudy, type E2eProgress, type E2eStudyResult } from '../../src/endtoend/index.js';
import { functional, Linear } from '../../src/nn/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { FileSubRunStore } from '../../src/study/index.js';
import { StoppedError } from '../../src/train/index.js';

const digits = loadMnist();
const config = {
  case: 'digit-sum' as const,
  sizes: [20, 40, 80],
  seeds: 2,
  testExamples: 200,
  subtaskExamples: 100,
  hidden: 16,
  bootstrap: 20,
  training: { epochs: 2, minSteps: 10, maxSteps: 30 },
};

const withoutTime = (r: E2eStudyResult): unknown => ({ ...r, timing: { ...r.timing, seconds: 0 } });

test('a resumed end-to-end study trains only what was not recorded and gives the uninterrupted result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-e2e-resume-'));
  try {
    const full = await runE2eStudy(config, undefined, {
      digits,
      subRuns: FileSubRunStore.open(join(dir, 'a'), { config }),
    });
    // every run draws from its own seed, so recording changes nothing
    assert.deepEqual(withoutTime(full), withoutTime(await runE2eStudy(config, undefined, { digits })));
    cpSync(join(dir, 'a'), join(dir, 'b'), { recursive: true });
    // seed 0 lost two runs after its pipeline (whose hybrids then start from the stored weights);
    // seed 1 lost everything, its pipeline included
    const lost = [
      'seed0-endToEnd-n40',
      'seed0-hybrid-n80',
      ...readdirSync(join(dir, 'b'))
        .filter((n) => n.startsWith('seed1-') && n.endsWith('.json'))
        .map((n) => n.slice(0, -5)),
    ];
    for (const id of lost) rmSync(join(dir, 'b', `${id}.json`));
    const events: E2eProgress[] = [];
    const resumed = await runE2eStudy(config, (p) => events.push(p), {
      digits,
      subRuns: FileSubRunStore.open(join(dir, 'b'), { config }),
    });
    assert.deepEqual(withoutTime(resumed), withoutTime(full));
    assert.deepEqual(
      events.map((e) => `seed${e.seed}-${e.approach}${e.size === null ? '' : `-n${e.size}`}`).sort(),
      [...lost].sort(),
    );
    assert.ok(events.every((e) => e.total === 2 * (1 + 3 * 2)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fitModel stops after the step under way when its signal aborts, rejecting with a StoppedError', async () => {
  manualSeed(0);
  const model = new Linear(4, 3);
  const data = TensorDataset.fromTensors(randn([40, 4]), tensor(Int32Array.from({ length: 40 }, (_, i) => i % 3)));
  const controller = new AbortController();
  let steps = 0;
  const loss = (out: Tensor, y: Tensor): Tensor => {
    steps++;
    if (steps === 4) controller.abort();
    return functional.crossEntropy(out, y);
  };
  const options = { batchSize: 8, lr: 1e-2, epochs: 2, minSteps: 1, maxSteps: 100, seed: 0, validation: null };
  await assert.rejects(
    fitModel(model, data, loss, { ...options, signal: controller.signal }),
    (e: unknown) => e instanceof StoppedError && e.stepsDone === 4,
  );
  assert.equal(steps, 4, 'no step after the one under way (of 10)');
  steps = 0;
  await assert.rejects(
    fitModel(model, data, loss, { ...options, signal: AbortSignal.abort() }),
    (e: unknown) => e instanceof StoppedError && e.stepsDone === 0,
  );
  assert.equal(steps, 0);
});

test('an aborted signal stops the end-to-end study inside the run under way; the resumed study gives the uninterrupted result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-e2e-stop-'));
  const open = (name: string): FileSubRunStore => FileSubRunStore.open(join(dir, name), { config });
  const recorded = (name: string): string[] =>
    readdirSync(join(dir, name))
      .filter((n) => n.endsWith('.json'))
      .sort();
  try {
    const full = await runE2eStudy(config, undefined, { digits, subRuns: open('full') });

    await assert.rejects(
      runE2eStudy(config, undefined, { digits, subRuns: open('none'), signal: AbortSignal.abort() }),
      (e: unknown) => e instanceof StoppedError && e.stepsDone === 0,
    );
    assert.deepEqual(recorded('none'), []);

    // Ctrl-C a few steps into the run after the first end-to-end one: the trainer yields to the
    // event loop after every step, as a SIGINT handler needs, so each tick here is about one step
    const controller = new AbortController();
    const abortAfterTicks = (n: number): void => {
      setImmediate(() => (n <= 1 ? controller.abort() : abortAfterTicks(n - 1)));
    };
    const onProgress = (p: E2eProgress): void => {
      if (p.approach === 'endToEnd' && p.seed === 0 && p.size === 20) abortAfterTicks(3);
    };
    const stopped = await runE2eStudy(config, onProgress, {
      digits,
      subRuns: open('cut'),
      signal: controller.signal,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(stopped instanceof StoppedError, String(stopped));
    // the hybrid on 20 examples trains 10 steps (2 epochs of one batch, at least minSteps 10)
    assert.ok(stopped.stepsDone >= 1 && stopped.stepsDone < 10, `stopped after ${stopped.stepsDone} steps`);
    assert.deepEqual(
      recorded('cut'),
      ['seed0-endToEnd-n20.json', 'seed0-pipeline.json'],
      'the hybrid cut short is not recorded',
    );

    const events: E2eProgress[] = [];
    const resumed = await runE2eStudy(config, (p) => events.push(p), { digits, subRuns: open('cut') });
    assert.deepEqual(withoutTime(resumed), withoutTime(full));
    assert.equal(events.length, 2 * (1 + 3 * 2) - 2, 'only the two recorded runs are not trained again');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
