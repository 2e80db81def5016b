/**
 * The W2 and W4 training steps, shared by the bench worker (bench/polytask-worker.ts) and the
 * kernel profiler (bench/kernel-profile.ts), so both time the same model, batch and optimiser.
 * W2: the benchmark CNN (conv 1→32, pool, conv 32→64, pool, fc 3136→128→10), batch 128 of 28×28,
 * Adam 1e-3. W4: ResNet-18 (torchvision layout, 10 classes) on 64 RGB images of 32×32, SGD with
 * momentum 0.9. Inputs are uniform in [0, 1), labels cycle through the 10 classes.
 *
 * @example
 * const { model, x, y, opt } = w2Workload();
 * opt.zeroGrad(); nn.functional.crossEntropy(model.forward(x), y).backward(); opt.step();
 */
import { nn, optim, rand, tensor, type Tensor } from '../src/index.js';
import { resnet18 } from '../src/models/zoo/index.js';

export interface StepWorkload {
  model: nn.Module;
  /** The batch's inputs: [128, 1, 28, 28] (W2) or [64, 3, 32, 32] (W4). */
  x: Tensor;
  /** Its labels (int32), one per example. */
  y: Tensor;
  opt: { zeroGrad(): void; step(): void };
}

/** Labels 0..9, 0..9, … for `n` examples. */
function labels(n: number): Tensor {
  return tensor(Int32Array.from({ length: n }, (_, i) => i % 10));
}

/**
 * The benchmark CNN alone (W2's model, also the transfer reference case's architecture).
 *
 * @example
 * benchmarkCnn().forward(rand([2, 1, 28, 28])).shape; // [2, 10]
 */
export function benchmarkCnn(): nn.Module {
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

/**
 * W2: a fresh benchmark CNN, a batch of 128 and Adam.
 *
 * @example
 * const { model, x } = w2Workload(); model.forward(x).shape; // [128, 10]
 */
export function w2Workload(): StepWorkload {
  const model = benchmarkCnn();
  return { model, x: rand([128, 1, 28, 28]), y: labels(128), opt: new optim.Adam(model.parameters(), { lr: 1e-3 }) };
}

/**
 * W4: a fresh ResNet-18, a batch of 64 and SGD with momentum.
 *
 * @example
 * const { model, x } = w4Workload(); model.forward(x).shape; // [64, 10]
 */
export function w4Workload(): StepWorkload {
  const model = resnet18({ numClasses: 10 });
  return {
    model,
    x: rand([64, 3, 32, 32]),
    y: labels(64),
    opt: new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }),
  };
}
