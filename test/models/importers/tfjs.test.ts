import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { importTfjsLayers, loadTfjsLayersModel, type TfjsArtifacts } from '../../../src/models/importers/tfjs/index.js';
import { Tensor } from '../../../src/tensor/index.js';

await tf.setBackend('cpu');

/** Random weights for every variable (BN moving statistics too, variances positive), seeded. */
function randomise(m: tfl.LayersModel, seed: number): void {
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (const w of m.weights) {
    const shape = w.shape.map((d) => d ?? 1);
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: n }, () =>
      w.name.includes('moving_variance')
        ? 0.5 + next()
        : (next() - 0.5) * (w.name.includes('gamma') ? 1 : 0.6) + (w.name.includes('gamma') ? 1 : 0),
    );
    w.write(tf.tensor(values, shape));
  }
}

async function artifactsOf(m: tfl.LayersModel): Promise<TfjsArtifacts> {
  let out: TfjsArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      out = {
        modelTopology: a.modelTopology,
        weightSpecs: a.weightSpecs ?? [],
        weightData: a.weightData as ArrayBuffer,
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

/** A fixed [N, H, W, C] input and the same values as [N, C, H, W]. */
function inputs(n: number, h: number, w: number, c: number): { nhwc: tf.Tensor; nchw: Tensor } {
  const data = Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i * 1.3));
  const nchw = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) nchw[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k]!;
  return { nhwc: tf.tensor(data, [n, h, w, c]), nchw: new Tensor(nchw, [n, c, h, w]) };
}

function close(ours: Tensor, theirs: tf.Tensor, tol: number): void {
  assert.deepEqual(ours.shape, theirs.shape);
  const a = ours.data as Float32Array;
  const b = theirs.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1e-3, Math.abs(b[i]!)));
  assert.ok(worst < tol, `largest relative difference ${worst}`);
}

/** A MobileNetV2-like block graph: padding, strided "same" and "valid" convs, depthwise, BN, ReLU6, Add, pooling, Dense. */
function mobileLike(): tfl.LayersModel {
  const x = tfl.input({ shape: [13, 11, 3], name: 'image' });
  let h = tfl.layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
      name: 'pad',
    })
    .apply(x) as tfl.SymbolicTensor;
  h = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'stem' })
    .apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization({ epsilon: 1e-3, name: 'stem_bn' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.reLU({ maxValue: 6, name: 'stem_relu' }).apply(h) as tfl.SymbolicTensor;
  let b = tfl.layers
    .depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false, name: 'dw' })
    .apply(h) as tfl.SymbolicTensor;
  b = tfl.layers.batchNormalization({ name: 'dw_bn' }).apply(b) as tfl.SymbolicTensor;
  b = tfl.layers.activation({ activation: 'relu6', name: 'dw_relu' }).apply(b) as tfl.SymbolicTensor;
  b = tfl.layers.conv2d({ filters: 8, kernelSize: 1, name: 'project' }).apply(b) as tfl.SymbolicTensor;
  h = tfl.layers.add({ name: 'residual' }).apply([h, b]) as tfl.SymbolicTensor;
  h = tfl.layers
    .conv2d({
      filters: 6,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      dilationRate: 1,
      activation: 'relu',
      name: 'down',
    })
    .apply(h) as tfl.SymbolicTensor;
  const c = tfl.layers.concatenate({ name: 'cat' }).apply([h, h]) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(c) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 5, activation: 'softmax', name: 'head' }).apply(pooled) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}

test('a functional TF.js model (padding, strided same/valid convs, depthwise, BN, ReLU6, add, concat, pooling, dense) gives TF.js outputs', async () => {
  const m = mobileLike();
  randomise(m, 7);
  const net = importTfjsLayers(await artifactsOf(m), 'mobile-like');
  net.eval();
  assert.deepEqual(net.inputShape, [3, 13, 11]);
  const { nhwc, nchw } = inputs(2, 13, 11, 3);
  close(net.forward(nchw), m.predict(nhwc) as tf.Tensor, 1e-4);
  // an inner layer's output, channels first, is Keras's transposed: the backbone-features path
  const inner = tfl.model({ inputs: m.inputs, outputs: m.getLayer('gap').output as tfl.SymbolicTensor });
  close(net.forward(nchw, { until: 'gap' }), inner.predict(nhwc) as tf.Tensor, 1e-4);
  // state-dict names are the Keras layer names with PyTorch's parameter names
  const names = Object.keys(net.stateDict());
  assert.ok(
    names.includes('stem.weight') && names.includes('stem_bn.running_var') && names.includes('head.bias'),
    names.join(','),
  );
  assert.deepEqual(net.stateDict()['dw.weight']!.shape, [16, 1, 3, 3]);
});

test('a Sequential TF.js CNN read from model.json and shards on disk gives TF.js outputs; Flatten keeps Keras order', async () => {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: 3, activation: 'tanh' }));
  randomise(m, 3);
  const a = await artifactsOf(m);
  const dir = mkdtempSync(join(tmpdir(), 'polytask-tfjs-'));
  try {
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      }),
    );
    const net = loadTfjsLayersModel(join(dir, 'model.json'));
    net.eval();
    const { nhwc, nchw } = inputs(3, 8, 8, 2);
    close(net.forward(nchw), m.predict(nhwc) as tf.Tensor, 1e-4);

    // untrusted files: a shard outside the folder, bytes that do not match, an unknown layer class
    const manifest = (paths: string[], weights = a.weightSpecs): string =>
      JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths, weights }] });
    writeFileSync(join(dir, 'model.json'), manifest(['../../etc/passwd']));
    assert.throws(
      () => loadTfjsLayersModel(join(dir, 'model.json')),
      /paths\[0\]: \.\.\/\.\.\/etc\/passwd is outside the model's folder/,
    );
    writeFileSync(join(dir, 'model.json'), manifest(['weights.bin'], a.weightSpecs.slice(1)));
    assert.throws(
      () => loadTfjsLayersModel(join(dir, 'model.json')),
      /its shards hold \d+ bytes, its weights declare \d+/,
    );
    const topology = JSON.parse(JSON.stringify(a.modelTopology)) as { config: { layers: { class_name: string }[] } };
    topology.config.layers[1]!.class_name = 'LocallyConnected2D';
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({
        modelTopology: topology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      }),
    );
    assert.throws(
      () => loadTfjsLayersModel(join(dir, 'model.json')),
      /\(LocallyConnected2D\): the layer class LocallyConnected2D is not supported/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an imported model trains: one SGD step lowers its loss on a fixed batch', async () => {
  const m = mobileLike();
  randomise(m, 11);
  const net = importTfjsLayers(await artifactsOf(m), 'mobile-like');
  net.train();
  const { nchw } = inputs(4, 13, 11, 3);
  const target = new Tensor(
    Float32Array.from({ length: 20 }, (_, i) => (i % 5 === i % 4 ? 1 : 0)),
    [4, 5],
  );
  const loss = (): Tensor => net.forward(nchw).sub(target).square().mean();
  const before = loss();
  before.backward();
  for (const p of net.parameters()) {
    const g = p.grad!.data as Float32Array;
    const w = p.data as Float32Array;
    for (let i = 0; i < w.length; i++) w[i]! -= 0.05 * g[i]!;
  }
  assert.ok(loss().item() < before.item(), `${loss().item()} ≥ ${before.item()}`);
});
