/**
 * resetParameters over every zoo model: after it, every parameter and saved buffer must be at its
 * initialisation again, drawn anew. Each model is built twice from one seed; the second copy has
 * every value overwritten with a sentinel (NaN, or 7 for integer counters), then is reset from
 * another seed, and each tensor is compared with the freshly built one: a constant init (zeros,
 * ones, a class token) must be exactly that constant again, a fixed table (mel filters) exactly
 * the table, and a random init must be re-drawn (not the fresh values) with the fresh tensor's
 * mean and spread. A tensor the reset skipped keeps its sentinel and fails; one re-drawn by the
 * wrong scheme (a ViT MLP weight by Linear's default instead of xavier) fails the spread check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/core/rng.js';
import { Linear, Module, Parameter, resetParameters, type AnyModule } from '../../src/nn/index.js';
import { zeros, type Tensor } from '../../src/tensor/index.js';
import {
  BertForMaskedLM,
  bertEncoder,
  bertForSequenceClassification,
  mobilenetV2,
  mobilenetV3Small,
  rawAudioCnn,
  resnet18,
  resnet50,
  spectrogramCnn,
  visionTransformer,
  zooArchs,
  zooTrunk,
  melFrontEnd,
} from '../../src/models/zoo/index.js';
import { buildModel } from '../../src/transfer/arch/registry.js';
import { visionArchs } from '../../src/transfer/arch/vision-zoo.js';

const stats = (d: ArrayLike<number>): { mean: number; sd: number } => {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]!;
  const mean = s / d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i]! - mean) ** 2;
  return { mean, sd: Math.sqrt(v / Math.max(1, d.length - 1)) };
};

const constant = (d: ArrayLike<number>): boolean => {
  for (let i = 1; i < d.length; i++) if (d[i] !== d[0]) return false;
  return true;
};

const equal = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Checks resetParameters brings every tensor of `build()`'s model back to its initialisation. */
function assertResets(name: string, build: () => AnyModule): void {
  manualSeed(0);
  const fresh = Object.entries(build().stateDict()).map(([k, t]) => [k, Array.from(t.data)] as const);
  manualSeed(0);
  const model = build();
  const state: Record<string, Tensor> = model.stateDict();
  for (const t of Object.values(state)) t.data.fill(t.dtype === 'int32' ? 7 : NaN);
  manualSeed(1);
  resetParameters(model);
  assert.equal(Object.keys(state).length, fresh.length);
  for (const [k, want] of fresh) {
    const got = state[k]!.data;
    const where = `${name}: ${k}`;
    assert.ok(
      Array.from(got).every((v) => Number.isFinite(v)),
      `${where} was not re-initialised`,
    );
    if (constant(want)) {
      assert.ok(constant(got) && got[0] === want[0], `${where}: expected the constant ${want[0]}, got ${got[0]}, ...`);
      continue;
    }
    if (equal(got, want)) continue; // a fixed table (mel filters): reset to the same values
    const f = stats(want);
    const r = stats(got);
    const n = want.length;
    const tol = n >= 64 ? 0.25 : 0.8;
    assert.ok(Math.abs(r.sd / f.sd - 1) < tol, `${where}: spread ${r.sd} after the reset, ${f.sd} when built`);
    assert.ok(
      Math.abs(r.mean - f.mean) < (8 * f.sd) / Math.sqrt(n) + 1e-9,
      `${where}: mean ${r.mean} after the reset, ${f.mean} when built`,
    );
  }
}

const smallVit = (): AnyModule =>
  visionTransformer({
    imageSize: 16,
    patchSize: 4,
    numLayers: 2,
    numHeads: 2,
    hiddenDim: 32,
    mlpDim: 64,
    numClasses: 5,
  });
const bertSize = { vocabSize: 60, hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 64, maxPositions: 20 };

const zoo: [string, () => AnyModule][] = [
  ['resnet18', () => resnet18({ numClasses: 10 })],
  ['resnet50', () => resnet50({ numClasses: 10 })],
  ['mobilenetV2', () => mobilenetV2({ numClasses: 10, widthMult: 0.5 })],
  ['mobilenetV3Small', () => mobilenetV3Small({ numClasses: 10, widthMult: 0.5 })],
  ['visionTransformer', smallVit],
  ['bertEncoder', () => bertEncoder(bertSize)],
  ['bertForSequenceClassification', () => bertForSequenceClassification({ ...bertSize, numClasses: 3 })],
  ['BertForMaskedLM', () => new BertForMaskedLM(bertSize)],
  ['rawAudioCnn', () => rawAudioCnn({ numClasses: 5, channels: 8 })],
  ['spectrogramCnn', () => spectrogramCnn({ numClasses: 5, channels: [4, 8] })],
  ['melFrontEnd', () => melFrontEnd({ sampleRate: 8000, frame: 256, hop: 128, mels: 32 })],
];

for (const [name, build] of zoo) {
  test(`resetParameters re-initialises every parameter and buffer of ${name}`, () => assertResets(name, build));
}

// ResNet-34 is ResNet-18's blocks, more of them (each ResNet is about 5 s here, so one of each block kind)

test('resetParameters re-initialises the zoo trunks (the studies’ --arch) and the registry models of the vision zoo', () => {
  // the ResNets' trunks take the same path as the MobileNets' (ZooTrunk resets its whole model)
  for (const arch of zooArchs.filter((a) => !a.startsWith('resnet'))) {
    const spec = arch === 'vit' ? { arch, patchSize: 4, numLayers: 1, hiddenDim: 32, mlpDim: 32 } : { arch };
    assertResets(`zooTrunk ${arch}`, () => zooTrunk(spec, [1, 16, 16]).trunk);
  }
  for (const arch of Object.keys(visionArchs).filter((a) => !a.startsWith('resnet'))) {
    const config =
      arch === 'vit'
        ? { inChannels: 1, height: 16, width: 16, patchSize: 4, numLayers: 1, numHeads: 2, hiddenDim: 16, mlpDim: 16 }
        : { inChannels: 1, height: 16, width: 16 };
    assertResets(`registry ${arch}`, () => buildModel({ arch, config, tasks: [{ name: 't', classes: 3 }] }));
  }
});

test("a ViT's reset is torchvision's initialisation: class token and classifier 0, position table N(0, 0.02²), xavier projections", () => {
  manualSeed(3);
  const m = visionTransformer({
    imageSize: 32,
    patchSize: 4,
    numLayers: 1,
    numHeads: 4,
    hiddenDim: 64,
    mlpDim: 128,
    numClasses: 10,
  });
  for (const p of m.parameters()) p.data.fill(5);
  resetParameters(m);
  const s = m.stateDict();
  const all = (k: string, f: (v: number) => boolean): boolean => Array.from(s[k]!.data).every(f);
  assert.ok(all('class_token', (v) => v === 0));
  assert.ok(all('heads.head.weight', (v) => v === 0) && all('heads.head.bias', (v) => v === 0));
  assert.ok(all('conv_proj.bias', (v) => v === 0));
  assert.ok(Math.abs(stats(s['encoder.pos_embedding']!.data).sd - 0.02) < 0.002);
  // trunc_normal(std √(1/fan-in)) with fan-in 3·4·4 = 48: sd 0.144
  assert.ok(Math.abs(stats(s['conv_proj.weight']!.data).sd - Math.sqrt(1 / 48)) < 0.01);
  const block = 'encoder.layers.encoder_layer_0';
  const xavier = (fanIn: number, fanOut: number): number => Math.sqrt(6 / (fanIn + fanOut));
  const inProj = s[`${block}.self_attention.in_proj_weight`]!.data;
  assert.ok(Array.from(inProj).every((v) => Math.abs(v) <= xavier(64, 192)));
  assert.ok(Math.abs(stats(inProj).sd - xavier(64, 192) / Math.sqrt(3)) < 0.01);
  assert.ok(all(`${block}.self_attention.in_proj_bias`, (v) => v === 0));
  assert.ok(all(`${block}.self_attention.out_proj.bias`, (v) => v === 0));
  const fc1 = s[`${block}.mlp.0.weight`]!.data;
  assert.ok(Math.abs(stats(fc1).sd - xavier(64, 128) / Math.sqrt(3)) < 0.01);
  assert.ok(all(`${block}.mlp.0.bias`, (v) => v !== 5 && Math.abs(v) < 1e-5));
  assert.ok(all(`${block}.ln_1.weight`, (v) => v === 1) && all(`${block}.ln_1.bias`, (v) => v === 0));
});

test('resetParameters refuses a module with a parameter it cannot re-initialise, naming it', () => {
  class Scaled extends Module {
    scale = new Parameter(zeros([1]));
    forward(x: Tensor): Tensor {
      return x.mul(this.scale);
    }
  }
  class Net extends Module {
    body = new Linear(2, 2);
    gate = new Scaled();
    forward(x: Tensor): Tensor {
      return this.gate.forward(this.body.forward(x));
    }
  }
  assert.throws(() => resetParameters(new Net()), /cannot re-initialise Scaled at 'gate' \(its scale\)/);
});
