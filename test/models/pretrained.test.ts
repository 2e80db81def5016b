import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { loadPretrained, pretrainedBackbones } from '../../src/models/pretrained/index.js';
import { noGrad, Tensor } from '../../src/tensor/index.js';

await tf.setBackend('cpu');

test('the nsfwjs MobileNetV2 trunk gives the features TF.js computes with the same package weights', async () => {
  assert.deepEqual(
    pretrainedBackbones().map((b) => b.name),
    ['nsfw-mobilenet-v2'],
  );
  const b = loadPretrained('nsfw-mobilenet-v2');
  b.module.eval();
  assert.equal(b.featureDim, 1280);
  assert.match(b.licence, /MIT/);
  // TF.js's side: the package's model and shard, loaded by tfjs-layers itself
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('nsfwjs')), '..', 'models', 'mobilenet_v2');
  const json = require(path.join(dir, 'model.min.js')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const shard = Buffer.from(require(path.join(dir, 'group1-shard1of1.min.js')) as string, 'base64');
  const m = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]!.weights,
      weightData: shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength),
    }),
  );
  const trunk = tfl.model({ inputs: m.inputs, outputs: m.getLayer('out_relu').output as tfl.SymbolicTensor });
  const [h, w] = [224, 224];
  const nhwc = Float32Array.from(
    { length: h * w * 3 },
    (_, i) => 0.5 + 0.5 * Math.sin(i * 0.011) * Math.cos(i * 0.0007),
  );
  const nchw = new Float32Array(nhwc.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) nchw[(c * h + y) * w + x] = nhwc[(y * w + x) * 3 + c]!;
  // Keras MobileNetV2 takes [-1, 1]; the backbone takes [0, 1] pixels and scales them itself
  const theirs = tf
    .mean(trunk.predict(tf.sub(tf.mul(tf.tensor(nhwc, [1, h, w, 3]), 2), 1)) as tf.Tensor, [1, 2])
    .dataSync();
  const ours = noGrad(() => b.module.forward(new Tensor(nchw, [1, 3, h, w])));
  assert.deepEqual(ours.shape, [1, 1280]);
  let worst = 0;
  for (let i = 0; i < 1280; i++) worst = Math.max(worst, Math.abs((ours.data as Float32Array)[i]! - theirs[i]!));
  const scale = Math.max(...Array.from(theirs, Math.abs));
  assert.ok(scale > 0.1, 'the features are not all zero');
  assert.ok(worst <= 1e-4 * Math.max(1, scale), `largest difference ${worst} (features up to ${scale})`);
});

test('an unknown backbone name is refused in one line naming the ones there are', () => {
  assert.throws(
    () => loadPretrained('resnet-imagenet'),
    /pretrained:resnet-imagenet: no such backbone; expected one of nsfw-mobilenet-v2/,
  );
});
