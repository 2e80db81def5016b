/**
 * Optimizers: PyTorch trajectories (SGD with momentum, dampening, Nesterov and weight decay; Adam
 * with L2; AdamW; per-group options; a missing gradient skipped), bit-exact resume from a state
 * dict, zeroGrad, and argument checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/index.js';
import { tensor, zeros } from '../../src/tensor/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { assertClose } from '../helpers/close.js';
import { GOLDEN_TOL, expected, fromJson, golden, type OptimizerCase } from '../nn/helpers.js';

type AnyOptimizer = optim.SGD | optim.Adam;

function build(c: OptimizerCase, params: Tensor[]): AnyOptimizer {
  const groups = c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options }));
  const arg = groups.length === 1 && Object.keys(c.groups[0]!.options).length === 0 ? params : groups;
  const o = c.options as Record<string, never>;
  if (c.kind === 'sgd') return new optim.SGD(arg, { lr: c.options['lr'] as number, ...o });
  return c.kind === 'adam' ? new optim.Adam(arg, o) : new optim.AdamW(arg, o);
}

for (const c of golden().optimizers) {
  test(`${c.name}: 5 steps match PyTorch`, () => {
    const params = c.init.map((t) => new nn.Parameter(fromJson(t)));
    const opt = build(c, params);
    c.grads.forEach((grads, step) => {
      params.forEach((p, i) => {
        p.grad = grads[i] === null ? null : fromJson(grads[i]!);
      });
      opt.step();
      params.forEach((p, i) =>
        assertClose(p, expected(c.trajectory[step]![i]!), GOLDEN_TOL, `${c.name} param ${i} after step ${step + 1}`),
      );
    });
  });
}

test('a run resumed from a state dict continues bit-exactly', () => {
  for (const c of golden().optimizers) {
    const make = (): { params: Tensor[]; opt: AnyOptimizer } => {
      const params = c.init.map((t) => new nn.Parameter(fromJson(t)));
      return { params, opt: build(c, params) };
    };
    const setGrads = (params: Tensor[], step: number): void => {
      params.forEach((p, i) => {
        const g = c.grads[step]![i];
        p.grad = g === null || g === undefined ? null : fromJson(g);
      });
    };
    const a = make();
    for (let s = 0; s < 3; s++) {
      setGrads(a.params, s);
      a.opt.step();
    }
    const saved = a.opt.stateDict();
    const b = make();
    b.params.forEach((p, i) => p.data.set(a.params[i]!.data));
    b.opt.loadStateDict(saved);
    for (let s = 3; s < 5; s++) {
      setGrads(a.params, s);
      a.opt.step();
      setGrads(b.params, s);
      b.opt.step();
    }
    b.params.forEach((p, i) => assert.deepEqual(p.data, a.params[i]!.data, `${c.name} param ${i}`));
  }
});

test('stateDict numbers parameters across groups and lists each group’s hyperparameters', () => {
  const w = new nn.Parameter(zeros([2]));
  const b = new nn.Parameter(zeros([1]));
  const opt = new optim.AdamW(
    [
      { params: [w], lr: 0.1 },
      { params: [b], weightDecay: 0 },
    ],
    { lr: 0.01 },
  );
  w.grad = tensor([1, 1]);
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual(Object.keys(sd.state), ['0']);
  assert.equal(sd.state[0]!['step'], 1);
  assert.deepEqual(
    sd.paramGroups.map((g) => [g.params, g['lr'], g['weightDecay'], g['betas']]),
    [
      [[0], 0.1, 0.01, [0.9, 0.999]],
      [[1], 0.01, 0, [0.9, 0.999]],
    ],
  );
  const other = new optim.AdamW([{ params: [w] }], { lr: 0.01 });
  assert.throws(() => other.loadStateDict(sd), /2 parameter groups, this optimizer 1/);
});

test('loadStateDict restores the hyperparameters (a scheduler’s lr) with the state', () => {
  const p = new nn.Parameter(zeros([1]));
  const opt = new optim.SGD([p], { lr: 1, momentum: 0.9 });
  opt.paramGroups[0]!.lr = 0.25;
  const saved = opt.stateDict();
  const fresh = new optim.SGD([new nn.Parameter(zeros([1]))], { lr: 1, momentum: 0.9 });
  fresh.loadStateDict(saved);
  assert.equal(fresh.paramGroups[0]!.lr, 0.25);
});

test('zeroGrad drops gradients; parameters without a gradient are left untouched', () => {
  const p = new nn.Parameter(tensor([1, 2]));
  const q = new nn.Parameter(tensor([3]));
  const opt = new optim.SGD([p, q], { lr: 0.5 });
  p.grad = tensor([2, 2]);
  opt.step();
  assert.deepEqual([...p.data], [0, 1]);
  assert.deepEqual([...q.data], [3]);
  opt.zeroGrad();
  assert.equal(p.grad, null);
});

test('a frozen model part gets no gradient and so is not updated', () => {
  const model = new nn.Sequential(new nn.Linear(3, 3), new nn.Linear(3, 1));
  model.getSubmodule('0').requiresGrad_(false);
  const opt = new optim.Adam(model.parameters(), { lr: 0.1 });
  const before = Float32Array.from((model.at(0) as nn.Linear).weight.data);
  model
    .forward(tensor([[1, 2, 3]]))
    .sum()
    .backward();
  opt.step();
  assert.deepEqual((model.at(0) as nn.Linear).weight.data, before);
});

test('constructor checks name what is wrong', () => {
  const p = new nn.Parameter(zeros([1]));
  assert.throws(() => new optim.Adam([]), /empty parameter list/);
  assert.throws(() => new optim.SGD([p, p], { lr: 0.1 }), /more than one group/);
  assert.throws(() => new optim.SGD([p], { lr: -1 }), /lr must be a finite number >= 0/);
  assert.throws(() => new optim.SGD([p], { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0/);
  assert.throws(() => new optim.Adam([p], { betas: [1, 0.9] }), /betas\[0\] must be in \[0, 1\)/);
  assert.throws(() => new optim.Adam([p.mul(2)]), /only optimise leaf tensors/);
  assert.throws(() => new optim.Adam([tensor(Int32Array.of(1))]), /float32/);
  p.grad = zeros([2]);
  assert.throws(() => new optim.Adam([p]).step(), /does not fit parameter/);
});

test('AdamW defaults to weight decay 1e-2 and decays without a moment of its own', () => {
  const p = new nn.Parameter(tensor([1]));
  const opt = new optim.AdamW([p], { lr: 0.1 });
  assert.equal(opt.paramGroups[0]!.weightDecay, 0.01);
  p.grad = tensor([0]);
  opt.step();
  // zero gradient: only the decoupled decay acts
  assert.ok(Math.abs(p.data[0]! - (1 - 0.1 * 0.01)) < 1e-7);
});
