#!/usr/bin/env node
// Time per training step of every weighting method against equal weights, on an MLP trunk with one
// head per task (run `npm run build` first). The target: loss-weighting methods and FAMO
// within 1.2× of equal weights; methods needing per-task gradients at most about one extra backward
// per task. Usage: node scripts/bench-weighting.mjs [tasks=3] [batch=256] [hidden=512] [steps=20]
import { manualSeed, randn, nn, optim } from '../dist/src/index.js';
import { createWeighting, weightingKeys } from '../dist/src/multitask/weighting/index.js';

const [tasksN = 3, batch = 256, hidden = 512, steps = 20] = process.argv.slice(2).map(Number);
const tasks = Array.from({ length: tasksN }, (_, i) => `task${i}`);

function setup() {
  manualSeed(0);
  const trunk = new nn.Sequential(
    new nn.Linear(256, hidden),
    new nn.ReLU(),
    new nn.Linear(hidden, hidden),
    new nn.ReLU(),
    new nn.Linear(hidden, 128),
    new nn.ReLU(),
  );
  const heads = Object.fromEntries(tasks.map((t) => [t, new nn.Linear(128, 10)]));
  const x = randn([batch, 256]);
  const y = Object.fromEntries(tasks.map((t) => [t, randn([batch, 10])]));
  return { trunk, heads, x, y };
}

function timeMethod(key) {
  const { trunk, heads, x, y } = setup();
  const method = createWeighting(
    key,
    tasks,
    key === 'sw' ? { weights: Object.fromEntries(tasks.map((t) => [t, 1])) } : {},
  );
  const params = [
    ...trunk.parameters(),
    ...Object.values(heads).flatMap((h) => h.parameters()),
    ...method.parameters(),
  ];
  const opt = new optim.SGD(params, { lr: 1e-3 });
  const step = () => {
    opt.zeroGrad();
    const z = trunk.forward(x);
    const taskLosses = Object.fromEntries(tasks.map((t) => [t, nn.functional.mse(heads[t].forward(z), y[t])]));
    method.backward({
      taskLosses,
      sharedParams: trunk.parameters(),
      taskParams: Object.fromEntries(tasks.map((t) => [t, heads[t].parameters()])),
      representation: z,
    });
    opt.step();
  };
  for (let i = 0; i < 3; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  return { needs: method.needs, ms: (performance.now() - t0) / steps };
}

// the machine is shared: rounds interleave the methods and the fastest round of each counts
const best = new Map();
for (let round = 0; round < 3; round++) {
  for (const key of weightingKeys) {
    const r = timeMethod(key);
    if (!best.has(key) || r.ms < best.get(key).ms) best.set(key, r);
  }
}
const base = best.get('ew').ms;
console.log(
  `${tasksN} tasks, batch ${batch}, hidden ${hidden}: equal weights ${base.toFixed(2)} ms/step (fastest of 3 rounds)`,
);
for (const [key, { needs, ms }] of best) {
  console.log(`${key.padEnd(9)} ${needs.padEnd(20)} ${ms.toFixed(2).padStart(8)} ms/step  ${(ms / base).toFixed(2)}×`);
}
