/**
 * Ranking candidate checkpoints for a target dataset before any fine-tuning: each checkpoint is
 * loaded, its frozen trunk run once over (a subset of) the target, and the candidates ordered by
 * one score (LogME by default: it needs no source head and tracks fine-tuned accuracy best in
 * You et al. 2021). What `polytask transferability` prints.
 *
 * @example
 * const ranking = await rankCheckpoints(['runs/fashion', 'runs/digits-0-4'], imageDataset(mnist), { metric: 'logme' });
 * ranking[0].name; // the most promising source
 */
import { ValueError } from '../../core/errors.js';
import type { TensorDataset } from '../../data/index.js';
import { loadPretrained } from '../checkpoint.js';
import { transferabilityScores, type ScoreOptions, type TransferabilityScores } from './scores.js';

/**
 * The scores a ranking can be ordered by.
 *
 * @example
 * transferabilityMetrics; // ['logme', 'leep', 'hScore', 'nce']
 */
export const transferabilityMetrics = ['logme', 'leep', 'hScore', 'nce'] as const;

export type TransferabilityMetric = (typeof transferabilityMetrics)[number];

/** A candidate: a checkpoint path (its name is the path), or a path with a name. */
export type CheckpointCandidate = string | { name: string; path: string };

/** One ranked candidate. */
export interface RankedCheckpoint {
  /** 1 for the best. */
  rank: number;
  name: string;
  /** The checkpoint directory loaded. */
  path: string;
  scores: TransferabilityScores;
}

export interface RankOptions extends ScoreOptions {
  /** The score to order by. Default 'logme'. */
  metric?: TransferabilityMetric;
  /** Called after each candidate is scored. */
  onProgress?: (event: { done: number; total: number; name: string }) => void;
}

/**
 * Scores every candidate on the same target subset and returns them best first.
 *
 * @example
 * for (const r of await rankCheckpoints(paths, target)) console.log(r.rank, r.name, r.scores.logme);
 */
export async function rankCheckpoints(
  checkpoints: readonly CheckpointCandidate[],
  target: TensorDataset,
  opts: RankOptions = {},
): Promise<RankedCheckpoint[]> {
  const metric = opts.metric ?? 'logme';
  if (!transferabilityMetrics.includes(metric))
    throw new ValueError(
      'rankCheckpoints',
      `unknown metric '${String(metric)}', expected one of ${transferabilityMetrics.join(', ')}`,
    );
  if (checkpoints.length === 0) throw new ValueError('rankCheckpoints', 'give at least one checkpoint');
  const scored: Omit<RankedCheckpoint, 'rank'>[] = [];
  for (const c of checkpoints) {
    const { name, path } = typeof c === 'string' ? { name: c, path: c } : c;
    const loaded = loadPretrained(path);
    scored.push({ name, path: loaded.path, scores: transferabilityScores(loaded.model, target, opts) });
    opts.onProgress?.({ done: scored.length, total: checkpoints.length, name });
    // between candidates, let other work (a progress display, a signal handler) run
    await new Promise((resolve) => setImmediate(resolve));
  }
  scored.sort((a, b) => b.scores[metric] - a.scores[metric]);
  return scored.map((s, i) => ({ rank: i + 1, ...s }));
}
