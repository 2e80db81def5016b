/**
 * Multi-task step costs: milliseconds per training step (forward, the method's backward, Adam) of the
 * study's LeNet trunk with two 10-way heads on 28×28 inputs, batch 64, for a single-task step of
 * the same network, equal weights, and every weighting method. Prints one JSON line:
 *   { workload, backend, batch, tasks, steps, msPerStep: { single, forward, ew, uw, ... },
 *     ratios: { ewOverSingle, <method>OverEw }, budget: { ... }, within: { ... } }
 * The budgets are the issue's: ew ≤ 1.2× single; loss-weighting methods and FAMO ≤ 1.2× ew;
 * methods that need one gradient per task ≤ ew + one extra backward pass per task, a backward
 * pass costing (ew − forward).
 *
 * Contenders take turns step by step (median of `steps` rounds after 2 warm-up rounds).
 *
 * usage: node dist/bench/mtl-step.js [native|js] [steps] [methods,comma,separated]
 */
import { manualSeed, nn, optim, rand, setBackend, tensor, type Tensor } from '../src/index.js';
import {
  MultiTaskModel, createWeighting, defineTask, multiTaskStep, studyTrunk, taskHeads, weightingKeys, type WeightingKey,
} from '../src/multitask/index.js';

const BATCH = 64;
const LOSS_WEIGHTING: readonly WeightingKey[] = ['ew', 'sw', 'uw', 'dwa', 'rlw', 'famo'];
/** Options of methods that need some (static weights need the weights). */
const OPTIONS: Partial<Record<WeightingKey, Record<string, unknown>>> = { sw: { weights: { left: 1, right: 0.5 } } };

const tasks = [defineTask({ name: 'left', kind: 'multiclass', classes: 10 }), defineTask({ name: 'right', kind: 'multiclass', classes: 10 })];

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
  const [backend = 'native', stepsArg = '20', only] = process.argv.slice(2);
  setBackend(backend === 'js' ? 'js' : 'native');
  const steps = Number(stepsArg);
  const methods = (only?.split(',') ?? weightingKeys) as WeightingKey[];
  manualSeed(1);
  const x = rand([BATCH, 1, 28, 28]);
  const labels = (k: number): Tensor => tensor(Int32Array.from({ length: BATCH }, (_, i) => (i * k) % 10));
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
  contenders.set('forward', () => { both.run(x); });
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
  const samples = new Map<string, number[]>([...contenders.keys()].map((k) => [k, []]));
  for (let round = -2; round < steps; round++) {
    for (const [name, fn] of contenders) {
      const t0 = performance.now();
      fn();
      if (round >= 0) samples.get(name)!.push(performance.now() - t0);
    }
  }
  const ms = Object.fromEntries([...samples].map(([k, v]) => [k, median(v)]));
  const ew = ms['ew'] ?? NaN;
  const backwardPass = ew - ms['forward']!;
  const ratios: Record<string, number> = { ewOverSingle: ew / ms['single']! };
  const budget: Record<string, number> = { ew: 1.2 * ms['single']! };
  for (const key of methods) {
    if (key === 'ew') continue;
    ratios[`${key}OverEw`] = ms[key]! / ew;
    budget[key] = LOSS_WEIGHTING.includes(key) ? 1.2 * ew : ew + tasks.length * backwardPass;
  }
  const within = Object.fromEntries(Object.entries(budget).map(([k, b]) => [k, ms[k]! <= b]));
  console.log(JSON.stringify({ workload: 'mtl-step', backend, batch: BATCH, tasks: tasks.length, steps, msPerStep: ms, ratios, budget, within, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main();
