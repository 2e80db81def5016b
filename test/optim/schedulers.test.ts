/**
 * Lr schedulers against PyTorch's sequences over 20 steps (two groups with different lrs), OneCycle's
 * momentum cycling, resuming from a state dict, and argument checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeros } from '../../src/tensor/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { golden, type SchedulerCase } from '../nn/helpers.js';

function optimizerFor(c: SchedulerCase): optim.SGD | optim.Adam {
  const groups = c.base_lrs.map((lr) => ({ params: [new nn.Parameter(zeros([1]))], lr }));
  return c.optimizer === 'sgd' ? new optim.SGD(groups, { lr: c.base_lrs[0]!, momentum: 0.9 }) : new optim.Adam(groups);
}

function schedulerFor(c: SchedulerCase, opt: optim.SGD | optim.Adam): optim.LRScheduler {
  // the fixture stores each scheduler's options under polytask's names
  const o = c.options as never;
  switch (c.kind) {
    case 'StepLR':
      return new optim.StepLR(opt, o);
    case 'CosineAnnealingLR':
      return new optim.CosineAnnealingLR(opt, o);
    case 'LinearWarmup':
      return new optim.LinearWarmup(opt, o);
    case 'LinearWarmup+CosineAnnealingLR':
      return new optim.LinearWarmup(opt, { ...c.options, after: new optim.CosineAnnealingLR(opt, o) } as never);
    case 'LambdaLR':
      return new optim.LambdaLR(opt, (t) => (c.options['gamma'] as number) ** t);
    case 'OneCycleLR':
      return new optim.OneCycleLR(opt, o);
    default:
      throw new Error(`unknown scheduler ${c.kind}`);
  }
}

const closeTo = (a: number, b: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-5 * Math.abs(b) + 1e-9, `${what}: ${a} vs ${b}`);

const momentumOf = (g: object): number =>
  'betas' in g ? (g.betas as number[])[0]! : (g as { momentum: number }).momentum;

for (const c of golden().schedulers) {
  test(`${c.name}: lr sequence matches PyTorch`, () => {
    const opt = optimizerFor(c);
    const sched = schedulerFor(c, opt);
    c.lrs.forEach((want, step) => {
      if (step > 0) {
        opt.step();
        sched.step();
      }
      want.forEach((lr, gi) => closeTo(opt.paramGroups[gi]!.lr, lr, `step ${step} group ${gi}`));
      assert.deepEqual(
        sched.getLr(),
        opt.paramGroups.map((g) => g.lr),
      );
      c.momentum?.[step]!.forEach((m, gi) =>
        closeTo(momentumOf(opt.paramGroups[gi]!), m, `momentum at step ${step} group ${gi}`),
      );
    });
  });
}

test('a scheduler resumed from its state dict sets the same lrs', () => {
  for (const c of golden().schedulers) {
    const opt = optimizerFor(c);
    const sched = schedulerFor(c, opt);
    for (let i = 0; i < 7; i++) sched.step();
    const saved = sched.stateDict();
    const opt2 = optimizerFor(c);
    const sched2 = schedulerFor(c, opt2);
    sched2.loadStateDict(saved);
    for (let i = 0; i < 3; i++) {
      sched.step();
      sched2.step();
    }
    assert.deepEqual(sched2.getLr(), sched.getLr(), c.name);
  }
});

test('OneCycleLR refuses to step past totalSteps and needs momentum to cycle it', () => {
  const p = new nn.Parameter(zeros([1]));
  const sched = new optim.OneCycleLR(new optim.Adam([p]), { maxLr: 0.1, totalSteps: 2 });
  sched.step();
  sched.step();
  assert.throws(() => sched.step(), /past totalSteps = 2/);
  // an optimizer whose groups carry neither momentum nor betas
  const plain = new optim.SGD([p], { lr: 0.1 });
  delete (plain.paramGroups[0] as Partial<optim.SgdOptions>).momentum;
  assert.throws(
    () => new optim.OneCycleLR(plain, { maxLr: 0.1, totalSteps: 5 }),
    /cycleMomentum needs an optimizer with momentum or betas/,
  );
});

test('argument checks', () => {
  const opt = new optim.SGD([new nn.Parameter(zeros([1]))], { lr: 0.1 });
  assert.throws(() => new optim.StepLR(opt, { stepSize: 0 }), /stepSize must be a positive integer/);
  assert.throws(
    () => new optim.LinearWarmup(opt, { warmupSteps: 3, startFactor: 2 }),
    /startFactor must be in \[0, 1\]/,
  );
  assert.throws(() => new optim.LambdaLR(opt, [(t) => t, (t) => t]), /2 functions for 1 parameter groups/);
  const other = new optim.SGD([new nn.Parameter(zeros([1]))], { lr: 0.1 });
  assert.throws(
    () => new optim.LinearWarmup(opt, { warmupSteps: 3, after: new optim.StepLR(other, { stepSize: 1 }) }),
    /same optimizer/,
  );
});
