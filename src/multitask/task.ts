/**
 * Task specifications, LibMTL-style: a task is a name, a kind, the size of its head's output, a loss,
 * metrics and each metric's direction. The kind fixes the defaults:
 *
 * | kind        | head outputs    | targets                                   | loss                    | metrics          |
 * |-------------|-----------------|-------------------------------------------|-------------------------|------------------|
 * | multiclass  | classes         | class indices [N] (int32, or float + NaN) | softmax cross-entropy   | accuracy         |
 * | binary      | 1               | 0/1 [N] (NaN missing)                     | sigmoid cross-entropy   | binaryAccuracy   |
 * | multilabel  | labels          | 0/1 [N, labels] (NaN missing per label)   | sigmoid cross-entropy   | averagePrecision |
 * | regression  | outputs         | [N] or [N, outputs] (NaN missing)         | mean squared error      | mae              |
 *
 * Every loss averages over the labels present only (see task-loss.ts), so a task is never charged for
 * labels it does not have.
 *
 * @example
 * const left = defineTask({ name: 'left', kind: 'multiclass', classes: 10 });
 * const objects = defineTask({ name: 'objects', kind: 'multilabel', labels: 4, metrics: ['averagePrecision', 'binaryF1'] });
 * left.directions; // { accuracy: true }
 */
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../tensor/index.js';
import {
  accuracy,
  averagePrecision,
  binaryAccuracy,
  binaryF1,
  macroF1,
  mae,
  mse,
  r2,
  rmse,
  topK,
  type Metric,
} from '../train/index.js';
import { defaultTaskLoss } from './task-loss.js';
import { recordFrom } from '../core/safe-keys.js';

export type TaskKind = 'multiclass' | 'binary' | 'multilabel' | 'regression';

/** Every task kind. */
export const taskKinds: readonly TaskKind[] = ['multiclass', 'binary', 'multilabel', 'regression'];

/** A task's loss: prediction, target and optional mask (1 present, 0 missing) → a scalar. */
export type TaskLoss = (pred: Tensor, target: Tensor, mask?: Tensor) => Tensor;

/** The metrics a task description can name, by the name their results carry. */
export const metricFactories = {
  accuracy: () => accuracy(),
  top5: () => topK(5),
  macroF1: () => macroF1(),
  binaryAccuracy: () => binaryAccuracy(),
  binaryF1: () => binaryF1(),
  averagePrecision: () => averagePrecision(),
  mse: () => mse(),
  mae: () => mae(),
  rmse: () => rmse(),
  r2: () => r2(),
} as const satisfies Record<string, () => Metric>;

export type MetricName = keyof typeof metricFactories;

/** Every metric name a task can list. */
export const metricNames = Object.keys(metricFactories) as MetricName[];

/** Which metrics make sense for which kind (a metric of the wrong kind would misread the output). */
export const metricsForKind: Readonly<Record<TaskKind, readonly MetricName[]>> = {
  multiclass: ['accuracy', 'top5', 'macroF1'],
  binary: ['binaryAccuracy', 'binaryF1', 'averagePrecision'],
  multilabel: ['averagePrecision', 'binaryAccuracy', 'binaryF1'],
  regression: ['mae', 'rmse', 'mse', 'r2'],
};

const defaultMetric: Readonly<Record<TaskKind, MetricName>> = {
  multiclass: 'accuracy',
  binary: 'binaryAccuracy',
  multilabel: 'averagePrecision',
  regression: 'mae',
};

/** A task as the multi-task code uses it. */
export interface TaskSpec {
  readonly name: string;
  readonly kind: TaskKind;
  /** Width of the head's output: classes, 1, labels or regression outputs. */
  readonly outputs: number;
  readonly loss: TaskLoss;
  /** Metric names in order; the first is the task's primary metric. */
  readonly metricNames: readonly string[];
  /** Fresh metric objects (metrics keep running sums, so every evaluation makes its own). */
  readonly metrics: () => Metric[];
  /** Metric name → whether higher is better. */
  readonly directions: Readonly<Record<string, boolean>>;
  /** Names of the labels of a multi-label task (or of the classes of a multi-class one), when known. */
  readonly labelNames?: readonly string[];
}

export interface TaskOptions {
  name: string;
  kind: TaskKind;
  /** multiclass: number of classes (≥ 2). */
  classes?: number;
  /** multilabel: number of labels (≥ 1). */
  labels?: number;
  /** regression: number of outputs. Default 1. */
  outputs?: number;
  /** Metric names (see metricsForKind), or metric factories. Default: one per kind (table above). */
  metrics?: readonly (MetricName | (() => Metric))[];
  /** A custom loss in place of the kind's. */
  loss?: TaskLoss;
  labelNames?: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Whether `name` can name a task: a head's module name and a JSON key, so letters, digits, _ and -.
 *
 * @example
 * isTaskName('left'); // true
 * isTaskName('a.b');  // false
 */
export function isTaskName(name: string): boolean {
  return NAME.test(name);
}

function positiveInt(where: string, what: string, v: number | undefined, min: number): number {
  if (v === undefined || !Number.isInteger(v) || v < min)
    throw new ValueError(where, `${what} must be an integer >= ${min}, got ${v}`);
  return v;
}

function outputsOf(o: TaskOptions, where: string): number {
  switch (o.kind) {
    case 'multiclass':
      return positiveInt(where, 'classes', o.classes, 2);
    case 'binary':
      return 1;
    case 'multilabel':
      return positiveInt(where, 'labels', o.labels, 1);
    case 'regression':
      return positiveInt(where, 'outputs', o.outputs ?? 1, 1);
  }
}

/**
 * A task from its kind and size, with the kind's loss and metrics unless others are given.
 *
 * @example
 * defineTask({ name: 'age', kind: 'regression', metrics: ['mae', 'r2'] });
 */
export function defineTask(o: TaskOptions): TaskSpec {
  const where = `task '${o.name}'`;
  if (typeof o.name !== 'string' || !isTaskName(o.name)) {
    throw new ValueError(
      'defineTask',
      `task name must start with a letter or _ and hold only letters, digits, _ and -, got ${JSON.stringify(o.name)}`,
    );
  }
  if (!taskKinds.includes(o.kind))
    throw new ValueError(where, `kind must be one of ${taskKinds.join(', ')}, got '${String(o.kind)}'`);
  const outputs = outputsOf(o, where);
  const factories = (o.metrics ?? [defaultMetric[o.kind]]).map((m) => {
    if (typeof m === 'function') return m;
    if (!Object.hasOwn(metricFactories, m))
      throw new ValueError(where, `unknown metric '${m}', expected one of ${metricNames.join(', ')}`);
    if (!metricsForKind[o.kind].includes(m))
      throw new ValueError(
        where,
        `metric '${m}' does not fit a ${o.kind} task; use one of ${metricsForKind[o.kind].join(', ')}`,
      );
    return metricFactories[m];
  });
  if (factories.length === 0) throw new ValueError(where, 'needs at least one metric');
  const samples = factories.map((f) => f());
  const names = samples.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new ValueError(where, `metric '${dup}' is listed twice`);
  if (
    o.labelNames !== undefined &&
    (o.kind === 'multiclass' || o.kind === 'multilabel') &&
    o.labelNames.length !== outputs
  ) {
    throw new ValueError(
      where,
      `labelNames has ${o.labelNames.length} names for ${outputs} ${o.kind === 'multiclass' ? 'classes' : 'labels'}`,
    );
  }
  return Object.freeze({
    name: o.name,
    kind: o.kind,
    outputs,
    loss: o.loss ?? defaultTaskLoss(o.kind),
    metricNames: Object.freeze(names),
    metrics: () => factories.map((f) => f()),
    directions: Object.freeze(recordFrom(samples.map((m) => [m.name, m.higherIsBetter]))),
    ...(o.labelNames === undefined ? {} : { labelNames: Object.freeze([...o.labelNames]) }),
  });
}

/** What the study's JSON says about a task. */
export interface TaskSummary {
  name: string;
  kind: TaskKind;
  outputs: number;
  metrics: string[];
  directions: Record<string, boolean>;
}

/**
 * The JSON-friendly description of a task (no functions).
 *
 * @example
 * summarizeTask(defineTask({ name: 'left', kind: 'multiclass', classes: 10 }));
 * // { name: 'left', kind: 'multiclass', outputs: 10, metrics: ['accuracy'], directions: { accuracy: true } }
 */
export function summarizeTask(t: TaskSpec): TaskSummary {
  return {
    name: t.name,
    kind: t.kind,
    outputs: t.outputs,
    metrics: [...t.metricNames],
    directions: { ...t.directions },
  };
}

/**
 * Checks that task names are distinct and returns them in order.
 *
 * @example
 * taskNamesOf([left, right]); // ['left', 'right']
 */
export function taskNamesOf(tasks: readonly TaskSpec[]): string[] {
  const names = tasks.map((t) => t.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new ValueError('tasks', `task '${dup}' is listed twice`);
  if (names.length === 0) throw new ValueError('tasks', 'need at least one task');
  return names;
}
