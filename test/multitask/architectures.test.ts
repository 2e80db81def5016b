/**
 * Multi-task networks: hard sharing (heads by task, shared vs task parameters, partial runs), MMoE
 * (Ma et al. 2018) and cross-stitch (Misra et al. 2016): output shapes, gates, units, which
 * parameters a task's loss reaches, and gradients against central finite differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/core/rng.js';
import { Flatten, Linear, Sequential, Tanh, type Parameter } from '../../src/nn/index.js';
import { grad, noGrad, randn, stack, type Tensor } from '../../src/tensor/index.js';
import {
  CrossStitch,
  CrossStitchUnit,
  MMoE,
  MultiTaskModel,
  defineTask,
  taskHead,
  taskHeads,
} from '../../src/multitask/index.js';
import { plain } from '../helpers/plain.js';

/** Autograd against central differences on a few entries of each parameter (smooth networks only). */
function checkParamGradients(loss: () => Tensor, params: readonly Parameter[], what: string): void {
  const analytic = grad([loss()], [...params], { allowUnused: true });
  params.forEach((p, i) => {
    for (const k of [0, Math.floor(p.size / 2), p.size - 1]) {
      const saved = p.data[k]!;
      const eps = 1e-2;
      p.data[k] = saved + eps;
      const hi = p.data[k]!;
      const up = noGrad(() => loss().item());
      p.data[k] = saved - eps;
      const lo = p.data[k]!;
      const down = noGrad(() => loss().item());
      p.data[k] = saved;
      const numeric = (up - down) / (hi - lo);
      const a = analytic[i]!.data[k]!;
      assert.ok(
        Math.abs(a - numeric) <= 2e-3 + 2e-2 * Math.max(Math.abs(a), Math.abs(numeric)),
        `${what}: parameter ${i}[${k}]: autograd ${a}, numeric ${numeric}`,
      );
    }
  });
}

const tasks = [
  defineTask({ name: 'a', kind: 'multiclass', classes: 4 }),
  defineTask({ name: 'b', kind: 'regression', outputs: 2 }),
];

test('hard sharing: one head per task, trunk parameters shared, partial runs', () => {
  manualSeed(1);
  const model = new MultiTaskModel(new Sequential(new Linear(5, 8), new Tanh()), taskHeads(8, tasks, { hidden: 6 }));
  const x = randn([3, 5]);
  const { outputs, representation } = model.run(x);
  assert.deepEqual(plain(outputs['a']!.shape), [3, 4]);
  assert.deepEqual(plain(outputs['b']!.shape), [3, 2]);
  assert.deepEqual(plain(representation!.shape), [3, 8]);
  assert.deepEqual(plain(Object.keys(model.run(x, ['b']).outputs)), ['b']);
  assert.throws(() => model.run(x, ['c']), /unknown task\(s\) 'c'; tasks are a, b/);
  assert.deepEqual(
    model.sharedParameters().map((p) => p.shape),
    [[8, 5], [8]],
  );
  assert.equal(model.taskParameters()['a']!.length, 4);
  assert.ok(Object.keys(model.stateDict()).includes('heads.a.0.weight'));
  assert.deepEqual(plain(taskHead(8, tasks[1]!).forward(randn([2, 8])).shape), [2, 2]);
  checkParamGradients(
    () => tasks[1]!.loss(model.forward(x)['b']!, randn([3, 2]).mul(0).add(0.3)),
    model.parameters().filter((_, i) => i < 2),
    'hard sharing',
  );
});

function mmoe(): MMoE {
  const expert = (): Sequential => new Sequential(new Flatten(), new Linear(6, 4), new Tanh());
  return new MMoE({ experts: [expert(), expert(), expert()], inputFeatures: 6, heads: taskHeads(4, tasks) });
}

test('MMoE: experts stacked, one softmax gate per task, heads on the mixture', () => {
  manualSeed(2);
  const net = mmoe();
  const x = randn([5, 2, 3]);
  const { outputs, representation } = net.run(x);
  assert.deepEqual(plain(representation!.shape), [5, 3, 4]);
  assert.deepEqual(plain(outputs['a']!.shape), [5, 4]);
  assert.deepEqual(plain(outputs['b']!.shape), [5, 2]);
  const gates = net.gateWeights(x);
  for (const g of Object.values(gates)) {
    assert.deepEqual(plain(g.shape), [5, 3]);
    const sums = g.sum(1).data;
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-6);
  }
  // the mixture a head reads is Σ_k gate_k · expert_k
  const mixed = gates['a']!.unsqueeze(2).mul(representation!).sum(1);
  const direct = net.heads.get('a').forward(mixed);
  assert.ok(direct.data.every((v, i) => Math.abs(v - outputs['a']!.data[i]!) < 1e-5));
  const own = new Set(net.taskParameters()['a']);
  assert.equal(net.taskParameters()['a']!.length, 4, 'gate and head');
  assert.equal(net.sharedParameters().length, 6, 'three experts × (weight, bias)');
  assert.ok(net.sharedParameters().every((p) => !own.has(p)));
  assert.throws(() => net.run(randn([2, 7])), /gates read 6 input features/);
});

test("MMoE gradients: a task's loss reaches the experts and its own gate, not the other gate", () => {
  manualSeed(3);
  const net = mmoe();
  const x = randn([4, 6]);
  const y = randn([4, 2]);
  const loss = (): Tensor => tasks[1]!.loss(net.forward(x)['b']!, y);
  const [gateA, gateB] = [net.gates.get('a').weight, net.gates.get('b').weight];
  const [ga, gb] = grad([loss()], [gateA, gateB], { allowUnused: true });
  assert.ok(
    ga!.data.every((v) => v === 0),
    "task b's loss leaves gate a alone",
  );
  assert.ok(gb!.data.some((v) => v !== 0));
  checkParamGradients(loss, [...net.sharedParameters(), gateB, net.gates.get('b').bias!], 'MMoE');
});

function crossStitch(): CrossStitch {
  const stage1 = (): Sequential => new Sequential(new Linear(5, 4), new Tanh());
  const stage2 = (): Sequential => new Sequential(new Linear(4, 3), new Tanh());
  return new CrossStitch({ columns: { a: [stage1(), stage2()], b: [stage1(), stage2()] }, heads: taskHeads(3, tasks) });
}

test('cross-stitch: columns mixed after every stage by units that start near the identity', () => {
  manualSeed(4);
  const net = crossStitch();
  const x = randn([6, 5]);
  const { outputs, representation } = net.run(x);
  assert.equal(representation, undefined);
  assert.deepEqual(plain(outputs['a']!.shape), [6, 4]);
  assert.deepEqual(plain(outputs['b']!.shape), [6, 2]);
  assert.equal(net.units.length, 2);
  const alpha = net.units.at(0).alpha.toArray() as number[][];
  assert.ok(Math.abs(alpha[0]![0]! - 0.9) < 1e-6 && Math.abs(alpha[0]![1]! - 0.1) < 1e-6);
  const unit = new CrossStitchUnit(3);
  const acts = stack([randn([2, 2]), randn([2, 2]), randn([2, 2])], 0);
  assert.deepEqual(plain(unit.forward(acts).shape), [3, 2, 2]);
  assert.equal(net.taskParameters()['a']!.length, 2, 'the head only');
  assert.equal(net.sharedParameters().length, 2 * 4 + 2, 'both columns and both units');
  assert.throws(
    () => new CrossStitch({ columns: { a: [new Linear(2, 2)] }, heads: { b: new Linear(2, 2) } }),
    /must name the same tasks/,
  );
});

test("cross-stitch gradients: one task's loss reaches both columns and the units", () => {
  manualSeed(5);
  const net = crossStitch();
  const x = randn([4, 5]);
  const target = randn([4, 2]);
  const loss = (): Tensor => tasks[1]!.loss(net.forward(x)['b']!, target);
  const colA = net.columns.get('a').at(0).parameters()[0]!;
  const [g] = grad([loss()], [colA]);
  assert.ok(
    g!.data.some((v) => v !== 0),
    "task b's loss reaches column a through the units",
  );
  checkParamGradients(loss, [...net.units.at(0).parameters(), ...net.units.at(1).parameters(), colA], 'cross-stitch');
});

test('task specs: kinds, outputs, metrics and their directions, errors', () => {
  const bin = defineTask({ name: 'flag', kind: 'binary', metrics: ['binaryF1'] });
  assert.equal(bin.outputs, 1);
  assert.deepEqual(plain(bin.directions), { binaryF1: true });
  const reg = defineTask({ name: 'age', kind: 'regression', metrics: ['mae', 'r2'] });
  assert.deepEqual(plain(reg.directions), { mae: false, r2: true });
  assert.equal(reg.metrics().length, 2);
  assert.throws(() => defineTask({ name: 'x', kind: 'multiclass' }), /classes must be an integer >= 2/);
  assert.throws(
    () => defineTask({ name: 'x', kind: 'regression', metrics: ['accuracy'] }),
    /does not fit a regression task/,
  );
  assert.throws(() => defineTask({ name: 'a.b', kind: 'binary' }), /task name must start/);
});
