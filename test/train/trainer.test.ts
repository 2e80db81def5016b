/**
 * The Trainer on the two-task problem: determinism, requestStop and resumption, the non-finite
 * guard in both modes, manual backward, the evaluation hook and modes, per-epoch scheduling,
 * callbacks, maxSteps and option checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../../src/data/index.js';
import { encodeSafetensors } from '../../src/io/index.js';
import type * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { grad, type Tensor } from '../../src/tensor/index.js';
import {
  NonFiniteError,
  Trainer,
  accuracy,
  evaluate,
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  mse,
  type NonFiniteEvent,
  type StepContext,
  type StepEndEvent,
  type TrainerOptions,
} from '../../src/train/index.js';
import { STEPS_PER_EPOCH, buildProblem, taskLosses, weightBytes, type Problem } from './fixtures-problem.js';
import { plain } from '../helpers/plain.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-trainer-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function trainRun(
  seed: number,
  epochs: number,
  extra: (p: Problem) => Partial<TrainerOptions<Batch>> = () => ({}),
) {
  const p = buildProblem(seed);
  const trainer = new Trainer({ ...p.parts, epochs, ...extra(p) });
  const result = await trainer.fit();
  return { p, trainer, result, bytes: weightBytes(p.model) };
}

const allFinite = (p: Problem): boolean => p.model.parameters().every((w) => w.data.every(Number.isFinite));

test('two runs with the same seed give bitwise identical weights; another seed does not', async () => {
  const a = await trainRun(3, 2);
  const b = await trainRun(3, 2);
  const c = await trainRun(4, 2);
  assert.ok(a.bytes.equals(b.bytes));
  assert.ok(!a.bytes.equals(c.bytes));
  assert.equal(a.result.reason, 'completed');
  assert.equal(a.result.stepsDone, 2 * STEPS_PER_EPOCH);
  assert.deepEqual(a.result.history, b.result.history);
});

test('requestStop stops after the current step with a checkpoint; resuming it matches an uninterrupted run', async () => {
  await withDir(async (dir) => {
    const ref = await trainRun(3, 3);
    const opts = (p: Problem): TrainerOptions<Batch> => ({ ...p.parts, epochs: 3, checkpoint: { dir, everySteps: 7 } });
    const p1 = buildProblem(3);
    const t1: Trainer = new Trainer({
      ...opts(p1),
      callbacks: {
        onStepEnd: (e) => {
          if (e.step === 16) t1.requestStop();
        },
      },
    });
    const r1 = await t1.fit();
    assert.equal(r1.reason, 'stopped');
    assert.equal(r1.stepsDone, 17);
    assert.deepEqual([r1.checkpoint?.step, r1.checkpoint?.epoch], [17, 1]);
    assert.equal(latestCheckpoint(dir)?.path, r1.checkpoint?.path);

    const p2 = buildProblem(3);
    const t2 = new Trainer(opts(p2));
    const from = t2.resume();
    assert.deepEqual([from?.step, from?.epoch, t2.stepsDone, t2.epoch], [17, 1, 17, 1]);
    const r2 = await t2.fit();
    assert.equal(r2.reason, 'completed');
    assert.equal(r2.stepsDone, 3 * STEPS_PER_EPOCH);
    assert.ok(weightBytes(p2.model).equals(ref.bytes), 'weights after stop + resume equal the uninterrupted run');
    assert.deepEqual(plain(r2.history), plain(ref.result.history), 'epoch loss means survive the resume');
  });
});

test('requestStop from outside the loop (as a SIGINT handler) is seen after the step in progress', async () => {
  await withDir(async (dir) => {
    const p = buildProblem(1);
    const trainer = new Trainer({ ...p.parts, epochs: 3, checkpoint: { dir } });
    setImmediate(() => trainer.requestStop());
    const r = await trainer.fit();
    assert.equal(r.reason, 'stopped');
    assert.ok(r.stepsDone >= 1 && r.stepsDone < 3 * STEPS_PER_EPOCH, `stopped after ${r.stepsDone} steps`);
    assert.equal(r.checkpoint?.step, r.stepsDone);
    assert.equal(trainer.stopRequested, false, 'the request is consumed');
  });
});

/** The problem's step with a NaN put into task `task`'s loss at step `at`. */
function poisoned(p: Problem, at: number, task: 'left' | 'right') {
  return (batch: Batch, ctx: StepContext) => {
    const losses = taskLosses(p.model, batch);
    if (ctx.step === at) losses[task] = losses[task].mul(NaN);
    return { loss: losses.left.add(losses.right), losses };
  };
}

test('a NaN loss stops with an error naming the task and step, leaving the last good checkpoint loadable', async () => {
  await withDir(async (dir) => {
    const p = buildProblem(5);
    const events: NonFiniteEvent[] = [];
    const trainer = new Trainer({
      ...p.parts,
      step: poisoned(p, 12, 'left'),
      epochs: 3,
      checkpoint: { dir, everySteps: 5 },
      callbacks: { onNonFinite: (e) => void events.push(e) },
    });
    await assert.rejects(trainer.fit(), (err: unknown) => {
      assert.ok(err instanceof NonFiniteError);
      assert.match(
        err.message,
        /^loss of task 'left' is NaN at step 12 \(epoch 1\); the last good checkpoint is .*step-00000012-epoch-0001$/,
      );
      assert.deepEqual(
        { ...err.info, value: String(err.info.value) },
        { kind: 'loss', task: 'left', value: 'NaN', step: 12, epoch: 1 },
      );
      return true;
    });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.action, 'error');
    const last = latestCheckpoint(dir)!;
    assert.deepEqual([last.step, last.epoch], [12, 1]);
    assert.ok(allFinite(p), 'the bad step applied no update');
    const saved = loadCheckpoint(last.path);
    assert.ok(
      weightBytes(p.model).equals(Buffer.from(encodeSafetensors(saved.model))),
      'the checkpoint holds the weights the failed step started from',
    );

    const again = buildProblem(5);
    const resumed = new Trainer({ ...again.parts, epochs: 3, checkpoint: { dir } });
    assert.equal(resumed.resume()?.step, 12);
    assert.ok(allFinite(again));
  });
});

test('an infinite gradient (manual backward) stops with an error naming the parameter', async () => {
  const p = buildProblem(2);
  const first = p.model.trunk.at(0) as nn.Linear;
  const trainer = new Trainer({
    ...p.parts,
    epochs: 1,
    backward: 'manual',
    step: (batch, ctx) => {
      const losses = taskLosses(p.model, batch);
      const loss = losses.left.add(losses.right);
      loss.backward();
      if (ctx.step === 4) first.weight.grad!.data[3] = -Infinity;
      return { loss, losses };
    },
  });
  await assert.rejects(
    trainer.fit(),
    /^NonFiniteError: gradient of parameter 'trunk\.0\.weight' is -Infinity at step 4 \(epoch 0\)$/,
  );
  assert.equal(trainer.stepsDone, 4);
});

test("onNonFinite 'skip' drops the update, reports the step, and goes on", async () => {
  const p = buildProblem(6);
  const clean = taskLosses;
  const events: NonFiniteEvent[] = [];
  const weightsAfter = new Map<number, Buffer>();
  const skippedSteps: number[] = [];
  const trainer = new Trainer({
    ...p.parts,
    epochs: 2,
    onNonFinite: 'skip',
    step: (batch, ctx) => {
      const losses = clean(p.model, batch);
      if (ctx.step === 5) losses.left = losses.left.mul(NaN);
      if (ctx.step === 8) losses.right = losses.right.mul(Infinity);
      return { loss: losses.left.add(losses.right), losses };
    },
    callbacks: {
      onNonFinite: (e) => void events.push(e),
      onStepEnd: (e: StepEndEvent) => {
        weightsAfter.set(e.step, weightBytes(p.model));
        if (e.skipped !== null) skippedSteps.push(e.step);
      },
    },
  });
  const r = await trainer.fit();
  assert.equal(r.reason, 'completed');
  assert.deepEqual(
    events.map((e) => [e.task, e.step, e.action]),
    [
      ['left', 5, 'skip'],
      ['right', 8, 'skip'],
    ],
  );
  assert.deepEqual(skippedSteps, [5, 8]);
  assert.ok(weightsAfter.get(4)!.equals(weightsAfter.get(5)!), 'no update at the skipped step');
  assert.ok(!weightsAfter.get(5)!.equals(weightsAfter.get(6)!), 'updates resume after it');
  assert.deepEqual([r.history[0]!.steps, r.history[0]!.skipped], [STEPS_PER_EPOCH - 2, 2]);
  assert.ok(Number.isFinite(r.history[0]!.loss));
  assert.ok(allFinite(p));
  const adamSteps = (p.optimizer.stateDict().state[0] as { step: number }).step;
  assert.equal(adamSteps, 2 * STEPS_PER_EPOCH - 2, 'the optimizer did not step on skipped batches');
});

test('manual backward with per-task grad agrees with auto backward; callbacks carry losses, lr and progress', async () => {
  const auto = await trainRun(11, 1);
  const p = buildProblem(11);
  const params = p.model.parameters();
  const steps: StepEndEvent[] = [];
  const trainer = new Trainer({
    ...p.parts,
    epochs: 1,
    backward: 'manual',
    step: (batch) => {
      const losses = taskLosses(p.model, batch);
      const gl = grad([losses.left], params, { retainGraph: true, allowUnused: true });
      const gr = grad([losses.right], params, { allowUnused: true });
      params.forEach((w, i) => (w.grad = gl[i]!.add(gr[i]!)));
      return { losses };
    },
    callbacks: { onStepEnd: (e) => void steps.push(e) },
  });
  await trainer.fit();
  const a = auto.p.model.parameters();
  params.forEach((w, i) =>
    w.data.forEach((v, j) =>
      assert.ok(Math.abs(v - a[i]!.data[j]!) < 1e-4, `parameter ${i}[${j}]: ${v} vs ${a[i]!.data[j]}`),
    ),
  );

  assert.equal(steps.length, STEPS_PER_EPOCH);
  const s = steps[2]!;
  assert.deepEqual(Object.keys(s.losses), ['left', 'right']);
  assert.ok(
    Math.abs(s.loss - (s.losses['left']! + s.losses['right']!)) < 1e-6,
    'the total defaults to the sum of task losses',
  );
  assert.ok(Math.abs(s.lr[0]! - 1e-2 * (0.1 + (0.9 * 2) / 5)) < 1e-12, 'lr of the warm-up at step 2');
  assert.ok(s.gradNorm !== null && s.gradNorm > 0);
  assert.equal(s.samples, 8);
  assert.deepEqual(
    [s.progress.stepsDone, s.progress.totalSteps, s.progress.batchesPerEpoch],
    [3, STEPS_PER_EPOCH, STEPS_PER_EPOCH],
  );
  assert.ok(s.progress.etaSeconds !== null && s.progress.etaSeconds >= 0);
});

test('the evaluation hook runs per epoch in eval mode, its modes are restored, and per-epoch scheduling steps once an epoch', async () => {
  const p = buildProblem(8);
  const evalLoader = p.loader.dataset;
  const scheduler = new optim.StepLR(p.optimizer, { stepSize: 1, gamma: 0.5 });
  const modesSeen: boolean[] = [];
  const lrs: number[] = [];
  const trainer = new Trainer({
    ...p.parts,
    scheduler,
    schedulerInterval: 'epoch',
    epochs: 3,
    evalEvery: 2,
    evaluate: () => {
      p.model.eval(); // a careless hook: the trainer restores the modes anyway
      modesSeen.push(p.model.trunk.training);
      const batches = [evalLoader.batch(Int32Array.from({ length: 24 }, (_, i) => i))];
      return evaluate(
        p.model,
        batches,
        { left: [accuracy()], right: [mse()] },
        {
          views: (out, b) => {
            const o = out as { left: Tensor; right: Tensor };
            return {
              left: { pred: o.left, target: b.y.slice(1, 0, 1).reshape([24]) },
              right: { pred: o.right, target: b.y.slice(1, 1, 2).reshape([24]) },
            };
          },
        },
      );
    },
    callbacks: { onEpochEnd: (e) => void lrs.push(e.lr[0]!) },
  });
  const r = await trainer.fit();
  assert.deepEqual(modesSeen, [false]);
  assert.equal(p.model.training && p.model.trunk.training && p.model.trunk.at(2).training, true);
  assert.deepEqual(
    r.history.map((h) => h.eval === null),
    [true, false, true],
  );
  const ev = r.history[1]!.eval!;
  assert.ok(ev['left']!['accuracy']! >= 0 && ev['left']!['accuracy']! <= 1);
  assert.ok(ev['right']!['mse']! > 0);
  assert.deepEqual(lrs, [0.005, 0.0025, 0.00125]);
});

test('maxSteps stops with a checkpoint; a further fit with a larger limit continues', async () => {
  await withDir(async (dir) => {
    const ref = await trainRun(9, 2);
    const p = buildProblem(9);
    const t = new Trainer({ ...p.parts, epochs: 2, maxSteps: 12, checkpoint: { dir, everyEpochs: 5, keepLast: 1 } });
    const r = await t.fit();
    assert.deepEqual([r.reason, r.stepsDone, r.epoch], ['maxSteps', 12, 0]);
    assert.deepEqual(
      listCheckpoints(dir).map((c) => [c.step, c.epoch]),
      [[12, 0]],
      'the last batch of epoch 0 is done, its end is not',
    );
    const p2 = buildProblem(9);
    const t2 = new Trainer({ ...p2.parts, epochs: 2, checkpoint: { dir, everyEpochs: 5, keepLast: 1 } });
    t2.resume();
    const r2 = await t2.fit();
    assert.deepEqual([r2.reason, r2.stepsDone, r2.epoch], ['completed', 24, 2]);
    assert.ok(weightBytes(p2.model).equals(ref.bytes));
    assert.deepEqual(
      listCheckpoints(dir).map((c) => [c.step, c.epoch]),
      [[24, 2]],
    );
  });
});

test('the trainer checks its options, the loader, the step output, and resume', async () => {
  const p = buildProblem(0);
  assert.throws(() => new Trainer({ ...p.parts, epochs: -1 }), /epochs must be a non-negative integer/);
  assert.throws(
    () => new Trainer({ ...p.parts, epochs: 1, clipGradNorm: 0 }),
    /clipGradNorm must be a positive number/,
  );
  assert.throws(
    () => new Trainer({ ...p.parts, epochs: 1, checkpoint: { dir: 'x', everySteps: 0 } }),
    /checkpoint.everySteps/,
  );
  assert.throws(() => new Trainer({ ...p.parts, epochs: 1 }).resume(), /give a checkpoint path, or set checkpoint.dir/);
  await assert.rejects(
    new Trainer({ ...p.parts, epochs: 1, step: () => ({ loss: 1 }) }).fit(),
    /with backward 'auto' the step must return `loss` as a scalar Tensor/,
  );
  await assert.rejects(
    new Trainer({ ...p.parts, epochs: 1, step: () => ({}) }).fit(),
    /returned neither loss nor losses/,
  );
  for (const _ of p.loader) {
    /* one epoch consumed */
  }
  for (const _ of p.loader) {
    /* and a second */
  }
  await assert.rejects(
    new Trainer({ ...p.parts, epochs: 3 }).fit(),
    /the loader has completed 2 epochs, the trainer 0/,
  );
  await withDir(async (dir) => {
    assert.equal(
      new Trainer({ ...p.parts, epochs: 1, checkpoint: { dir } }).resume(),
      null,
      'an empty directory: a fresh run',
    );
    const q = buildProblem(0);
    new Trainer({ ...q.parts, epochs: 1, checkpoint: { dir } }).saveCheckpoint();
    const noSched = buildProblem(0);
    const { scheduler: _s, ...rest } = noSched.parts;
    assert.throws(
      () => new Trainer({ ...rest, epochs: 1, checkpoint: { dir } }).resume(),
      /holds a scheduler state, but the trainer has no scheduler/,
    );
  });
});
