/**
 * TensorFlow.js 4.22 side of `npm run bench`'s W5: the same BERT encoder as polytask's and PyTorch's
 * (4 layers, hidden 256, 4 heads, feed-forward 1024, vocabulary 30,522, 512 positions, 2 token types,
 * post-norm with eps 1e-12, exact GELU, tanh pooler on the first token, classifier to 2 classes),
 * written from tfjs-core ops, trained on token ids [32, 128] with AdamW (tf.train.adam, then the
 * decoupled weight decay p ← p − lr·wd·p applied to every variable, as torch.optim.AdamW does).
 * Prints one JSON line.
 *
 * The embedding lookups use `lookup` below, a `tf.customGrad` whose gradient is `tf.scatterND` (which
 * sums repeated ids) — what PyTorch's embedding backward computes. tf.gather's built-in gradient is
 * `tf.unsortedSegmentSum`, and the cpu backend implements that as one masked multiply and sum over
 * all N·L rows per vocabulary entry (tfjs-backend-cpu 4.22, kernels/UnsortedSegmentSum.js): 30,522 ×
 * 4,096 × 256 ≈ 3.2·10¹⁰ multiply-adds plus 4 fresh [4096, 256] tensors per entry, which kept one
 * step of this peer from finishing in 600 s. The rest of the step is tf.matMul in plain
 * JavaScript (one thread): tens of seconds a step, so run it for one or two steps.
 *
 * usage: node dist/bench/peers/tfjs-bert.js cpu|wasm [steps] [--profile]
 * `--profile` runs one more step under tf.profile and prints each kernel's share of it to stderr.
 *
 * @example
 * node dist/bench/peers/tfjs-bert.js cpu 1   # {"workload":"W5","backend":"cpu","samplesPerSec":…}
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers tfjs-core's gradient functions (tfjs-core alone leaves them out)
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

const VOCAB = 30522;
const HIDDEN = 256;
const HEADS = 4;
const FF = 1024;
const LAYERS = 4;
const BATCH = 32;
const SEQ = 128;
const EPS = 1e-12;
const LR = 1e-4;
const WEIGHT_DECAY = 0.01;

/** A dense layer's weight [in, out] (uniform ±1/√in, as PyTorch's default) and bias [out]. */
interface Dense {
  w: tf.Variable;
  b: tf.Variable;
}

const dense = (inF: number, outF: number): Dense => {
  const bound = 1 / Math.sqrt(inF);
  return {
    w: tf.variable(tf.randomUniform([inF, outF], -bound, bound)),
    b: tf.variable(tf.randomUniform([outF], -bound, bound)),
  };
};

interface Norm {
  gamma: tf.Variable;
  beta: tf.Variable;
}

const norm = (): Norm => ({ gamma: tf.variable(tf.ones([HIDDEN])), beta: tf.variable(tf.zeros([HIDDEN])) });

interface Layer {
  q: Dense;
  k: Dense;
  v: Dense;
  attnOut: Dense;
  attnNorm: Norm;
  inter: Dense;
  out: Dense;
  outNorm: Norm;
}

const apply = (d: Dense, x: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(x, d.w), d.b);

const layerNorm = (x: tf.Tensor2D, n: Norm): tf.Tensor2D => {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), n.gamma), n.beta);
};

/** Exact GELU, x·0.5·(1 + erf(x/√2)). */
const gelu = (x: tf.Tensor2D): tf.Tensor2D => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));

/**
 * Rows `ids` of `table`, differentiable in `table`: the gradient scatters dy's rows back onto the
 * vocabulary rows (summing repeats) instead of tf.gather's unsortedSegmentSum (see above).
 */
const lookup = (table: tf.Variable, ids: tf.Tensor1D): tf.Tensor2D => {
  const f = tf.customGrad((t) => {
    const table2 = t as tf.Tensor2D;
    return {
      value: tf.gather(table2, ids),
      gradFunc: (dy) => tf.scatterND(tf.expandDims(ids, 1), dy as tf.Tensor2D, table2.shape),
    };
  });
  return f(table) as tf.Tensor2D;
};

/** x [N·L, H] → heads [N, heads, L, H/heads]. */
const split = (x: tf.Tensor2D): tf.Tensor4D =>
  tf.transpose(tf.reshape(x, [BATCH, SEQ, HEADS, HIDDEN / HEADS]), [0, 2, 1, 3]);

function layerForward(l: Layer, x: tf.Tensor2D): tf.Tensor2D {
  const q = split(apply(l.q, x));
  const k = split(apply(l.k, x));
  const v = split(apply(l.v, x));
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(HIDDEN / HEADS));
  const ctx = tf.matMul(tf.softmax(scores), v); // [N, heads, L, D]
  const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [BATCH * SEQ, HIDDEN]) as tf.Tensor2D;
  const a = layerNorm(tf.add(apply(l.attnOut, merged), x), l.attnNorm);
  return layerNorm(tf.add(apply(l.out, gelu(apply(l.inter, a))), a), l.outNorm);
}

/** Each kernel's total time in one profiled step, largest first, to stderr. */
function printProfile(info: Awaited<ReturnType<typeof tf.profile>>): void {
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let total = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += 1;
    byKernel.set(k.name, e);
    total += ms;
  }
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    console.error(
      `${e.ms.toFixed(0).padStart(8)} ms ${String(e.calls).padStart(4)}x ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${name}`,
    );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--profile');
  const [backend = 'cpu', stepsArg = '1'] = args;
  const steps = Number(stepsArg);
  await tf.setBackend(backend);
  await tf.ready();
  const word = tf.variable(tf.randomNormal([VOCAB, HIDDEN], 0, 0.02));
  const position = tf.variable(tf.randomNormal([512, HIDDEN], 0, 0.02));
  const tokenType = tf.variable(tf.randomNormal([2, HIDDEN], 0, 0.02));
  const embNorm = norm();
  const layers: Layer[] = Array.from({ length: LAYERS }, () => ({
    q: dense(HIDDEN, HIDDEN),
    k: dense(HIDDEN, HIDDEN),
    v: dense(HIDDEN, HIDDEN),
    attnOut: dense(HIDDEN, HIDDEN),
    attnNorm: norm(),
    inter: dense(HIDDEN, FF),
    out: dense(FF, HIDDEN),
    outNorm: norm(),
  }));
  const pooler = dense(HIDDEN, HIDDEN);
  const classifier = dense(HIDDEN, 2);
  const ids = tf.tensor1d(
    Int32Array.from({ length: BATCH * SEQ }, (_, i) => 1 + ((i * 7919) % 30521)),
    'int32',
  );
  const positions = tf.tensor1d(
    Int32Array.from({ length: BATCH * SEQ }, (_, i) => i % SEQ),
    'int32',
  );
  const types = tf.zeros([BATCH * SEQ], 'int32') as tf.Tensor1D;
  const labels = tf.oneHot(
    tf.tensor1d(
      Int32Array.from({ length: BATCH }, (_, i) => i % 2),
      'int32',
    ),
    2,
  );
  const opt = tf.train.adam(LR);
  // the model's own variables (not the optimiser's moment estimates)
  const params: tf.Variable[] = [word, position, tokenType, embNorm.gamma, embNorm.beta];
  for (const l of layers)
    for (const part of [l.q, l.k, l.v, l.attnOut, l.attnNorm, l.inter, l.out, l.outNorm])
      params.push(...Object.values(part));
  params.push(pooler.w, pooler.b, classifier.w, classifier.b);
  const step = (): void => {
    tf.tidy(() => {
      opt.minimize(() => {
        const e = tf.add(tf.add(lookup(word, ids), lookup(position, positions)), lookup(tokenType, types));
        let h = layerNorm(e as tf.Tensor2D, embNorm);
        for (const l of layers) h = layerForward(l, h);
        const first = tf.reshape(tf.slice(tf.reshape(h, [BATCH, SEQ, HIDDEN]), [0, 0, 0], [BATCH, 1, HIDDEN]), [
          BATCH,
          HIDDEN,
        ]) as tf.Tensor2D;
        const logits = apply(classifier, tf.tanh(apply(pooler, first)));
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      });
      // AdamW's decoupled weight decay (torch.optim.AdamW decays every parameter, norms and biases included)
      for (const v of params) v.assign(tf.mul(v, 1 - LR * WEIGHT_DECAY));
    });
  };
  const out: Record<string, unknown> = { workload: 'W5', backend };
  try {
    step();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    out['samplesPerSec'] = (BATCH * steps) / ((performance.now() - t0) / 1000);
    if (process.argv.includes('--profile')) printProfile(await tf.profile(step));
  } catch (e) {
    out['error'] = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  }
  out['peakRssMb'] = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(out));
}

void main();
