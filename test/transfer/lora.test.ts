import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, randn, nn } from '../../src/index.js';
import {
  LoRAConv2d,
  LoRALinear,
  buildModel,
  createStrategy,
  freeze,
  injectLora,
  loraSummary,
  mergeLora,
} from '../../src/transfer/index.js';
import { maxAbsDiff, quickOptions, tinyData } from './helpers.js';

test('a LoRA linear layer starts equal to its base and trains r·(in + out) parameters', () => {
  manualSeed(0);
  const base = new nn.Linear(10, 7);
  const x = randn([4, 10]);
  const want = noGrad(() => base.forward(x)).data;
  const lora = new LoRALinear(base, { rank: 3, alpha: 6, dropout: 0.1 });
  assert.equal(maxAbsDiff(noGrad(() => lora.eval().forward(x)).data, want), 0);
  assert.equal(lora.numParameters({ trainableOnly: true }), 3 * (10 + 7));
  assert.equal(lora.scale, 2);
  assert.deepEqual(Object.keys(lora.stateDict()), ['weight', 'bias', 'loraA', 'loraB']);
  assert.throws(() => new LoRALinear(new nn.Linear(4, 2), { rank: 3 }), /above the layer's 2/);
});

test('merged linear and conv adapters give the same outputs within 1e-5', () => {
  manualSeed(1);
  const lin = new LoRALinear(new nn.Linear(9, 5), { rank: 2, alpha: 4 });
  lin.loraB.data.set(randn([5, 2]).data);
  const x = randn([3, 9]);
  assert.ok(maxAbsDiff(noGrad(() => lin.eval().forward(x)).data, noGrad(() => lin.merged().forward(x)).data) < 1e-5);
  const conv = new LoRAConv2d(new nn.Conv2d(3, 4, 3, { padding: 1, stride: 2 }), { rank: 2, alpha: 3 });
  conv.loraB.data.set(randn([4, 2, 1, 1]).data);
  const img = randn([2, 3, 7, 7]);
  const adapted = noGrad(() => conv.eval().forward(img));
  const merged = noGrad(() => conv.merged().forward(img));
  assert.deepEqual(adapted.shape, [2, 4, 4, 4]);
  assert.ok(maxAbsDiff(adapted.data, merged.data) < 1e-5);
});

test('injection by glob adapts the matching layers, training then merging keeps the outputs', async () => {
  manualSeed(2);
  const model = buildModel({
    arch: 'cnn',
    config: { inChannels: 1, height: 6, width: 6, channels: [3], hidden: 8 },
    tasks: [{ name: 'target', classes: 3 }],
  });
  const x = randn([5, 1, 6, 6]);
  const before = noGrad(() => model.eval().run(x).outputs['target']!).data;
  freeze(model, 'trunk.*');
  assert.deepEqual(injectLora(model, { targets: ['trunk.0', 'trunk.4'], rank: 2, alpha: 4 }), ['trunk.0', 'trunk.4']);
  assert.ok(
    maxAbsDiff(noGrad(() => model.run(x).outputs['target']!).data, before) === 0,
    'B = 0: the model is unchanged',
  );
  const summary = loraSummary(model);
  assert.equal(summary.adapters, 2);
  assert.equal(summary.loraParameters, 2 * 1 * 9 + 3 * 2 + 2 * 27 + 8 * 2);
  assert.equal(summary.trainable, summary.loraParameters + 8 * 3 + 3);
  assert.ok(model.stateDict()['trunk.0.loraA'] !== undefined && model.stateDict()['trunk.0.weight'] !== undefined);
  const frozen = Float32Array.from(model.stateDict()['trunk.4.weight']!.data as Float32Array);
  await createStrategy('full').fit({
    model,
    task: 'target',
    train: tinyData(6, [1, 6, 6]),
    options: quickOptions({ epochs: 2 }),
  });
  assert.deepEqual(model.stateDict()['trunk.4.weight']!.data, frozen, 'the base weight stays frozen');
  model.eval();
  const tuned = noGrad(() => model.run(x).outputs['target']!).data;
  assert.ok(maxAbsDiff(tuned, before) > 0);
  assert.deepEqual(mergeLora(model), ['trunk.0', 'trunk.4']);
  assert.equal(loraSummary(model).adapters, 0);
  assert.ok(model.trunk.namedModules().every(([, m]) => !(m instanceof LoRALinear || m instanceof LoRAConv2d)));
  assert.ok(maxAbsDiff(noGrad(() => model.run(x).outputs['target']!).data, tuned) < 1e-5);
  assert.throws(() => injectLora(model, { targets: 'trunk.2', rank: 1 }), /matches no Linear or Conv2d/);
});
