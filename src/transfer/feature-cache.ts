/**
 * FeatureCache: the representation of a frozen trunk, computed once per example and kept. A
 * linear probe then trains its head on [N, D] features for as many epochs as it likes without
 * running the trunk again, which is what makes probing cheap.
 *
 * Entries are keyed by the dataset object, by a fingerprint of the trunk's weights and buffers and
 * by the precision the trunk runs at (src/tensor/autocast.ts), so a cache shared between runs
 * reuses features exactly when the trunk is the same (another copy of the same pre-trained weights
 * included) and computes the same thing, and recomputes them when either has changed: features a
 * trunk gave in bf16 are never handed to an fp32 probe, nor the reverse.
 *
 * @example
 * const cache = new FeatureCache();
 * const feats = cache.features(model.trunk, trainSet);  // TensorDataset [N, D], labels shared
 * cache.features(model.trunk, trainSet);                // no trunk call this time
 * cache.examplesComputed;                               // trainSet.length
 */
import { ValueError } from '../core/errors.js';
import { TensorDataset } from '../data/index.js';
import type { AnyModule } from '../nn/index.js';
import { currentPrecision, noGrad, type Tensor } from '../tensor/index.js';
import { withModesRestored } from '../train/index.js';

export interface FeatureCacheOptions {
  /** Examples per trunk call. Default 256. */
  batchSize?: number;
}

/**
 * The trunk's outputs over every example of `dataset`, in eval mode and without a tape, as a
 * float32 [N, D] array (outputs of more dimensions are flattened per example).
 *
 * @example
 * const { features, dim } = computeFeatures(model.trunk, testSet);
 */
export function computeFeatures(
  trunk: AnyModule,
  dataset: TensorDataset,
  batchSize = 256,
): { features: Float32Array; dim: number } {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ValueError('computeFeatures', `batchSize must be a positive integer, got ${batchSize}`);
  const n = dataset.length;
  if (n === 0) throw new ValueError('computeFeatures', 'the dataset is empty');
  let out: Float32Array | null = null;
  let dim = 0;
  withModesRestored(trunk, () => {
    trunk.eval();
    noGrad(() => {
      for (let start = 0; start < n; start += batchSize) {
        const idx = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
        const h = trunk.forward(dataset.batch(idx).x) as Tensor;
        const rowSize = h.size / idx.length;
        if (out === null) {
          dim = rowSize;
          out = new Float32Array(n * dim);
        } else if (rowSize !== dim)
          throw new ValueError('computeFeatures', `the trunk gave ${rowSize} features per example, earlier ${dim}`);
        out.set(h.data as Float32Array, start * dim);
      }
    });
  });
  return { features: out!, dim };
}

/**
 * A fingerprint (two FNV-1a-style hashes over the 32-bit words) of a module's parameters and buffers: equal for equal
 * weights, whichever module object holds them.
 *
 * @example
 * weightsFingerprint(a.trunk) === weightsFingerprint(b.trunk); // after b.loadStateDict(a.stateDict())
 */
export function weightsFingerprint(module: AnyModule): string {
  let h = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const t of [...module.parameters(), ...module.buffers()]) {
    // word by word: both dtypes are 4 bytes wide, and a quarter of the steps keeps this cheap
    const words = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    for (let i = 0; i < words.length; i++) {
      h = Math.imul(h ^ words[i]!, 0x01000193);
      h2 = Math.imul(h2 ^ words[i]!, 0x0100019d);
    }
    h = Math.imul(h ^ t.size, 0x01000193);
  }
  return `${(h >>> 0).toString(16)}${(h2 >>> 0).toString(16)}`;
}

/**
 * Features of frozen trunks, computed once per (dataset, trunk weights, precision).
 *
 * @example
 * const cache = new FeatureCache({ batchSize: 512 });
 * const probeSet = cache.features(trunk, train);
 */
export class FeatureCache {
  readonly batchSize: number;
  #entries = new WeakMap<TensorDataset, Map<string, TensorDataset>>();
  #computed = 0;

  constructor(opts: FeatureCacheOptions = {}) {
    this.batchSize = opts.batchSize ?? 256;
  }

  /** Examples the cache has run through a trunk so far. */
  get examplesComputed(): number {
    return this.#computed;
  }

  /**
   * The dataset's features under `trunk` at the precision in force (labels shared with
   * `dataset`), from the cache when the same trunk weights have seen this dataset before at it.
   *
   * @example
   * const feats = cache.features(model.trunk, train); // feats.featureShape: [D]
   */
  features(trunk: AnyModule, dataset: TensorDataset): TensorDataset {
    const key = `${currentPrecision()}:${weightsFingerprint(trunk)}`;
    let byTrunk = this.#entries.get(dataset);
    if (byTrunk === undefined) {
      byTrunk = new Map();
      this.#entries.set(dataset, byTrunk);
    }
    const hit = byTrunk.get(key);
    if (hit !== undefined) return hit;
    const { features, dim } = computeFeatures(trunk, dataset, this.batchSize);
    this.#computed += dataset.length;
    const entry = new TensorDataset(features, [dim], dataset.labels, dataset.labelShape);
    byTrunk.set(key, entry);
    return entry;
  }
}
