/**
 * Small models and data for the transfer tests: an MLP "pre-trained" model (random weights stand
 * in for pre-training), a tiny labelled dataset that fits in one batch, and snapshots of parameters
 * to see which ones a training step changed.
 *
 * @example
 * const model = tinyModel();
 * const before = snapshot(model);
 * await createStrategy('linear-probe').fit({ model, task: 'target', train: tinyData(), options: quickOptions() });
 * changedNames(model, before); // ['heads.target.weight', 'heads.target.bias']
 */
import { manualSeed, randn, tensor } from '../../src/index.js';
import { TensorDataset } from '../../src/data/index.js';
import type { AnyModule } from '../../src/nn/index.js';
import { buildModel, type FineTuneOptions } from '../../src/transfer/index.js';

/** An MLP 12 → 8 → 6 with a 3-class head named 'target' (layer groups trunk.1, trunk.3, heads). */
export function tinyModel(seed = 0, batchNorm = false) {
  manualSeed(seed);
  if (batchNorm)
    return buildModel({
      arch: 'cnn',
      config: { inChannels: 1, height: 4, width: 4, channels: [3], hidden: 5, batchNorm: true },
      tasks: [{ name: 'target', classes: 3 }],
    });
  return buildModel({ arch: 'mlp', config: { inputs: 12, hidden: [8, 6] }, tasks: [{ name: 'target', classes: 3 }] });
}

/** `n` examples of `shape` with labels 0, 1, 2, 0, ... */
export function tinyData(n = 12, shape: number[] = [12], seed = 1): TensorDataset {
  manualSeed(seed);
  const x = randn([n, ...shape]);
  const y = tensor(Int32Array.from({ length: n }, (_, i) => i % 3));
  return TensorDataset.fromTensors(x, y);
}

/** One epoch, one batch: the smallest run that updates the model. */
export function quickOptions(extra: Partial<FineTuneOptions> = {}): FineTuneOptions {
  return { epochs: 1, batchSize: 64, lr: 1e-2, seed: 0, ...extra };
}

/** Copies of every parameter's values, by name. */
export function snapshot(model: AnyModule): Map<string, Float32Array> {
  return new Map(model.namedParameters().map(([n, p]) => [n, Float32Array.from(p.data as Float32Array)]));
}

/** Names of the parameters whose values differ from `before`. */
export function changedNames(model: AnyModule, before: Map<string, Float32Array>): string[] {
  return model
    .namedParameters()
    .filter(([n, p]) => {
      const b = before.get(n)!;
      return p.data.some((v, i) => v !== b[i]);
    })
    .map(([n]) => n);
}

/** The largest absolute difference between two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
