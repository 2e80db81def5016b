import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, randn } from '../../src/index.js';
import { BSS, L2SP } from '../../src/transfer/index.js';
import { tinyModel } from './helpers.js';

test('L2-SP gradient is α(w − w0) on the pre-trained parameters and βw on the head', () => {
  const model = tinyModel();
  const alpha = 0.3;
  const beta = 0.05;
  const reg = new L2SP(model, { alpha, beta });
  const w0 = new Map(model.namedParameters().map(([n, p]) => [n, Float32Array.from(p.data as Float32Array)]));
  for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] += 0.01 * ((i % 7) - 3);
  const params = model.namedParameters();
  const grads = grad(
    [reg.penalty()],
    params.map(([, p]) => p),
  );
  params.forEach(([name, p], k) => {
    const g = grads[k]!.data;
    for (let i = 0; i < p.size; i++) {
      const expected = name.startsWith('heads.') ? beta * p.data[i]! : alpha * (p.data[i]! - w0.get(name)![i]!);
      assert.ok(Math.abs(g[i]! - expected) < 1e-6, `${name}[${i}]: ${g[i]} vs ${expected}`);
    }
  });
});

test('L2-SP penalty matches finite differences', () => {
  const model = tinyModel();
  const reg = new L2SP(model, { alpha: 0.7, beta: 0.2 });
  for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] += 0.05 * Math.sin(i);
  const p = model.trunk.parameters()[2]!;
  const [g] = grad([reg.penalty()], [p]);
  const h = 1e-2;
  for (const i of [0, 5, 17]) {
    const keep = p.data[i]!;
    p.data[i] = keep + h;
    const up = reg.penalty().item();
    p.data[i] = keep - h;
    const down = reg.penalty().item();
    p.data[i] = keep;
    assert.ok(Math.abs((up - down) / (2 * h) - g!.data[i]!) < 1e-3, `index ${i}`);
  }
});

test('L2-SP is zero at the starting point and skips frozen parameters', () => {
  const model = tinyModel();
  const reg = new L2SP(model, { alpha: 1, beta: 0 });
  assert.equal(reg.penalty().item(), 0);
  model.trunk.parameters()[0]!.data[0] += 1;
  assert.ok(Math.abs(reg.penalty().item() - 0.5) < 1e-6);
  model.trunk.parameters()[0]!.requiresGrad = false;
  assert.equal(reg.penalty().item(), 0);
  assert.throws(() => new L2SP(model, { alpha: 1, beta: 1, head: 'classifier.*' }), /no parameter matches/);
});

test('BSS equals η times the smallest squared singular values, with their gradient', () => {
  const f = randn([5, 3], { requiresGrad: true });
  const bss = new BSS({ eta: 0.1, k: 2 });
  const value = bss.penalty({ features: f });
  // the eigenvalues of FᵀF by finite-difference-free check: trace(FᵀF) = sum of all three
  const all = new BSS({ eta: 1, k: 3 }).penalty({ features: f }).item();
  const trace = Array.from(f.data).reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(all - trace) < 1e-4 * trace);
  const [g] = grad([value], [f]);
  const h = 1e-3;
  for (const i of [0, 7]) {
    const keep = f.data[i]!;
    f.data[i] = keep + h;
    const up = bss.penalty({ features: f }).item();
    f.data[i] = keep - h;
    const down = bss.penalty({ features: f }).item();
    f.data[i] = keep;
    assert.ok(Math.abs((up - down) / (2 * h) - g!.data[i]!) < 2e-3, `index ${i}`);
  }
  const wide = new BSS({ eta: 1, k: 2 }).penalty({ features: randn([2, 6]) });
  assert.ok(wide.item() > 0, 'a batch smaller than the width uses the Gram matrix of the batch');
});
