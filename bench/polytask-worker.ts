/**
 * polytask side of `npm run bench`: runs one workload on one backend and prints one JSON line.
 *
 * usage: node dist/bench/polytask-worker.js W1|W2|W3|W4|W5|W6 js|native [steps|size] [kernel|tensor|bf16]
 * W1: MLP 784-512-512-10, ReLU, batch 256, Adam.  W2: the benchmark CNN, batch 128, Adam.
 * W3: SGEMM size×size×size through the backend's matmul kernel (or, with `tensor`, Tensor.matmul).
 * W4: ResNet-18 (torchvision layout) training on 32×32 RGB, batch 64, SGD momentum 0.9.
 * W5: BERT encoder (4 layers, hidden 256, 4 heads, vocabulary 30,522) + classifier, sequence 128,
 *     batch 32, AdamW.  W6: ResNet-18 inference at 224×224, batch 8 (steps = batches).
 * `bf16` (W1, W2, W4-W6): the whole run in bf16 mixed precision (setDefaultPrecision).
 */
import { PLAIN_GEMM } from '../src/backend/backend.js';
import {
  getBackend,
  manualSeed,
  nn,
  noGrad,
  optim,
  rand,
  setBackend,
  setDefaultPrecision,
  tensor,
  type Tensor,
} from '../src/index.js';
import { bertForSequenceClassification, resnet18 } from '../src/models/zoo/index.js';

function mlp(): nn.Module {
  return new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );
}

function cnn(): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(3136, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

function trainRate(
  model: nn.Module,
  x: Tensor,
  y: Tensor,
  steps: number,
  opt: { zeroGrad(): void; step(): void } = new optim.Adam(model.parameters(), { lr: 1e-3 }),
): number {
  const step = (): void => {
    opt.zeroGrad();
    nn.functional.crossEntropy(model.forward(x), y).backward();
    opt.step();
  };
  for (let i = 0; i < 3; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  return (x.shape[0]! * steps) / ((performance.now() - t0) / 1000);
}

/**
 * GFLOP/s of SGEMM size×size×size. `kernel`: the backend's matmul into a preallocated output, the
 * routine BLAS calls sgemm (NumPy's and PyTorch's workers time `matmul(a, b, out=c)` the same way).
 * `tensor`: Tensor.matmul, which allocates its output on every call, as a training step does.
 * Warm-up of about 2 GFLOP, then about 20 GFLOP timed.
 */
function gemmRate(size: number, mode: 'kernel' | 'tensor'): number {
  const a = rand([size, size]);
  const b = rand([size, size]);
  const out = new Float32Array(size * size);
  const product =
    mode === 'tensor'
      ? (): void => void a.matmul(b)
      : (): void =>
          getBackend().matmul(
            { a: a.data as Float32Array, b: b.data as Float32Array, out },
            { ...PLAIN_GEMM, m: size, n: size, k: size },
          );
  for (let i = 0; i < Math.max(1, Math.floor(2e9 / (2 * size ** 3))); i++) product();
  const reps = Math.max(3, Math.floor(2e10 / (2 * size ** 3)));
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) product();
  return (2 * size ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e9;
}

/** W6: images per second through ResNet-18 in eval mode without gradients. */
function inferenceRate(steps: number): number {
  const model = resnet18({ numClasses: 1000 });
  model.eval();
  const x = rand([8, 3, 224, 224]);
  noGrad(() => model.forward(x));
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) noGrad(() => model.forward(x));
  return (8 * steps) / ((performance.now() - t0) / 1000);
}

/** W5: the BERT classifier's training rate on random token ids (no padding). */
function bertRate(steps: number): number {
  const model = bertForSequenceClassification({
    numClasses: 2,
    vocabSize: 30522,
    numLayers: 4,
    hiddenSize: 256,
    numHeads: 4,
    intermediateSize: 1024,
    maxPositions: 512,
    hiddenDropout: 0,
    attentionDropout: 0,
  });
  const ids = tensor(Int32Array.from({ length: 32 * 128 }, (_, i) => 1 + ((i * 7919) % 30521))).reshape([32, 128]);
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-4, weightDecay: 0.01 });
  const y = tensor(Int32Array.from({ length: 32 }, (_, i) => i % 2));
  return trainRate(model, ids, y, steps, opt);
}

function labels(n: number): Tensor {
  return tensor(Int32Array.from({ length: n }, (_, i) => i % 10));
}

function main(): void {
  const [workload = 'W1', backend = 'native', arg] = process.argv.slice(2);
  setBackend(backend === 'js' ? 'js' : 'native');
  manualSeed(0);
  const out: Record<string, unknown> = { workload, backend };
  if (process.argv[5] === 'bf16') {
    setDefaultPrecision('bf16');
    out['precision'] = 'bf16';
  }
  if (workload === 'W1') out['samplesPerSec'] = trainRate(mlp(), rand([256, 784]), labels(256), Number(arg ?? 20));
  else if (workload === 'W2')
    out['samplesPerSec'] = trainRate(cnn(), rand([128, 1, 28, 28]), labels(128), Number(arg ?? 10));
  else if (workload === 'W4') {
    const model = resnet18({ numClasses: 10 });
    const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    out['samplesPerSec'] = trainRate(model, rand([64, 3, 32, 32]), labels(64), Number(arg ?? 5), opt);
  } else if (workload === 'W5') out['samplesPerSec'] = bertRate(Number(arg ?? 3));
  else if (workload === 'W6') out['samplesPerSec'] = inferenceRate(Number(arg ?? 3));
  else out['gflops'] = gemmRate(Number(arg ?? 1024), process.argv[5] === 'tensor' ? 'tensor' : 'kernel');
  out['peakRssMb'] = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(out));
}

main();
