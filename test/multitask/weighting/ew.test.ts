/** Equal weights are the plain sum; static weights a fixed weighted sum. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EqualWeighting, StaticWeighting } from '../../../src/multitask/weighting/index.js';
import { assertAllClose, makeToy } from './helpers.js';
import { plain } from '../../helpers/plain.js';

function gradsAfter(toy: ReturnType<typeof makeToy>, run: () => void): number[] {
  toy.zeroGrad();
  run();
  return [...toy.sharedParams, ...Object.values(toy.taskParams).flat()].flatMap((p) => Array.from(p.grad!.data));
}

test('ew gives exactly the gradients of the plain sum of the losses', () => {
  const tasks = ['a', 'b'];
  const toy = makeToy(tasks, 11);
  const expected = gradsAfter(toy, () => {
    const { taskLosses } = toy.ctx();
    taskLosses['a']!.add(taskLosses['b']!).backward();
  });
  const ew = new EqualWeighting(tasks);
  let weights: Record<string, number> = {};
  const actual = gradsAfter(toy, () => {
    weights = ew.backward(toy.ctx()).weights;
  });
  assert.deepEqual(actual, expected);
  assert.deepEqual(plain(weights), { a: 1, b: 1 });
});

test('sw weights each loss by its fixed weight', () => {
  const tasks = ['a', 'b'];
  const toy = makeToy(tasks, 12);
  const expected = gradsAfter(toy, () => {
    const { taskLosses } = toy.ctx();
    taskLosses['a']!.mul(2).add(taskLosses['b']!.mul(0.25)).backward();
  });
  const sw = new StaticWeighting(tasks, { weights: { a: 2, b: 0.25 } });
  assertAllClose(
    gradsAfter(toy, () => sw.backward(toy.ctx())),
    expected,
    'gradients',
    1e-6,
    1e-8,
  );
  assert.throws(() => new StaticWeighting(tasks, { weights: { a: 1, b: -1 } }), /weight of task 'b' must be >= 0/);
  assert.throws(() => new StaticWeighting(tasks, { weights: { a: 1, b: NaN } }), /must be a finite number/);
});
