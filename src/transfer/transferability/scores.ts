/**
 * All four transferability scores of one pre-trained model for a target dataset, from one pass of
 * its frozen trunk: LogME and H-score read the features; LEEP and NCE read the source heads'
 * predictions (each head is tried, the best one is reported: a multi-task source offers several).
 *
 * @example
 * const s = transferabilityScores(model, targetSet);
 * s.logme; s.leep; s.hScore; s.nce; s.sourceTask;
 */
import { Rng } from '../../core/rng.js';
import type { TensorDataset } from '../../data/index.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import { noGrad, tensor } from '../../tensor/index.js';
import { computeFeatures } from '../feature-cache.js';
import { hScore } from './hscore.js';
import { leep } from './leep.js';
import { logme } from './logme.js';
import { nce } from './nce.js';

/** The scores; each is "higher is better". */
export interface TransferabilityScores {
  logme: number;
  leep: number;
  hScore: number;
  nce: number;
  /** The source head whose predictions gave the best LEEP (and whose NCE is reported). */
  sourceTask: string;
  /** Target examples scored. */
  examples: number;
}

export interface ScoreOptions {
  /** Score at most this many target examples, a seeded random subset. Default 2000. */
  maxExamples?: number;
  /** Seed of the subset. Default 0. */
  seed?: number;
}

/**
 * The target examples to score: all, or a seeded random subset of `max` (in ascending order).
 *
 * @example
 * scoringSubset(target, 1000, 0).length; // 1000 when target is larger
 */
export function scoringSubset(target: TensorDataset, max: number, seed: number): TensorDataset {
  if (target.length <= max) return target;
  const order = new Rng(seed).permutation(target.length).subarray(0, max);
  return target.subset(Int32Array.from(order).sort());
}

/**
 * LogME, LEEP, H-score and NCE of `model` for the target's labels (class indices).
 *
 * @example
 * transferabilityScores(loadPretrained('runs/fashion').model, imageDataset(mnist), { maxExamples: 1000 });
 */
export function transferabilityScores(
  model: MultiTaskModel,
  target: TensorDataset,
  opts: ScoreOptions = {},
): TransferabilityScores {
  const data = scoringSubset(target, opts.maxExamples ?? 2000, opts.seed ?? 0);
  const labels = data.labels;
  const { features, dim } = computeFeatures(model.trunk, data);
  const f = tensor(features, [data.length, dim]);
  let best = { task: '', leep: -Infinity, nce: -Infinity };
  for (const [task, head] of model.heads) {
    const logits = noGrad(() => head.forward(f));
    const classes = logits.shape[1]!;
    const probs = logits.softmax(1).data;
    const l = leep(probs, labels, classes);
    if (l > best.leep) best = { task, leep: l, nce: nce(logits.data, labels, classes) };
  }
  return {
    logme: logme(features, labels, dim),
    leep: best.leep,
    hScore: hScore(features, labels, dim),
    nce: best.nce,
    sourceTask: best.task,
    examples: data.length,
  };
}
