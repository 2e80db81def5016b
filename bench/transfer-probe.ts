/**
 * The linear probe's speed claim: an epoch of the probe over cached features against an epoch of
 * full fine-tuning, on the benchmark CNN (conv32-conv64-fc128, head 128→10) and real MNIST digits.
 * The cache is filled once (its time reported apart); each epoch is timed through the same
 * training loop the strategies use, and the median of `reps` epochs is kept. Prints one JSON line.
 *
 * usage: node dist/bench/transfer-probe.js [js|native] [examples] [reps]
 */
import { performance } from 'node:perf_hooks';
import { manualSeed, nn, setBackend } from '../src/index.js';
import { imageDataset, loadMnist, selectImages } from '../src/data/index.js';
import { FeatureCache, buildModel, fitAdam } from '../src/transfer/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function epochMs(run: () => Promise<unknown>, reps: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function main(): Promise<void> {
  const [backend = 'native', examples = '1000', reps = '3'] = process.argv.slice(2);
  setBackend(backend === 'js' ? 'js' : 'native');
  manualSeed(0);
  const n = Number(examples);
  const train = imageDataset(
    selectImages(
      loadMnist(),
      Array.from({ length: n }, (_, i) => i),
    ),
  );
  const model = buildModel({
    arch: 'cnn',
    config: { channels: [32, 64], hidden: 128 },
    tasks: [{ name: 'digit', classes: 10 }],
  });
  const head = model.heads.get('digit');
  const ce = nn.functional.crossEntropy;
  const common = { epochs: 1, batchSize: 64, lr: 1e-3, seed: 0 };

  const fineTune = await epochMs(
    () =>
      fitAdam({
        ...common,
        model,
        params: model.parameters(),
        data: train,
        loss: (x, y) => ce(head.forward(model.trunk.forward(x)), y),
      }),
    Number(reps),
  );

  const cache = new FeatureCache();
  const t0 = performance.now();
  const features = cache.features(model.trunk, train);
  const cacheFill = performance.now() - t0;
  const probe = await epochMs(
    () =>
      fitAdam({
        ...common,
        model: head,
        params: head.parameters(),
        data: features,
        loss: (f, y) => ce(head.forward(f), y),
      }),
    Number(reps) * 5,
  );

  console.log(
    JSON.stringify({
      workload: 'transfer-probe',
      backend,
      examples: n,
      fineTuneEpochMs: Number(fineTune.toFixed(2)),
      probeEpochMs: Number(probe.toFixed(2)),
      cacheFillMs: Number(cacheFill.toFixed(2)),
      speedup: Number((fineTune / probe).toFixed(1)),
    }),
  );
}

await main();
