/**
 * polytask side of `npm run bench`: runs one workload on one backend and prints one JSON line.
 *
 * usage: node dist/bench/polytask-worker.js W1|W2|W3|W4|W5|W6|W7|W8-raw|W8-mel|convlayers js|native [steps|size|reps] [kernel|tensor|bf16] [seconds]
 * W1: MLP 784-512-512-10, ReLU, batch 256, Adam.  W2: the benchmark CNN, batch 128, Adam.
 * W3: SGEMM size×size×size through the backend's matmul kernel (or, with `tensor`, Tensor.matmul), each call
 *     of a window timed after a warm-up (bench/call-timing.ts):
 *     `seconds` (default 1.5).
 * W4: ResNet-18 (torchvision layout) training on 32×32 RGB, batch 64, SGD momentum 0.9.
 * W5: BERT encoder (4 layers, hidden 256, 4 heads, vocabulary 30,522) + classifier, sequence 128,
 *     batch 32, AdamW.  W6: ResNet-18 inference at 224×224, batch 8 (steps = batches).
 * W7: the text case's model (`npm start -- --case text`: the multi-task study's text trunk,
 *     `{ width: 4, encoder: transformer, numLayers: 1, numHeads: 2 }`: a BERT encoder 32 wide, one
 *     layer, 2 heads, over 8,001 ids (8,000 words and [MASK]), its last hidden states averaged over
 *     the tokens, Linear 32→20 + ReLU, and the WordNet heads pos (4) and supersense (45)), token ids
 *     [64, 40] with padding, Adam lr 0.003.
 * W8-raw, W8-mel: the audio case's models (`--case audio`, hidden 128): M5 on the raw waveform
 *     [32, 1, 16538] (channels 32), and the spectrogram CNN (channels 16, 32, 64) on log-mel
 *     [32, 1, 32, 128]; 10 classes, batch 32, Adam lr 0.002.
 * convlayers: each convolution layer's pass times (bench/conv-layers.ts), best of `reps` calls.
 * `bf16` (W1, W2, W4-W6): the whole run in bf16 mixed precision (setDefaultPrecision).
 * POLYTASK_BENCH_STEADY=0 skips the steady-state memory phase after a training workload's timed
 * window (bench/run.ts runs it in the first repetition of each contender only: it takes up to 2 minutes).
 */
import os from 'node:os';
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
import { loadNativeAddon } from '../src/backends/native/index.js';
import { TextTrunk } from '../src/models/text-trunk.js';
import { rawAudioCnn, resnet18, spectrogramCnn } from '../src/models/zoo/index.js';
import { gemmFigures, timeCalls, type GemmFigures } from './call-timing.js';
import { convLayerTimes } from './conv-layers.js';
import { steadyMemory } from './steady-memory.js';
import { w2Workload, w4Workload } from './step-workloads.js';
import { w5Workload } from './w5-workload.js';

function mlp(): nn.Module {
  return new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );
}

/** What the last timed window adds to the JSON line: CPU ms a step and the steady-state memory figures. */
let stepFigures: Record<string, number | boolean> = {};

/**
 * Training samples per second of `step` over `steps` timed steps after 3 warm-up steps; then, on
 * the native backend and unless POLYTASK_BENCH_STEADY=0, the steady-state memory phase
 * (bench/steady-memory.ts), whose figures and the
 * CPU milliseconds of a timed step (all threads: what a loaded machine's wall clock hides) go into
 * stepFigures.
 */
async function stepRate(step: () => void, batch: number, steps: number): Promise<number> {
  for (let i = 0; i < 3; i++) step();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const t1 = performance.now();
  const cpu = process.cpuUsage(c0);
  const addon = getBackend().name === 'native' ? loadNativeAddon() : null;
  stepFigures = {
    cpuMsPerStep: Number(((cpu.user + cpu.system) / 1000 / steps).toFixed(2)),
    ...(addon === null || process.env['POLYTASK_BENCH_STEADY'] === '0' ? {} : await steadyMemory(step, addon)),
  };
  return (batch * steps) / ((t1 - t0) / 1000);
}

function trainRate(
  model: nn.Module,
  x: Tensor,
  y: Tensor,
  steps: number,
  opt: { zeroGrad(): void; step(): void } = new optim.Adam(model.parameters(), { lr: 1e-3 }),
): Promise<number> {
  const step = (): void => {
    opt.zeroGrad();
    nn.functional.crossEntropy(model.forward(x), y).backward();
    opt.step();
  };
  return stepRate(step, x.shape[0]!, steps);
}

/**
 * GFLOP/s figures of SGEMM size×size×size (bench/call-timing.ts: a warm-up, then each call of a
 * window of `seconds` timed; NumPy's and PyTorch's workers run the same loop). `kernel`: the
 * backend's matmul into a preallocated output, the routine BLAS calls sgemm (the peers time
 * `matmul(a, b, out=c)` the same way). `tensor`: Tensor.matmul, which allocates its output on every
 * call, as a training step does.
 */
function gemmRate(size: number, mode: 'kernel' | 'tensor', seconds: number): GemmFigures {
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
  return gemmFigures(2 * size ** 3, timeCalls(product, { seconds }), os.cpus().length);
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
function bertRate(steps: number): Promise<number> {
  const { model, ids, y, opt } = w5Workload();
  return trainRate(model, ids, y, steps, opt);
}

/** W7: the text case's step on the WordNet source: trunk, then the pos and supersense heads, losses summed. */
function textRate(steps: number): Promise<number> {
  const trunk = new TextTrunk({
    vocabSize: 8001,
    maxLength: 40,
    padId: 0,
    encoder: 'transformer',
    embedDim: 32,
    layers: 1,
    heads: 2,
    hidden: 20,
  });
  const pos = new nn.Linear(20, 4);
  const supersense = new nn.Linear(20, 45);
  const params = [...trunk.parameters(), ...pos.parameters(), ...supersense.parameters()];
  const opt = new optim.Adam(params, { lr: 0.003 });
  // texts of 8 to 32 tokens, padded with id 0 to 40 (token ids travel as float32, as a TensorDataset holds them)
  const ids = new Float32Array(64 * 40);
  for (let i = 0; i < 64; i++)
    for (let j = 0; j < 8 + ((i * 7) % 25); j++) ids[i * 40 + j] = 1 + (((i * 40 + j) * 7919) % 7999);
  const x = tensor(ids).reshape([64, 40]);
  const yPos = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 4));
  const ySense = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 45));
  const step = (): void => {
    opt.zeroGrad();
    const h = trunk.forward(x);
    const ce = nn.functional.crossEntropy;
    ce(pos.forward(h), yPos)
      .add(ce(supersense.forward(h), ySense))
      .backward();
    opt.step();
  };
  return stepRate(step, 64, steps);
}

/** W8-raw / W8-mel: the audio case's end-to-end (M5) and pipeline (spectrogram CNN) classifiers. */
function audioRate(kind: 'raw' | 'mel', steps: number): Promise<number> {
  const model =
    kind === 'raw'
      ? rawAudioCnn({ numClasses: 10, channels: 32 })
      : spectrogramCnn({ numClasses: 10, channels: [16, 32, 64] });
  const x = kind === 'raw' ? rand([32, 1, 16538]).sub(0.5) : rand([32, 1, 32, 128]);
  return trainRate(model, x, labels(32), steps, new optim.Adam(model.parameters(), { lr: 0.002 }));
}

function labels(n: number): Tensor {
  return tensor(Int32Array.from({ length: n }, (_, i) => i % 10));
}

async function main(): Promise<void> {
  const [workload = 'W1', backend = 'native', arg] = process.argv.slice(2);
  setBackend(backend === 'js' ? 'js' : 'native');
  manualSeed(0);
  const out: Record<string, unknown> = { workload, backend };
  if (process.argv[5] === 'bf16') {
    setDefaultPrecision('bf16');
    out['precision'] = 'bf16';
  }
  if (workload === 'W1')
    out['samplesPerSec'] = await trainRate(mlp(), rand([256, 784]), labels(256), Number(arg ?? 20));
  else if (workload === 'W2') {
    const { model, x, y, opt } = w2Workload();
    out['samplesPerSec'] = await trainRate(model, x, y, Number(arg ?? 10), opt);
  } else if (workload === 'W4') {
    const { model, x, y, opt } = w4Workload();
    out['samplesPerSec'] = await trainRate(model, x, y, Number(arg ?? 5), opt);
  } else if (workload === 'W5') out['samplesPerSec'] = await bertRate(Number(arg ?? 3));
  else if (workload === 'W6') out['samplesPerSec'] = inferenceRate(Number(arg ?? 3));
  else if (workload === 'convlayers') out['ms'] = convLayerTimes(Number(arg ?? 5));
  else if (workload === 'W7') out['samplesPerSec'] = await textRate(Number(arg ?? 20));
  else if (workload === 'W8-raw' || workload === 'W8-mel')
    out['samplesPerSec'] = await audioRate(workload === 'W8-raw' ? 'raw' : 'mel', Number(arg ?? 5));
  else {
    const seconds = Number(process.argv[6] ?? 1.5);
    if (!(seconds > 0 && seconds <= 600)) throw new Error(`W3: seconds must be in (0, 600], got ${process.argv[6]}`);
    Object.assign(out, gemmRate(Number(arg ?? 1024), process.argv[5] === 'tensor' ? 'tensor' : 'kernel', seconds));
  }
  Object.assign(out, stepFigures);
  out['peakRssMb'] = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(out));
}

await main();
