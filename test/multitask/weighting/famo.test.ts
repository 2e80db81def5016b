/** FAMO: weights zᵢ/(c·Lᵢ), logits that favour the tasks that improved least, and all losses falling. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAMO } from '../../../src/multitask/weighting/index.js';
import { Adam } from '../../../src/optim/index.js';
import { noGrad } from '../../../src/tensor/index.js';
import { assertAllClose, makeToy } from './helpers.js';

const tasks = ['a', 'b', 'c'];

test('first step: wᵢ = (1/Lᵢ)/Σⱼ(1/Lⱼ) (equal logits), so every task improves at the same log rate', () => {
  const toy = makeToy(tasks, 17);
  const famo = new FAMO(tasks);
  const ctx = toy.ctx();
  const inv = tasks.map((t) => 1 / ctx.taskLosses[t]!.item());
  const total = inv.reduce((a, b) => a + b, 0);
  const { weights } = famo.backward(ctx);
  assertAllClose(
    tasks.map((t) => weights[t]!),
    inv.map((v) => v / total),
    'weights',
    1e-6,
    0,
  );
});

test('a task whose loss fell more loses share; without afterStep the next batch stands in', () => {
  const toy = makeToy(tasks, 18);
  const famo = new FAMO(tasks);
  const ctx = toy.ctx();
  const l = Object.fromEntries(tasks.map((t) => [t, ctx.taskLosses[t]!.item()]));
  famo.backward(ctx);
  famo.afterStep({ a: l['a']! / 2, b: l['b']!, c: l['c']! * 1.1 });
  const s = famo.shares();
  // (Adam's first step moves each logit by about lr in the direction of its gradient's sign)
  assert.ok(s['a']! < s['b']! && s['a']! < s['c']! && s['b']! <= s['c']!, JSON.stringify(s));
  // next-batch path: the second backward learns from the change between its losses and the first's
  const other = new FAMO(tasks);
  other.backward(toy.ctx());
  const before = other.shares();
  other.backward(toy.ctx()); // the same losses: δ = 0, no change
  assert.deepEqual(other.shares(), before);
  const c = toy.ctx();
  other.backward({ ...c, taskLosses: { ...c.taskLosses, b: c.taskLosses['b']!.mul(0.5) } });
  assert.ok(other.shares()['b']! < before['b']!, 'b fell by half: its share drops');
});

test('all losses fall on a toy problem with losses of very different scales', () => {
  const toy = makeToy(tasks, 19);
  const famo = new FAMO(tasks);
  const opt = new Adam([...toy.sharedParams, ...Object.values(toy.taskParams).flat()], { lr: 0.01 });
  const values = (): number[] =>
    noGrad(() => {
      const { taskLosses } = toy.ctx();
      return tasks.map((t) => taskLosses[t]!.item());
    });
  const start = values();
  for (let step = 0; step < 150; step++) {
    opt.zeroGrad();
    famo.backward(toy.ctx());
    opt.step();
    const after = values();
    famo.afterStep(Object.fromEntries(tasks.map((t, i) => [t, after[i]!])));
  }
  const end = values();
  tasks.forEach((t, i) => assert.ok(end[i]! < 0.8 * start[i]!, `${t}: ${start[i]} → ${end[i]}`));
});

test('losses must be non-negative', () => {
  const toy = makeToy(['a'], 20);
  const c = toy.ctx();
  assert.throws(
    () => new FAMO(['a']).backward({ ...c, taskLosses: { a: c.taskLosses['a']!.neg() } }),
    /losses must be >= 0/,
  );
});
