/**
 * What a multi-task run reports per task: the standard metrics of its kind (classification:
 * accuracy and macro-F1; binary and multi-label: accuracy and F1 over the labels; regression: MAE
 * and RMSE) plus any the task description lists, over the labels present only, and how many test
 * samples had a label at all, so a task without any test label reads as such instead of as a
 * number.
 *
 * @example
 * const report = reportTasks(model, tasks, data.test);
 * report.digit;   // { labelled: 80, metrics: { accuracy: 0.93, macroF1: 0.92 } }
 * report.parity;  // { labelled: 0, metrics: {} }   (every test label missing)
 */
import type { MultiTaskNetwork } from '../models/network.js';
import type { MultiTaskBatch, MultiTaskDataset } from './dataset.js';
import { evaluateTasks } from './evaluate.js';
import { MultiTaskLoader } from './loader.js';
import { defineTask, type MetricName, type TaskKind, type TaskSpec } from './task.js';
import { nullRecord } from '../core/safe-keys.js';

/** The metrics every task of a kind is reported with. */
export const REPORT_METRICS: Readonly<Record<TaskKind, readonly MetricName[]>> = {
  multiclass: ['accuracy', 'macroF1'],
  binary: ['binaryAccuracy', 'binaryF1'],
  multilabel: ['binaryAccuracy', 'binaryF1', 'averagePrecision'],
  regression: ['mae', 'rmse'],
};

/** One task's report. */
export interface TaskReport {
  /** Test samples with at least one label of the task. */
  labelled: number;
  /** Metric → value over the present labels; empty when `labelled` is 0. */
  metrics: Record<string, number>;
}

/**
 * The task with the report metrics of its kind, then the ones it lists itself.
 *
 * @example
 * withReportMetrics(defineTask({ name: 'age', kind: 'regression', metrics: ['r2'] })).metricNames; // ['mae', 'rmse', 'r2']
 */
export function withReportMetrics(t: TaskSpec): TaskSpec {
  const own = t.metricNames.filter((m): m is MetricName => !REPORT_METRICS[t.kind].includes(m as MetricName));
  return defineTask({
    name: t.name,
    kind: t.kind,
    classes: t.outputs,
    labels: t.outputs,
    outputs: t.outputs,
    metrics: [...REPORT_METRICS[t.kind], ...own],
    loss: t.loss,
    ...(t.labelNames === undefined ? {} : { labelNames: t.labelNames }),
  });
}

/**
 * Each task's report on the test sources `test` (one dataset per input, as a description loads).
 *
 * @example
 * reportTasks(model, tasks, { shared: testSet }).digit.metrics.accuracy;
 */
export function reportTasks(
  model: MultiTaskNetwork,
  tasks: readonly TaskSpec[],
  test: Readonly<Record<string, MultiTaskDataset>>,
): Record<string, TaskReport> {
  const reported = tasks.map(withReportMetrics);
  function* batches(): Generator<MultiTaskBatch> {
    for (const ds of Object.values(test)) yield* new MultiTaskLoader(ds, { batchSize: 256, seed: 0 });
  }
  const scores = evaluateTasks(model, reported, batches());
  const out = nullRecord<TaskReport>();
  for (const t of tasks) {
    const labelled = Object.values(test).reduce(
      (n, ds) => n + (ds.tasks.includes(t.name) ? ds.labelledCount(t.name) : 0),
      0,
    );
    out[t.name] = { labelled, metrics: labelled === 0 ? {} : scores[t.name]! };
  }
  return out;
}
