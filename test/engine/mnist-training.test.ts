/**
 * The engine learns: a small MLP and a small CNN trained on the embedded MNIST reach the held-out
 * accuracies the issue sets (94% and 97%), on whichever backend is active. The recipes were checked
 * in PyTorch on the same split (mean of seeds: MLP 95.0%, CNN 97.7%); without the one-cycle schedule,
 * the wider hidden layer and batch norm, both engines stop near 93.5% and 96% on these 8,000 digits.
 * The CNN trained and evaluated under autocast('bf16') lands within 0.3 points of its fp32 twin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autocast, manualSeed, nn, noGrad, optim, type Precision, type Tensor } from '../../src/index.js';
import { DataLoader, imageDataset, loadMnist, splitImages, type ImageSet } from '../../src/data/index.js';

const { train, test: held } = splitImages(loadMnist(), { testFraction: 0.2, seed: 0 });

function accuracy(model: nn.Module, set: ImageSet, flat: boolean): number {
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const { x, y } of new DataLoader(imageDataset(set), { batchSize: 500 })) {
      const pred = model.forward(flat ? x.flatten(1) : x).argmax(1).data;
      for (let i = 0; i < pred.length; i++) if (pred[i] === y.data[i]) correct++;
    }
  });
  return correct / set.n;
}

/** Adam with a one-cycle schedule, batch 64. */
function fit(model: nn.Module, epochs: number, maxLr: number, flat: boolean): void {
  const opt = new optim.Adam(model.parameters(), { lr: maxLr });
  const loader = new DataLoader(imageDataset(train), { batchSize: 64, shuffle: true, seed: 1 });
  const sched = new optim.OneCycleLR(opt, { maxLr, totalSteps: epochs * loader.batchesPerEpoch });
  model.train();
  for (let e = 0; e < epochs; e++) {
    for (const { x, y } of loader) {
      const input: Tensor = flat ? x.flatten(1) : x;
      const loss = nn.functional.crossEntropy(model.forward(input), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sched.step();
    }
  }
}

test('an MLP reaches at least 94% held-out accuracy on embedded MNIST', () => {
  manualSeed(0);
  const mlp = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  fit(mlp, 10, 2e-3, true);
  const acc = accuracy(mlp, held, true);
  assert.ok(acc >= 0.94, `MLP held-out accuracy ${acc}`);
});

/** The CNN's held-out accuracy after its recipe, trained and evaluated at `precision` (computed once). */
const cnnAccuracies = new Map<Precision, number>();
function cnnAccuracy(precision: Precision): number {
  const known = cnnAccuracies.get(precision);
  if (known !== undefined) return known;
  manualSeed(0);
  const cnn = new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.BatchNorm2d(16),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.BatchNorm2d(32),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 7 * 7, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
  );
  const acc = autocast(precision, () => {
    fit(cnn, 4, 3e-3, false);
    return accuracy(cnn, held, false);
  });
  cnnAccuracies.set(precision, acc);
  return acc;
}

test('a CNN reaches at least 97% held-out accuracy on embedded MNIST', () => {
  const acc = cnnAccuracy('fp32');
  assert.ok(acc >= 0.97, `CNN held-out accuracy ${acc}`);
});

test('the CNN trained in bf16 mixed precision is within 0.3 points of fp32', (t) => {
  const fp32 = cnnAccuracy('fp32');
  const bf16 = cnnAccuracy('bf16');
  t.diagnostic(`held-out accuracy: fp32 ${fp32}, bf16 ${bf16}`);
  assert.ok(Math.abs(bf16 - fp32) <= 0.003, `bf16 ${bf16} against fp32 ${fp32}`);
  assert.ok(bf16 >= 0.97, `bf16 CNN held-out accuracy ${bf16}`);
});
