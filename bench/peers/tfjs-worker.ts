/**
 * TensorFlow.js 4.22 side of `npm run bench`: trains W1 or W2 on the wasm or cpu backend and prints
 * one JSON line. A workload the backend cannot run (wasm has no Conv2DBackpropFilter) is reported
 * with its error instead of a rate.
 *
 * usage: node dist/bench/peers/tfjs-worker.js W1|W2 wasm|cpu [steps]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

function model(workload: string): tfl.Sequential {
  const m = tfl.sequential();
  if (workload === 'W1') {
    m.add(tfl.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 512, activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 10 }));
  } else {
    m.add(
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
    );
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 128, activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 10 }));
  }
  return m;
}

async function main(): Promise<void> {
  const [workload = 'W1', backend = 'wasm', stepsArg = '5'] = process.argv.slice(2);
  const steps = Number(stepsArg);
  await tf.setBackend(backend);
  await tf.ready();
  const batch = workload === 'W1' ? 256 : 128;
  const m = model(workload);
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform(workload === 'W1' ? [batch, 784] : [batch, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const step = (): void => {
    tf.tidy(() => {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar);
    });
  };
  const out: Record<string, unknown> = { workload, backend };
  try {
    step();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    out['samplesPerSec'] = (batch * steps) / ((performance.now() - t0) / 1000);
  } catch (e) {
    out['error'] = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  }
  out['peakRssMb'] = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(out));
}

void main();
