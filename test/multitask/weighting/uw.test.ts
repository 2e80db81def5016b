/**
 * Uncertainty weighting: on two synthetic regression tasks with noise σ₁ ≠ σ₂, the learned log σᵢ²
 * converge to the log of the true noise variances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UncertaintyWeighting } from '../../../src/multitask/weighting/index.js';
import { Linear, functional as F } from '../../../src/nn/index.js';
import { Adam } from '../../../src/optim/index.js';
import { randn, tensor } from '../../../src/tensor/index.js';
import { manualSeed } from '../../../src/core/rng.js';
import { assertAllClose, makeToy } from './helpers.js';

test('log σ² converges to the log noise variances of two regression tasks', () => {
  manualSeed(0);
  const n = 400;
  const sigma = { a: 0.5, b: 2 };
  const x = randn([n, 3]);
  const y = {
    a: x.matmul(tensor([[1], [-2], [0.5]])).add(randn([n, 1]).mul(sigma.a)),
    b: x.matmul(tensor([[-1], [0.5], [2]])).add(randn([n, 1]).mul(sigma.b)),
  };
  // a linear trunk and heads can represent both regressions exactly: what is left is the noise
  const trunk = new Linear(3, 8);
  const heads = { a: new Linear(8, 1), b: new Linear(8, 1) };
  const uw = new UncertaintyWeighting(['a', 'b']);
  const opt = new Adam([...trunk.parameters(), ...heads.a.parameters(), ...heads.b.parameters(), ...uw.parameters()], {
    lr: 0.03,
  });
  for (let step = 0; step < 600; step++) {
    opt.zeroGrad();
    const z = trunk.forward(x);
    const taskLosses = { a: F.mse(heads.a.forward(z), y.a), b: F.mse(heads.b.forward(z), y.b) };
    uw.backward({
      taskLosses,
      sharedParams: trunk.parameters(),
      taskParams: { a: heads.a.parameters(), b: heads.b.parameters() },
    });
    opt.step();
  }
  const s = uw.logVariances();
  assert.ok(
    Math.abs(s['a']! - Math.log(sigma.a ** 2)) < 0.15,
    `log σ²(a) = ${s['a']}, expected ≈ ${Math.log(sigma.a ** 2)}`,
  );
  assert.ok(
    Math.abs(s['b']! - Math.log(sigma.b ** 2)) < 0.15,
    `log σ²(b) = ${s['b']}, expected ≈ ${Math.log(sigma.b ** 2)}`,
  );
});

test('the objective is Σ ½e^(−s)L + ½s: weights ½e^(−s), ∂/∂s = ½(1 − e^(−s)L); an absent task adds nothing', () => {
  const toy = makeToy(['a', 'b'], 15);
  const uw = new UncertaintyWeighting(['a', 'b']);
  uw.logVar.data.set([0.5, -1]);
  const ctx = toy.ctx();
  const l = [ctx.taskLosses['a']!.item(), ctx.taskLosses['b']!.item()];
  const { weights } = uw.backward(ctx);
  assertAllClose([weights['a']!, weights['b']!], [0.5 * Math.exp(-0.5), 0.5 * Math.exp(1)], 'weights', 1e-6, 0);
  assertAllClose(
    uw.logVar.grad!.data,
    [0.5 * (1 - Math.exp(-0.5) * l[0]!), 0.5 * (1 - Math.exp(1) * l[1]!)],
    '∂/∂s',
    1e-5,
    1e-7,
  );
  uw.logVar.grad = null;
  const c = toy.ctx();
  uw.backward({ ...c, taskLosses: { a: c.taskLosses['a']!, b: c.taskLosses['b']!.mul(0) } });
  assert.equal(uw.logVar.grad!.data[1], 0, 'absent task: its log-variance is not pulled down');
});
