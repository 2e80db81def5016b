/**
 * GradNorm: the analytic gradient of the balancing loss, and weights that move until the weighted
 * gradient norms match their targets Ḡ·rᵢ^α (equal norms at α = 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GradNorm, type MtlStepContext } from '../../../src/multitask/weighting/index.js';
import { Parameter } from '../../../src/nn/index.js';
import { SGD } from '../../../src/optim/index.js';
import { grad, tensor } from '../../../src/tensor/index.js';
import { assertAllClose, makeToy } from './helpers.js';

test('∂L_grad/∂wᵢ = sign(Gᵢ − Ḡrᵢ^α)·‖∇_W Lᵢ‖ at the last shared layer', () => {
  const tasks = ['a', 'b', 'c'];
  const toy = makeToy(tasks, 16);
  const w2 = toy.sharedParams[2]!; // trunk: [W1, b1, W2, b2]; W2 is the last shared matrix
  const gn = new GradNorm(tasks, { alpha: 1.5 });
  const norms = (ctx: MtlStepContext): number[] =>
    tasks.map((t) => Math.hypot(...grad([ctx.taskLosses[t]!], [w2], { retainGraph: true })[0]!.data));
  const c0 = toy.ctx();
  const n0 = norms(c0);
  gn.backward(toy.ctx());
  // first step: the losses are their own initial values, so every rᵢ = 1 and the target is Ḡ
  const mean0 = n0.reduce((a, b) => a + b, 0) / 3;
  assertAllClose(
    gn.weights.grad!.data,
    n0.map((v) => Math.sign(v - mean0) * v),
    'first step',
    1e-5,
    1e-8,
  );
  // after an update of the model and the weights, the rates differ
  const initial = tasks.map((t) => c0.taskLosses[t]!.item());
  const opt = new SGD([...toy.sharedParams, ...Object.values(toy.taskParams).flat(), ...gn.parameters()], { lr: 0.05 });
  opt.step();
  opt.zeroGrad();
  const c1 = toy.ctx();
  const n1 = norms(c1);
  const l1 = tasks.map((t) => c1.taskLosses[t]!.item());
  const { weights } = gn.backward(toy.ctx());
  const w = tasks.map((t) => weights[t]!);
  assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 3) < 1e-5, 'renormalised to sum to the number of tasks');
  const g = w.map((wi, i) => wi * n1[i]!);
  const meanG = g.reduce((a, b) => a + b, 0) / 3;
  const rate = l1.map((l, i) => l / initial[i]!);
  const meanRate = rate.reduce((a, b) => a + b, 0) / 3;
  const expected = g.map((gi, i) => Math.sign(gi - meanG * (rate[i]! / meanRate) ** 1.5) * n1[i]!);
  assertAllClose(gn.weights.grad!.data, expected, 'second step', 1e-5, 1e-8);
});

/** Two tasks Lᵢ = kᵢ(gᵢ·θ) + offsetᵢ over θ ∈ R², so that ‖∇_θ Lᵢ‖ = kᵢ‖gᵢ‖ and the loss values are set by hand. */
function fixedTasks(theta: Parameter, norms: [number, number], losses: [number, number]): MtlStepContext {
  theta.grad = null;
  return {
    taskLosses: {
      a: theta
        .mul(tensor([norms[0], 0]))
        .sum()
        .add(losses[0]),
      b: theta
        .mul(tensor([0, norms[1]]))
        .sum()
        .add(losses[1]),
    },
    sharedParams: [theta],
    taskParams: {},
  };
}

test('α = 0: the weights move until the weighted gradient norms are equal', () => {
  const theta = new Parameter(tensor([0, 0]));
  const gn = new GradNorm(['a', 'b'], { alpha: 0 });
  const opt = new SGD(gn.parameters(), { lr: 0.002 });
  const ratio = (): number => (gn.weights.data[0]! * 4) / (gn.weights.data[1]! * 1);
  assert.equal(ratio(), 4, 'task a starts with four times the gradient norm');
  for (let step = 0; step < 800; step++) {
    opt.zeroGrad();
    gn.backward(fixedTasks(theta, [4, 1], [1, 1]));
    opt.step();
  }
  assert.ok(Math.abs(ratio() - 1) < 0.05, `Ga/Gb = ${ratio()}`);
});

test("α > 0: the weights move until the slower task's weighted gradient norm reaches its larger target", () => {
  const theta = new Parameter(tensor([0, 0]));
  const alpha = 1.5;
  const gn = new GradNorm(['a', 'b'], { alpha });
  const opt = new SGD(gn.parameters(), { lr: 0.002 });
  gn.backward(fixedTasks(theta, [3, 1], [1, 1])); // the initial losses
  for (let step = 0; step < 800; step++) {
    opt.zeroGrad();
    // task a's loss doubled relative to its start, b's stayed: L̃ = (2, 1), r = (4/3, 2/3)
    gn.backward(fixedTasks(theta, [3, 1], [2, 1]));
    opt.step();
  }
  const g = [gn.weights.data[0]! * 3, gn.weights.data[1]! * 1];
  const meanG = (g[0]! + g[1]!) / 2;
  const target = [meanG * (4 / 3) ** alpha, meanG * (2 / 3) ** alpha];
  // the two targets cannot both be met (their mean is not Ḡ); the flow stops where a, whose
  // gradient is larger, meets its own
  assert.ok(Math.abs(g[0]! / target[0]! - 1) < 0.03, `G_a = ${g[0]}, target ${target[0]}`);
  assert.ok(g[0]! / g[1]! > 2.5, `G_a/G_b = ${g[0]! / g[1]!}: a trains slower and gets the larger norm`);
});
