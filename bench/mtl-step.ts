/**
 * Multi-task step costs: milliseconds per training step (forward, the method's backward, Adam) of the
 * study's LeNet trunk with two 10-way heads on 28×28 inputs, batch 64 (or --batch), for a single-task
 * step of the same network, equal weights, and every weighting method. Prints one JSON line:
 *   { workload, backend, batch, tasks, steps, msPerStep: { single, forward, ew, uw, ... },
 *     ratios: { ewOverSingle, <method>OverEw }, budget: { ... }, within: { ... } }
 * The budgets are the issue's: ew ≤ 1.2× single; loss-weighting methods and FAMO ≤ 1.2× ew;
 * methods that need one gradient per task ≤ ew + one extra backward pass per task, a backward
 * pass costing (ew − forward). `within` compares the ratios with the budgets so expressed (1.2, or
 * 1 + tasks·(1 − forward/ew)); `budget` gives them in milliseconds, against the median ew or single.
 *
 * Every round (`steps` of them, after 2 warm-up rounds) visits each contender once, in an order
 * shuffled afresh, and times VISIT consecutive steps of it, keeping the fastest. Milliseconds are
 * medians over rounds; ratios are medians over rounds of the ratio within a round. These choices
 * are for a shared two-core machine. A step leaves garbage whose collection (on V8's background
 * threads, which compete with the kernels' two threads, and in pauses) falls on whatever runs
 * next: in a fixed order, always on the same contender, so that identical work (sw against ew)
 * measured up to 1.6× ew, and pcgrad 2.8× where it costs 1.8×. The fastest of a few steps also
 * leaves out preemption by other processes, and pairing within a round the slower changes of load.
 *
 * usage: node dist/bench/mtl-step.js [native|js] [steps] [methods,comma,separated] [--batch=64]
 */
import { manualSeed, nn, optim, rand, Rng, setBackend, tensor, type Tensor } from '../src/index.js';
import {
  MultiTaskModel,
  createWeighting,
  defineTask,
  multiTaskStep,
  studyTrunk,
  taskHeads,
  weightingKeys,
  type WeightingKey,
} from '../src/multitask/index.js';

/** Steps timed in a row at each visit of a contender, the fastest kept. */
const VISIT = 3;
const LOSS_WEIGHTING: readonly WeightingKey[] = ['ew', 'sw', 'uw', 'dwa', 'rlw', 'famo'];
/** Options of methods that need some (static weights need the weights). */
const OPTIONS: Partial<Record<WeightingKey, Record<string, unknown>>> = { sw: { weights: { left: 1, right: 0.5 } } };

const tasks = [
  defineTask({ name: 'left', kind: 'multiclass', classes: 10 }),
  defineTask({ name: 'right', kind: 'multiclass', classes: 10 }),
];

function model(taskCount: number): MultiTaskModel {
  manualSeed(0);
  const trunk = studyTrunk([1, 28, 28], 10);
  return new MultiTaskModel(trunk.module, taskHeads(trunk.features, tasks.slice(0, taskCount)));
}

/** The median of `values`. */
function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)]!;
}

function main(): void {
  const args = process.argv.slice(2);
  const batchArg = args.find((a) => a.startsWith('--batch='));
  const [backend = 'native', stepsArg = '20', only] = args.filter((a) => a !== batchArg);
  setBackend(backend === 'js' ? 'js' : 'native');
  const steps = Number(stepsArg);
  const batchSize = batchArg === undefined ? 64 : Number(batchArg.slice('--batch='.length));
  const methods = (only?.split(',') ?? weightingKeys) as WeightingKey[];
  manualSeed(1);
  const x = rand([batchSize, 1, 28, 28]);
  const labels = (k: number): Tensor => tensor(Int32Array.from({ length: batchSize }, (_, i) => (i * k) % 10));
  const batch = { x, y: { left: labels(1), right: labels(3) } };

  const contenders = new Map<string, () => void>();
  const single = model(1);
  const singleOpt = new optim.Adam(single.parameters(), { lr: 1e-3 });
  contenders.set('single', () => {
    singleOpt.zeroGrad();
    nn.functional.crossEntropy(single.run(x, ['left']).outputs['left']!, batch.y.left).backward();
    singleOpt.step();
  });
  const both = model(2);
  contenders.set('forward', () => {
    both.run(x);
  });
  for (const key of methods) {
    const m = model(2);
    const method = createWeighting(key, ['left', 'right'], OPTIONS[key] ?? {});
    const opt = new optim.Adam([...m.parameters(), ...method.parameters()], { lr: 1e-3 });
    contenders.set(key, () => {
      opt.zeroGrad();
      multiTaskStep(m, tasks, method, batch);
      opt.step();
    });
  }
  // rounds visit every contender once, so a slow spell of a shared machine hits all of them alike
  const all = [...contenders];
  const shuffle = new Rng(2);
  const samples = new Map<string, number[]>(all.map(([k]) => [k, []]));
  for (let round = -2; round < steps; round++) {
    for (const i of shuffle.permutation(all.length)) {
      const [name, fn] = all[i]!;
      let fastest = Infinity;
      for (let v = 0; v < VISIT; v++) {
        const t0 = performance.now();
        fn();
        fastest = Math.min(fastest, performance.now() - t0);
      }
      if (round >= 0) samples.get(name)!.push(fastest);
    }
  }
  const ms = Object.fromEntries([...samples].map(([k, v]) => [k, median(v)]));
  // a ratio is the median over rounds of the two contenders' times in the same round: the load of a
  // shared machine changes from round to round, much less within one
  const ratio = (a: string, b: string): number => {
    const sa = samples.get(a);
    const sb = samples.get(b);
    return sa === undefined || sb === undefined ? NaN : median(sa.map((t, r) => t / sb[r]!));
  };
  // a backward pass, as a share of an ew step: what the step adds to the forward
  const backwardPass = 1 - ratio('forward', 'ew');
  const ratios: Record<string, number> = { ewOverSingle: ratio('ew', 'single') };
  const budget: Record<string, number> = { ew: 1.2 * ms['single']! };
  const within: Record<string, boolean> = { ew: ratios['ewOverSingle']! <= 1.2 };
  for (const key of methods) {
    if (key === 'ew') continue;
    const limit = LOSS_WEIGHTING.includes(key) ? 1.2 : 1 + tasks.length * backwardPass;
    ratios[`${key}OverEw`] = ratio(key, 'ew');
    budget[key] = limit * (ms['ew'] ?? NaN);
    within[key] = ratios[`${key}OverEw`]! <= limit;
  }
  console.log(
    JSON.stringify({
      workload: 'mtl-step',
      backend,
      batch: batchSize,
      tasks: tasks.length,
      steps,
      msPerStep: ms,
      ratios,
      budget,
      within,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

main();
