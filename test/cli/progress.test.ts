import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Output } from '../../src/cli/output.js';
import { ProgressBars, taskLosses } from '../../src/cli/progress.js';
import { trainingCallbacks } from '../../src/cli/training-callbacks.js';
import { MetricsLog, readMetrics } from '../../src/report/index.js';
import type { Progress } from '../../src/train/index.js';

/** A stderr stand-in: a terminal or not, keeping what is written. */
function stream(tty: boolean): Writable & { text: string; isTTY: boolean; columns: number } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += String(chunk);
      done();
    },
  }) as Writable & { text: string; isTTY: boolean; columns: number };
  Object.assign(s, { text: '', isTTY: tty, columns: 120 });
  return s;
}

const progress = (stepsDone: number): Progress => ({
  stepsDone,
  totalSteps: 8,
  batchesPerEpoch: 4,
  epochs: 2,
  elapsedSeconds: stepsDone / 10,
  stepsPerSecond: 10,
  samplesPerSecond: 320,
  etaSeconds: (8 - stepsDone) / 10,
});

/** Drives the callbacks through a fit of 2 epochs × 4 steps of two tasks (or its first `steps` steps). */
async function fakeFit(out: Output, log?: MetricsLog, steps = 8): Promise<void> {
  const bars = new ProgressBars(out);
  const cb = trainingCallbacks({ out, bars, section: 'mtl', ...(log === undefined ? {} : { log }) });
  await cb.onFitStart!({ progress: progress(0), epoch: 0, resumedFrom: null });
  for (let step = 0; step < steps; step++) {
    const epoch = Math.floor(step / 4);
    await cb.onStepEnd!({
      step,
      epoch,
      batchIndex: step % 4,
      loss: 2 - step / 8,
      losses: { left: 1, right: 1 - step / 8 },
      lr: [1e-3],
      gradNorm: null,
      samples: 32,
      skipped: null,
      progress: progress(step + 1),
    });
    if (step % 4 === 3)
      await cb.onEpochEnd!({
        epoch,
        steps: 4,
        skipped: 0,
        loss: 1.5 - epoch,
        losses: { left: 1, right: 0.5 },
        eval: { left: { accuracy: 0.5 + epoch / 10 } },
        lr: [1e-3],
        progress: progress(step + 1),
      });
  }
  bars.stop();
}

test('on a terminal: a bar over the epoch under way with step, per-task losses, samples/s and ETA', async () => {
  const stderr = stream(true);
  await fakeFit(new Output({ json: false, quiet: false, stderr, stdout: stream(false) }));
  assert.match(
    stderr.text,
    /mtl \[[^\]]*\] 4\/4 epoch 2\/2 loss 1\.13 \(left 1 {2}right 0\.125\) 320 samples\/s ETA 0\.0s/,
  );
  // each finished epoch's line is printed above the bar
  assert.match(stderr.text, /mtl: epoch 1\/2 loss 1\.5 \| left accuracy 0\.5 \| /);
  assert.match(stderr.text, /mtl: epoch 2\/2 loss 0\.5 \| left accuracy 0\.6 \| /);

  // stopped two steps into the second epoch: the bar counts that epoch's steps, not the fit's
  const mid = stream(true);
  await fakeFit(new Output({ json: false, quiet: false, stderr: mid, stdout: stream(false) }), undefined, 6);
  assert.match(
    mid.text,
    /mtl \[[^\]]*\] 2\/4 epoch 2\/2 loss 1\.38 \(left 1 {2}right 0\.375\) 320 samples\/s ETA 0\.2s/,
  );
  assert.doesNotMatch(mid.text, /6\/8/);
});

test('off a terminal: one line per epoch, no escape codes; quiet: nothing; metrics logged either way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-progress-'));
  try {
    const stderr = stream(false);
    const log = new MetricsLog(join(dir, 'metrics.jsonl'));
    await fakeFit(new Output({ json: false, quiet: false, stderr, stdout: stream(false) }), log);
    assert.deepEqual(
      stderr.text
        .trim()
        .split('\n')
        .map((l) => l.replace(/ \| [\d.]+s$/, '')),
      ['mtl: epoch 1/2 loss 1.5 | left accuracy 0.5', 'mtl: epoch 2/2 loss 0.5 | left accuracy 0.6'],
    );
    assert.ok(!stderr.text.includes('\u001b'));
    const records = readMetrics(join(dir, 'metrics.jsonl'));
    assert.equal(records.filter((r) => r.type === 'step').length, 8);
    assert.deepEqual(
      records.filter((r) => r.type === 'epoch').map((r) => r.eval),
      [{ left: { accuracy: 0.5 } }, { left: { accuracy: 0.6 } }],
    );
    const quiet = stream(true);
    await fakeFit(new Output({ json: false, quiet: true, stderr: quiet, stdout: stream(false) }));
    assert.equal(quiet.text, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('task losses fit a bar: three shown, the rest counted', () => {
  assert.equal(taskLosses({ a: 0.12345, b: 2, c: 3, d: 4, e: 5 }), 'a 0.123  b 2  c 3  +2 tasks');
});
