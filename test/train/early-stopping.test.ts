/**
 * Early stopping: patience counted epoch by epoch (minDelta, both modes, NaN never an
 * improvement), the Trainer stopping after `patience` epochs without improvement with the best
 * epoch's weights restored bit for bit (also after all epochs, and in the final checkpoint), and
 * a run interrupted and resumed ending exactly as an uninterrupted one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../../src/data/index.js';
import { encodeSafetensors } from '../../src/io/index.js';
import {
  EarlyStopping,
  Trainer,
  latestCheckpoint,
  loadCheckpoint,
  type TrainerOptions,
} from '../../src/train/index.js';
import { buildProblem, weightBytes, type Problem } from './fixtures-problem.js';
import { plain } from '../helpers/plain.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-early-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Feeds `scores` to a fresh EarlyStopping, one per epoch, until it says stop. */
function judge(settings: ConstructorParameters<typeof EarlyStopping>[0], scores: number[]) {
  const p = buildProblem(0);
  const stopper = new EarlyStopping(settings);
  const records = [];
  for (const [epoch, v] of scores.entries()) {
    const r = stopper.update(epoch, v, p.model);
    records.push(r);
    if (r.stop) break;
  }
  return records;
}

test('patience counts the epochs since the best; an improvement must beat the best by more than minDelta', () => {
  const r = judge(
    { metric: 'accuracy', mode: 'max', patience: 2, minDelta: 0.01 },
    [0.5, 0.6, 0.605, 0.62, 0.6, 0.615, 0.9],
  );
  assert.deepEqual(
    r.map((x) => [x.improved, x.wait, x.stop, x.bestEpoch]),
    [
      [true, 0, false, 0],
      [true, 0, false, 1],
      [false, 1, false, 1], // 0.605 is not more than 0.6 + 0.01
      [true, 0, false, 3],
      [false, 1, false, 3],
      [false, 2, true, 3], // the second epoch in a row without improvement: stop (0.9 is never seen)
    ],
  );
  assert.equal(r.at(-1)!.best, 0.62);

  const min = judge({ metric: 'loss', mode: 'min', patience: 1 }, [1, 0.8, 0.8]);
  assert.deepEqual(
    min.map((x) => [x.improved, x.stop]),
    [
      [true, false],
      [true, false],
      [false, true], // equal is not better
    ],
  );
  const nan = judge({ metric: 'loss', mode: 'min', patience: 3 }, [NaN, 2, NaN, NaN, NaN]);
  assert.deepEqual(
    nan.map((x) => [x.improved, x.wait, x.stop]),
    [
      [false, 1, false],
      [true, 0, false],
      [false, 1, false],
      [false, 2, false],
      [false, 3, true],
    ],
  );
  for (const bad of [{ patience: 0 }, { patience: 1.5 }, { minDelta: -1 }, { mode: 'up' }])
    assert.throws(
      () => new EarlyStopping({ metric: 'm', mode: 'max', patience: 2, ...bad } as never),
      /EarlyStopping/,
      JSON.stringify(bad),
    );
});

/** Validation scores by epoch: the best at epoch 1, then three epochs worse. */
const SCRIPT = [0.3, 0.5, 0.4, 0.45, 0.2, 0.9, 0.95, 0.99];

/** A fit with early stopping on the scripted score, recording the weights at every epoch's end. */
async function fitWithStopping(
  p: Problem,
  extra: Partial<TrainerOptions<Batch>> = {},
  patience = 3,
  epochs = 8,
): Promise<{ trainer: Trainer; atEpoch: Buffer[] }> {
  const atEpoch: Buffer[] = [];
  const trainer = new Trainer({
    ...p.parts,
    epochs,
    earlyStopping: { metric: 'accuracy', mode: 'max', patience, score: ({ epoch }) => SCRIPT[epoch]! },
    callbacks: { onEpochEnd: () => void atEpoch.push(weightBytes(p.model)) },
    ...extra,
  });
  return { trainer, atEpoch };
}

test('the trainer stops after `patience` epochs without improvement and restores the best weights bit for bit', async () => {
  await withDir(async (dir) => {
    const p = buildProblem(5);
    const { trainer, atEpoch } = await fitWithStopping(p, { checkpoint: { dir } });
    const r = await trainer.fit();
    assert.equal(r.reason, 'earlyStopped');
    assert.equal(r.epoch, 5, 'epochs 2, 3 and 4 did not improve on epoch 1: stop after epoch 4');
    assert.equal(atEpoch.length, 5);
    assert.deepEqual(r.earlyStopping, { metric: 'accuracy', mode: 'max', bestEpoch: 1, best: 0.5, stopped: true });
    assert.deepEqual(
      r.history.map((h) => h.earlyStopping?.wait),
      [0, 0, 1, 2, 3],
    );
    assert.ok(!atEpoch[4]!.equals(atEpoch[1]!), 'training changed the weights after the best epoch');
    assert.ok(weightBytes(p.model).equals(atEpoch[1]!), 'the model holds the best epoch’s weights, bit for bit');
    // the final checkpoint holds them too (what eval and predict load)
    const last = latestCheckpoint(dir)!;
    assert.deepEqual([last.step, last.epoch], [r.stepsDone, 5]);
    const stored = loadCheckpoint(last.path);
    assert.ok(Buffer.from(encodeSafetensors(stored.model)).equals(atEpoch[1]!));
  });
});

test('after all planned epochs the best epoch’s weights are restored too; when the last is best nothing changes', async () => {
  const p = buildProblem(6);
  const { trainer, atEpoch } = await fitWithStopping(p, {}, 10, 4);
  const r = await trainer.fit();
  assert.equal(r.reason, 'completed');
  assert.equal(r.earlyStopping?.bestEpoch, 1);
  assert.ok(weightBytes(p.model).equals(atEpoch[1]!));

  const q = buildProblem(6);
  const fit2 = await fitWithStopping(q, {}, 10, 2);
  await fit2.trainer.fit();
  assert.ok(weightBytes(q.model).equals(fit2.atEpoch[1]!));
});

test('a run stopped and resumed mid-way ends as the uninterrupted one: same best, same stop, same weights', async () => {
  await withDir(async (dir) => {
    const ref = buildProblem(7);
    const uninterrupted = await fitWithStopping(ref);
    const refResult = await uninterrupted.trainer.fit();

    const p1 = buildProblem(7);
    const first: { trainer: Trainer | null } = { trainer: null };
    const f1 = await fitWithStopping(p1, {
      checkpoint: { dir },
      callbacks: { onEpochEnd: (e) => (e.epoch === 2 ? first.trainer!.requestStop() : undefined) },
    });
    first.trainer = f1.trainer;
    assert.equal((await f1.trainer.fit()).reason, 'stopped');

    const p2 = buildProblem(7);
    const f2 = await fitWithStopping(p2, { checkpoint: { dir } });
    assert.notEqual(f2.trainer.resume(), null);
    const r2 = await f2.trainer.fit();
    assert.equal(r2.reason, 'earlyStopped');
    assert.deepEqual(r2.earlyStopping, refResult.earlyStopping);
    assert.equal(r2.stepsDone, refResult.stepsDone);
    assert.ok(weightBytes(p2.model).equals(weightBytes(ref.model)));
    assert.deepEqual(plain(r2.history), plain(refResult.history));

    // a fit of a run whose patience ran out ends at once
    const again = await f2.trainer.fit();
    assert.equal(again.reason, 'earlyStopped');
    assert.equal(again.stepsDone, r2.stepsDone);
  });
});
