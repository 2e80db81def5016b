/**
 * A tiny two-task problem for the trainer tests and the kill worker: 96 synthetic samples of 4
 * features, task 'left' (3 classes) and task 'right' (regression), a trunk with dropout (so the
 * global random stream matters) and one head per task, Adam with warm-up, and a shuffling loader
 * whose seed is drawn from the global stream. Everything random flows from `seed`.
 *
 * @example
 * const p = buildProblem(0);
 * const trainer = new Trainer({ ...p.trainerParts, epochs: 4 });
 */
import { Rng, manualSeed } from '../../src/core/rng.js';
import { DataLoader, TensorDataset, type Batch } from '../../src/data/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { encodeSafetensors } from '../../src/io/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import type { StepContext, StepOutput, TrainerOptions } from '../../src/train/index.js';

export const SAMPLES = 96;
export const BATCH = 8;
export const STEPS_PER_EPOCH = SAMPLES / BATCH;
/** Epochs and checkpoint interval of the kill worker. */
export const WORKER_EPOCHS = 4;
export const WORKER_EVERY_STEPS = 3;

export class TwoTaskNet extends nn.Module<[Tensor], { left: Tensor; right: Tensor }> {
  trunk = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Dropout(0.1));
  left = new nn.Linear(16, 3);
  right = new nn.Linear(16, 1);

  forward(x: Tensor): { left: Tensor; right: Tensor } {
    const h = this.trunk.forward(x);
    return { left: this.left.forward(h), right: this.right.forward(h).reshape([x.shape[0]!]) };
  }
}

/** Features and labels [left class, right value] from a stream of their own (not the global one). */
export function syntheticData(): TensorDataset {
  const r = new Rng(1234);
  const x = new Float32Array(SAMPLES * 4);
  const y = new Float32Array(SAMPLES * 2);
  for (let i = 0; i < SAMPLES; i++) {
    const f = [r.normal(), r.normal(), r.normal(), r.normal()];
    x.set(f, 4 * i);
    const scores = [f[0]! + f[1]!, f[2]! - f[0]!, f[3]! * 0.5];
    y[2 * i] = scores.indexOf(Math.max(...scores));
    y[2 * i + 1] = 0.5 * f[0]! - f[3]! + 0.1 * r.normal();
  }
  return new TensorDataset(x, [4], y, [2]);
}

/** The two task losses of a batch. */
export function taskLosses(model: TwoTaskNet, { x, y }: Batch): { left: Tensor; right: Tensor } {
  const n = x.shape[0]!;
  const out = model.forward(x);
  const yl = y.slice(1, 0, 1).reshape([n]).toInt();
  const yr = y.slice(1, 1, 2).reshape([n]);
  return { left: nn.functional.crossEntropy(out.left, yl), right: nn.functional.mse(out.right, yr) };
}

export interface Problem {
  model: TwoTaskNet;
  optimizer: optim.Adam;
  scheduler: optim.LinearWarmup;
  loader: DataLoader;
  /** The default step: both losses, their sum differentiated by the trainer. */
  step: (batch: Batch, ctx: StepContext) => StepOutput;
  /** What a Trainer needs besides epochs and checkpoints. */
  parts: Pick<TrainerOptions<Batch>, 'model' | 'optimizer' | 'scheduler' | 'loader' | 'step' | 'clipGradNorm'>;
}

/** Builds the problem in a fixed order from `seed`. */
export function buildProblem(seed: number): Problem {
  manualSeed(seed);
  const model = new TwoTaskNet();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const scheduler = new optim.LinearWarmup(optimizer, { warmupSteps: 5, startFactor: 0.1 });
  const loader = new DataLoader(syntheticData(), { batchSize: BATCH, shuffle: true });
  const step = (batch: Batch): StepOutput => {
    const losses = taskLosses(model, batch);
    return { loss: losses.left.add(losses.right), losses };
  };
  return {
    model,
    optimizer,
    scheduler,
    loader,
    step,
    parts: { model, optimizer, scheduler, loader, step, clipGradNorm: 1 },
  };
}

/** The model's weights as safetensors bytes: equal bytes, bitwise-equal weights. */
export function weightBytes(model: nn.AnyModule): Buffer {
  return Buffer.from(encodeSafetensors(model.stateDict()));
}
