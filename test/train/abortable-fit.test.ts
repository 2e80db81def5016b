/**
 * fitUnlessAborted on the two-task problem: an abort stops the fit after the step under way and
 * rejects with a StoppedError counting the steps done; an already-aborted signal trains nothing;
 * without an abort it is a plain fit; its listener never outlives the fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { StoppedError, Trainer, fitUnlessAborted } from '../../src/train/index.js';
import { STEPS_PER_EPOCH, buildProblem, weightBytes } from './fixtures-problem.js';

test('an abort during a step stops the fit after that step with a StoppedError', async () => {
  const p = buildProblem(2);
  const controller = new AbortController();
  let steps = 0;
  const trainer = new Trainer({
    ...p.parts,
    epochs: 3,
    step: (batch, ctx) => {
      steps++;
      if (steps === 5) controller.abort();
      return p.step(batch, ctx);
    },
  });
  const err = await fitUnlessAborted(trainer, controller.signal, 'test fit').then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoppedError, String(err));
  assert.equal(err.stepsDone, 5);
  assert.equal(steps, 5, 'no step after the one under way');
  assert.match(err.message, /^test fit: stopped by its abort signal after 5 steps$/);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('an already-aborted signal rejects before the first step', async () => {
  const p = buildProblem(2);
  let steps = 0;
  const trainer = new Trainer({
    ...p.parts,
    epochs: 1,
    step: (batch, ctx) => {
      steps++;
      return p.step(batch, ctx);
    },
  });
  await assert.rejects(
    fitUnlessAborted(trainer, AbortSignal.abort(), 'test fit'),
    (e: unknown) => e instanceof StoppedError && e.stepsDone === 0,
  );
  assert.equal(steps, 0);
});

test('a signal that never aborts changes nothing, and one signal serves many fits without keeping listeners', async () => {
  const plain = buildProblem(4);
  const ref = await new Trainer({ ...plain.parts, epochs: 2 }).fit();
  const controller = new AbortController();
  const p = buildProblem(4);
  const result = await fitUnlessAborted(new Trainer({ ...p.parts, epochs: 2 }), controller.signal, 'test fit');
  assert.equal(result.reason, 'completed');
  assert.equal(result.stepsDone, 2 * STEPS_PER_EPOCH);
  assert.deepEqual(result.history, ref.history);
  assert.ok(weightBytes(p.model).equals(weightBytes(plain.model)));
  for (let i = 0; i < 20; i++)
    await fitUnlessAborted(
      new Trainer({ ...buildProblem(i).parts, epochs: 1, maxSteps: 1 }),
      controller.signal,
      'test fit',
    );
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('a stop requested on the trainer itself (not by the signal) resolves as a plain fit does', async () => {
  const p = buildProblem(2);
  const trainer: Trainer = new Trainer({
    ...p.parts,
    epochs: 3,
    callbacks: {
      onStepEnd: (e) => {
        if (e.step === 2) trainer.requestStop();
      },
    },
  });
  const result = await fitUnlessAborted(trainer, new AbortController().signal, 'test fit');
  assert.equal(result.reason, 'stopped');
  assert.equal(result.stepsDone, 3);
});
