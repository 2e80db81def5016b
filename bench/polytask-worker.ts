/**
 * polytask side of `npm run bench`: runs one workload on one backend and prints one JSON line.
 *
 * usage: node dist/bench/polytask-worker.js W1|W2|W3 js|native [steps|size] [kernel|tensor]
 * W1: MLP 784-512-512-10, ReLU, batch 256, Adam.  W2: the benchmark CNN, batch 128, Adam.
 * W3: SGEMM size×size×size through the backend's matmul kernel (or, with `tensor`, Tensor.matmul).
 */
import { PLAIN_GEMM } from '../src/backend/backend.js';
import { getBackend, manualSeed, nn, optim, rand, setBackend, tensor, type Tensor } from '../src/index.js';

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

function trainRate(model: nn.Module, x: Tensor, y: Tensor, steps: number): number {
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
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

function labels(n: number): Tensor {
  return tensor(Int32Array.from({ length: n }, (_, i) => i % 10));
}

function main(): void {
  const [workload = 'W1', backend = 'native', arg] = process.argv.slice(2);
  setBackend(backend === 'js' ? 'js' : 'native');
  manualSeed(0);
  const out: Record<string, unknown> = { workload, backend };
  if (workload === 'W1') out['samplesPerSec'] = trainRate(mlp(), rand([256, 784]), labels(256), Number(arg ?? 20));
  else if (workload === 'W2')
    out['samplesPerSec'] = trainRate(cnn(), rand([128, 1, 28, 28]), labels(128), Number(arg ?? 10));
  else out['gflops'] = gemmRate(Number(arg ?? 1024), process.argv[5] === 'tensor' ? 'tensor' : 'kernel');
  out['peakRssMb'] = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(out));
}

main();
