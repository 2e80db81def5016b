/**
 * The image-folder reader against the training step: generates N 64×64 JPEGs (noisy squares of
 * ten colours, one class each) in a temporary folder, then measures, in images per second,
 * - decode: `loadData` of the folder to 32×32 RGB (sharp decode + resize + float conversion) on
 *   the decoding worker threads (one per core, the default), and on the main thread only
 *   (`POLYTASK_DECODE_WORKERS=0`, as before the workers), each the best of two runs taken in turn,
 * - cache fill: the same with `cache: true` the first time (decode + writing the IDX cache),
 * - cache read: the same again (the kept rows read from the cache, no decoding),
 * - augment: the batch transform (random resized crop, flip, colour jitter) over the training
 *   set in batches of 64, alone,
 * - train: epochs of the `train` command's default CNN (conv16-conv32-fc64, Adam, batch 64) on
 *   the 32×32×3 training set, without and with the augmentation in the loader.
 * With each, the CPU time of the process (every thread) per image or per trained sample: the work
 * it costs, whatever share of a loaded machine the process got. Prints one JSON line; the
 * generated files are removed.
 *
 * usage: node dist/bench/image-load.js [images=2000] [native|js]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { describeModel } from '../src/cli/supervised/model.js';
import { Rng } from '../src/core/rng.js';
import { DataLoader, type BatchTransform } from '../src/data/index.js';
import { decodeWorkerCount, imageAugmentation } from '../src/data/image-folder/index.js';
import { dataSchema, loadData, type LoadedData } from '../src/data/sources/index.js';
import { manualSeed, nn, setBackend } from '../src/index.js';
import { Adam } from '../src/optim/index.js';
import { Trainer } from '../src/train/index.js';
import { buildModel } from '../src/transfer/index.js';

const COLOURS = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [128, 128, 128],
] as const;

async function generate(dir: string, n: number): Promise<void> {
  const rng = new Rng(0);
  COLOURS.forEach((_, c) => mkdirSync(join(dir, `class${c}`), { recursive: true }));
  for (let i = 0; i < n; i++) {
    const c = i % COLOURS.length;
    const px = Buffer.alloc(64 * 64 * 3);
    for (let k = 0; k < px.length; k++) px[k] = Math.max(0, Math.min(255, COLOURS[c]![k % 3]! + rng.int(61) - 30));
    const jpeg = await sharp(px, { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    writeFileSync(join(dir, `class${c}`, `${i}.jpg`), jpeg);
  }
}

/** `run`'s wall time, and the CPU time this process spent meanwhile (every thread: the decoding workers' too). */
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const value = await run();
  const cpu = process.cpuUsage(cpu0);
  return { value, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Training samples per second of `epochs` timed epochs (after one warm-up epoch), and CPU ms per sample. */
async function trainRate(
  data: LoadedData,
  transform: BatchTransform | undefined,
  epochs: number,
): Promise<{ perSec: number; cpuMsPerSample: number }> {
  manualSeed(0);
  const model = buildModel(
    describeModel({ arch: 'cnn', channels: [16, 32], hidden: 64, batchNorm: false }, data.featureShape, 'class', 10),
  );
  const loader = new DataLoader(data.train, {
    batchSize: 64,
    shuffle: true,
    seed: 0,
    ...(transform === undefined ? {} : { transform }),
  });
  const run = async (n: number): Promise<void> => {
    await new Trainer({
      model,
      optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
      loader,
      epochs: loader.epoch + n,
      step: ({ x, y }) => ({ loss: nn.functional.crossEntropy(model.forward(x)['class']!, y) }),
    }).fit();
  };
  await run(1);
  const { ms, cpuMs } = await timed(() => run(epochs));
  const samples = epochs * data.train.length;
  return { perSec: samples / (ms / 1000), cpuMsPerSample: cpuMs / samples };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  setBackend(process.argv[3] === 'js' ? 'js' : 'native');
  const dir = mkdtempSync(join(tmpdir(), 'polytask-image-bench-'));
  const before = process.env.POLYTASK_CACHE;
  process.env.POLYTASK_CACHE = join(dir, 'cache');
  delete process.env.POLYTASK_DECODE_WORKERS;
  try {
    const folder = join(dir, 'images');
    const gen = await timed(() => generate(folder, n));
    const config = (cache: boolean) =>
      dataSchema.parse({ source: 'images', dir: folder, size: 32, channels: 3, resize: 'crop', cache });
    const workers = decodeWorkerCount(n);
    // the two ways in turn, twice, the best of each: the first pass also loads sharp and starts the workers
    const onMain = async () => {
      process.env.POLYTASK_DECODE_WORKERS = '0';
      try {
        return await timed(() => loadData(config(false), 0));
      } finally {
        delete process.env.POLYTASK_DECODE_WORKERS;
      }
    };
    const onWorkers = () => timed(() => loadData(config(false), 0));
    const runs = [await onWorkers(), await onMain(), await onWorkers(), await onMain()];
    const best = <T extends { ms: number }>(a: T, b: T): T => (a.ms <= b.ms ? a : b);
    const decode = best(runs[0]!, runs[2]!);
    const mainThread = best(runs[1]!, runs[3]!);
    const fill = await timed(() => loadData(config(true), 0));
    const read = await timed(() => loadData(config(true), 0));
    const data = decode.value;
    const augment = imageAugmentation(
      {
        resizedCrop: { scale: [0.5, 1], ratio: [3 / 4, 4 / 3] },
        flip: true,
        jitter: { brightness: 0.1, contrast: 0.1, saturation: 0.1 },
      },
      [3, 32, 32],
    );
    const loader = new DataLoader(data.train, { batchSize: 64, shuffle: true, seed: 0 });
    const rng = new Rng(1);
    const aug = await timed(async () => {
      for (let r = 0; r < 3; r++) for (const b of loader) augment(b, rng);
    });
    const rate = (ms: number, count = n): number => Math.round(count / (ms / 1000));
    const plain = await trainRate(data, undefined, 2);
    const augmented = await trainRate(data, augment, 2);
    const perItem = (cpuMs: number, count: number): number => Math.round((cpuMs / count) * 1000) / 1000;
    console.log(
      JSON.stringify({
        workload: 'image-load',
        images: n,
        generateMs: Math.round(gen.ms),
        decodeWorkers: workers,
        decodePerSec: rate(decode.ms),
        decodeMainThreadPerSec: rate(mainThread.ms),
        cacheFillPerSec: rate(fill.ms),
        cacheReadPerSec: rate(read.ms),
        augmentPerSec: rate(aug.ms, 3 * data.train.length),
        trainPerSec: Math.round(plain.perSec),
        trainAugmentedPerSec: Math.round(augmented.perSec),
        // CPU ms (all threads) per decoded image and per trained sample: the work each costs,
        // whatever share of the machine the process got
        decodeCpuMsPerImage: perItem(decode.cpuMs, n),
        cacheReadCpuMsPerImage: perItem(read.cpuMs, n),
        trainCpuMsPerSample: perItem(plain.cpuMsPerSample, 1),
      }),
    );
  } finally {
    if (before === undefined) delete process.env.POLYTASK_CACHE;
    else process.env.POLYTASK_CACHE = before;
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
