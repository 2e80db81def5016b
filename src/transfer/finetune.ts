/**
 * One fine-tuning run, as the transfer study and `polytask finetune` both run it: a strategy of
 * strategies/ (scratch, linear-probe, full, lp-ft, gradual, discriminative) with its options
 * (L2-SP and BSS among them), or LoRA: adapters on the layers matching a glob, trained with the
 * task head while every other weight stays frozen, then merged back into plain layers so the
 * result is an ordinary model of the same architecture. The adapters' own weights (and the head's)
 * are handed back before the merge, to be saved on their own, together with the largest difference
 * the merge made to the model's outputs on a few training examples (float rounding only).
 *
 * @example
 * const done = await runFineTune({ model, task: 'target', train, method: 'lp-ft', options: { epochs: 20, batchSize: 64, lr: 1e-3, seed: 0 } });
 * done.result.history.at(-1)!.loss;
 * const lora = await runFineTune({ model, task: 'target', train, method: 'lora', lora: { rank: 8, alpha: 16, targets: 'trunk.*' }, options });
 * lora.lora!.mergeMaxAbsDiff; // about 1e-7
 */
import { ValueError } from '../core/errors.js';
import type { TensorDataset } from '../data/index.js';
import type { MultiTaskModel } from '../models/hard-sharing.js';
import { noGrad, type Tensor } from '../tensor/index.js';
import { freeze } from './freeze.js';
import { injectLora, loraSummary, mergeLora, type LoraSummary } from './lora/inject.js';
import type { LoraOptions } from './lora/lora-linear.js';
import { createStrategy, trainEndToEnd } from './strategies/index.js';
import type { FineTuneEpoch, FineTuneOptions, FineTuneResult, MethodKey } from './strategies/types.js';
import { recordFrom } from '../core/safe-keys.js';

/** LoRA adapters: their shape and the module names (globs) they go on. */
export interface LoraRunOptions extends LoraOptions {
  /** Globs on module names, e.g. 'trunk.*' (every linear and conv layer of the trunk). */
  targets: string | readonly string[];
}

/** One fine-tuning run. */
export interface RunFineTuneOptions {
  /** Pre-trained trunk with a new head for `task`; trained in place (LoRA: merged in place). */
  model: MultiTaskModel;
  task: string;
  train: TensorDataset;
  /** A strategy key, or 'lora'. */
  method: MethodKey;
  options: FineTuneOptions;
  /** The adapters of method 'lora' (required there, ignored otherwise). */
  lora?: LoraRunOptions;
  onEpoch?: (event: FineTuneEpoch) => void;
  signal?: AbortSignal;
}

/** What a LoRA run adds to the result. */
export interface LoraOutcome {
  /** The module names that got an adapter. */
  adapted: string[];
  /** Adapters and trainable parameters, counted before the merge. */
  summary: LoraSummary;
  /** Every trained tensor (the adapters' A and B, the head) by its name in the adapted model. */
  adapter: Record<string, Tensor>;
  /** Largest |merged − adapted| output on the probe examples. */
  mergeMaxAbsDiff: number;
}

/** Examples the merge is checked on, at most. */
const MERGE_PROBE = 64;

/** The largest absolute difference between two equally long arrays. */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** LoRA: adapters on `targets`, trained with the head; the rest frozen; merged at the end. */
async function runLora(
  o: RunFineTuneOptions,
  lora: LoraRunOptions,
): Promise<{ result: FineTuneResult; lora: LoraOutcome }> {
  const { model, task } = o;
  freeze(model, 'trunk.*');
  const adapted = injectLora(model, lora);
  const summary = loraSummary(model);
  const trainable = model.parameters().filter((p) => p.requiresGrad);
  const history = await trainEndToEnd(
    {
      model,
      task,
      train: o.train,
      options: o.options,
      ...(o.onEpoch === undefined ? {} : { onEpoch: o.onEpoch }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    },
    'lora',
    'train',
    trainable,
  );
  const adapter = recordFrom(
    model
      .namedParameters()
      .filter(([, p]) => p.requiresGrad)
      .map(([name, p]) => [name, p.clone().detach()]),
  );
  const probe = o.train.batch(Array.from({ length: Math.min(MERGE_PROBE, o.train.length) }, (_, i) => i)).x;
  model.eval();
  const before = noGrad(() => model.forward(probe)[task]!).data;
  mergeLora(model);
  const after = noGrad(() => model.forward(probe)[task]!).data;
  return {
    result: { strategy: 'lora', history, cachedExamples: 0 },
    lora: { adapted, summary, adapter, mergeMaxAbsDiff: maxAbsDiff(before, after) },
  };
}

/**
 * Fine-tunes `model` in place by `method` and returns what the strategy did (and, for LoRA, the
 * adapters and the merge check).
 *
 * @example
 * await runFineTune({ model, task, train, method: 'discriminative', options: { epochs: 5, batchSize: 32, lr: 1e-3, seed: 0, layerDecay: 0.5 } });
 */
export async function runFineTune(
  o: RunFineTuneOptions,
): Promise<{ result: FineTuneResult; lora: LoraOutcome | null }> {
  if (o.method === 'lora') {
    if (o.lora === undefined) throw new ValueError('runFineTune', 'method lora needs its lora options (rank, targets)');
    return runLora(o, o.lora);
  }
  const result = await createStrategy(o.method).fit({
    model: o.model,
    task: o.task,
    train: o.train,
    options: o.options,
    ...(o.onEpoch === undefined ? {} : { onEpoch: o.onEpoch }),
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
  return { result, lora: null };
}
