/**
 * The W5 workload, shared by the bench worker (bench/polytask-worker.ts) and the kernel profiler
 * (bench/kernel-profile.ts): a BERT-style classifier (4 layers, hidden 256, 4 heads, sequence 128,
 * batch 32, no dropout) on fixed token ids, trained with AdamW.
 *
 * @example
 * const { model, ids, y, opt } = w5Workload();
 */
import { optim, tensor, type nn, type Tensor } from '../src/index.js';
import { bertForSequenceClassification } from '../src/models/zoo/index.js';

export interface W5Workload {
  model: nn.Module;
  /** Token ids [32, 128] (no padding). */
  ids: Tensor;
  /** Labels [32]. */
  y: Tensor;
  opt: optim.AdamW;
}

/**
 * A fresh W5 model, batch and optimiser.
 *
 * @example
 * const { model, ids } = w5Workload(); model.forward(ids);
 */
export function w5Workload(): W5Workload {
  const model = bertForSequenceClassification({
    numClasses: 2,
    vocabSize: 30522,
    numLayers: 4,
    hiddenSize: 256,
    numHeads: 4,
    intermediateSize: 1024,
    maxPositions: 512,
    hiddenDropout: 0,
    attentionDropout: 0,
  });
  const ids = tensor(Int32Array.from({ length: 32 * 128 }, (_, i) => 1 + ((i * 7919) % 30521))).reshape([32, 128]);
  const y = tensor(Int32Array.from({ length: 32 }, (_, i) => i % 2));
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-4, weightDecay: 0.01 });
  return { model, ids, y, opt };
}
