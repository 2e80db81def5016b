/**
 * `metrics.jsonl`: one JSON record a line, appended as training goes (steps, epochs, evaluations,
 * task-loss weights). Appending is the one write in a run directory that is not a rename: each
 * record goes out in a single `write` on a file opened for appending, so records never interleave,
 * and a crash can cut only the last line, which the reader skips. Rewriting the whole file
 * atomically at every step would cost time quadratic in the run's length. Like every write under a
 * run directory, an append is refused when metrics.jsonl (or a folder above it) links out of the run.
 *
 * @example
 * const log = new MetricsLog('runs/a/metrics.jsonl');
 * log.append({ type: 'step', section: 'train', step: 10, epoch: 0, loss: 0.4, losses: { digit: 0.4 } });
 * readMetrics('runs/a/metrics.jsonl').length; // 1
 */
import * as fs from 'node:fs';
import { guardedAppendSync } from '../io/run-guard.js';

/** One line of metrics.jsonl. */
export interface MetricRecord {
  /** 'step': a training step; 'epoch': the end of an epoch (with its evaluation, if any). */
  type: 'step' | 'epoch';
  /** Which training inside the run the record belongs to: 'train', 'mtl/famo', 'finetune'. */
  section: string;
  /** Steps completed. */
  step: number;
  /** Epoch index (0-based). */
  epoch: number;
  /** Total loss (of the step, or the epoch's mean). */
  loss?: number;
  /** Each task's loss. */
  losses?: Record<string, number>;
  /** Each task's loss weight, for multi-task methods that weight losses. */
  weights?: Record<string, number>;
  /** Metric values by task, then by metric name, where the epoch was evaluated. */
  eval?: Record<string, Record<string, number>>;
  /** Seconds since the section started. */
  seconds?: number;
}

/** The file name of a run's metrics. */
export const METRICS_FILE = 'metrics.jsonl';

/**
 * An append-only metrics file. Opening does not create the file; the first record does.
 *
 * @example
 * new MetricsLog(join(run.dir, METRICS_FILE)).append({ type: 'epoch', section: 'train', step: 100, epoch: 0, loss: 0.2 });
 */
export class MetricsLog {
  constructor(readonly path: string) {}

  /** Appends one record as one line (a single write). */
  append(record: MetricRecord): void {
    guardedAppendSync(this.path, `${JSON.stringify(record, finiteOrNull)}\n`);
  }
}

/** NaN and infinities become null: JSON has no spelling for them, and a report draws a gap. */
function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/**
 * Every complete record of a metrics file, in order; an absent file has none, and a line cut off
 * by a crash (the last one, not valid JSON) is skipped.
 *
 * @example
 * const steps = readMetrics('runs/a/metrics.jsonl').filter((r) => r.type === 'step');
 */
export function readMetrics(path: string): MetricRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: MetricRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as MetricRecord);
    } catch {
      // only a torn final line can fail to parse: appends are whole lines
    }
  }
  return out;
}
