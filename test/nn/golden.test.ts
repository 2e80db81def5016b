/**
 * nn against PyTorch (test/fixtures/nn_optim_golden.json, from scripts/golden_nn_optim.py): every
 * loss's value and input gradient, small models loaded from PyTorch state dicts (train and eval
 * outputs, parameter gradients, running statistics), and five Adam steps of a classifier.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { assertClose } from '../helpers/close.js';
import { GOLDEN_TOL, expected, fromJson, golden, type LossCase, type ModelCase } from './helpers.js';

const F = nn.functional;

function runLoss(c: LossCase, input: Tensor): Tensor {
  const inp = c.inputs;
  const p = c.params as Record<string, never>;
  switch (c.fn) {
    case 'crossEntropy':
      return F.crossEntropy(input, fromJson(inp['target']!, true), {
        ...p,
        weight: inp['weight'] && fromJson(inp['weight']),
        mask: inp['mask'] && fromJson(inp['mask']),
      });
    case 'binaryCrossEntropyWithLogits':
      return F.binaryCrossEntropyWithLogits(input, fromJson(inp['target']!), {
        ...p,
        posWeight: inp['pos_weight'] && fromJson(inp['pos_weight']),
      });
    case 'mse':
      return F.mse(input, fromJson(inp['target']!), p);
    case 'l1':
      return F.l1(input, fromJson(inp['target']!), p);
    case 'huber':
      return F.huber(input, fromJson(inp['target']!), p);
    default:
      throw new Error(`unknown loss ${c.fn}`);
  }
}

for (const c of golden().losses) {
  test(`loss ${c.name} matches PyTorch (value and input gradient)`, () => {
    const x = fromJson(c.inputs['input']!);
    x.requiresGrad = true;
    const loss = runLoss(c, x);
    assertClose(loss, expected(c.loss), GOLDEN_TOL, `${c.name} loss`);
    (c.grad_out === undefined ? loss : loss.mul(fromJson(c.grad_out)).sum()).backward();
    assertClose(x.grad!, expected(c.grad), GOLDEN_TOL, `${c.name} gradient`);
  });
}

function buildModel(name: string): nn.Sequential {
  if (name === 'cnn') {
    return new nn.Sequential(
      new nn.Conv2d(2, 4, 3, { padding: 1 }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(16, 3),
    );
  }
  return new nn.Sequential(
    new nn.Linear(5, 6),
    new nn.LayerNorm(6),
    new nn.GELU(),
    new nn.Linear(6, 4),
    new nn.BatchNorm1d(4, { momentum: null }),
    new nn.Tanh(),
    new nn.Linear(4, 2, { bias: false }),
  );
}

function stateOf(sd: Record<string, { shape: number[]; data: (number | null)[] }>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, fromJson(v, k.endsWith('num_batches_tracked'))]));
}

for (const c of golden().models as ModelCase[]) {
  test(`model ${c.name}: PyTorch state dict loads and the model computes what PyTorch does`, () => {
    const model = buildModel(c.name);
    assert.deepEqual(Object.keys(model.stateDict()), Object.keys(c.state_dict), 'state-dict keys and order');
    const report = model.loadStateDict(stateOf(c.state_dict));
    assert.equal(report.loaded.length, Object.keys(c.state_dict).length);

    const out = model.train().forward(fromJson(c.input));
    assertClose(out, expected(c.output_train), GOLDEN_TOL, `${c.name} train output`);
    out.mul(fromJson(c.grad_out)).sum().backward();
    for (const [name, p] of model.namedParameters())
      assertClose(p.grad!, expected(c.grads[name]!), { rtol: 1e-5, atol: 1e-5 }, `${c.name} grad ${name}`);
    const after = model.stateDict();
    for (const [k, v] of Object.entries(c.state_dict_after))
      assertClose(after[k]!, expected(v), GOLDEN_TOL, `${c.name} ${k} after the batch`);

    assertClose(model.eval().forward(fromJson(c.input)), expected(c.output_eval), GOLDEN_TOL, `${c.name} eval output`);
  });
}

test('five Adam steps of a label-smoothed linear classifier match PyTorch', () => {
  const g = golden().training;
  const model = new nn.Linear(4, 3);
  model.loadStateDict({ weight: fromJson(g.weight), bias: fromJson(g.bias) });
  const opt = new optim.Adam(model.parameters(), { lr: g.lr });
  const x = fromJson(g.x);
  const y = fromJson(g.y, true);
  g.losses.forEach((want, i) => {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x), y, { labelSmoothing: g.labelSmoothing });
    assertClose(loss, { shape: [], data: [want] }, GOLDEN_TOL, `loss at step ${i}`);
    loss.backward();
    opt.step();
  });
  const sd = model.stateDict();
  for (const [k, v] of Object.entries(g.final)) assertClose(sd[k]!, expected(v), GOLDEN_TOL, `final ${k}`);
});
