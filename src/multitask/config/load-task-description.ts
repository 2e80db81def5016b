/**
 * Loading a task description (schema in task-description-schema.ts): the tasks as TaskSpecs and
 * the data as MultiTaskDatasets, one per input ("source"): 'shared' for the tasks that read the
 * top-level input, and one named after each task that has its own. Targets are checked against
 * their task's kind (class indices in range, 0/1 flags, a row per sample of the input) and every
 * problem names the file, the field, what was found and what is allowed.
 *
 * @example
 * const d = loadTaskDescription('data/tasks.yaml');
 * d.tasks.map((t) => t.name);       // ['digit', 'attributes']
 * d.sources.shared.length;          // samples
 * d.mixing;                         // { strategy: 'proportional' } unless the file says otherwise
 */
import path from 'node:path';
import { IGNORE_INDEX } from '../task-loss.js';
import { MultiTaskDataset, type TaskLabels } from '../dataset.js';
import type { Mixing } from '../mixing.js';
import { defineTask, metricsForKind, type TaskSpec } from '../task.js';
import { ConfigError, parseConfig, readConfigFile } from '../../config/index.js';
import { readArray, type ArrayData, type ReadContext } from './read-array.js';
import { taskDescriptionSchema, type TaskDescriptionFile, type TaskEntry } from './task-description-schema.js';

/** A loaded description. */
export interface TaskDescription {
  file: string;
  tasks: TaskSpec[];
  /** Data by source: 'shared' and/or one per task with its own input. */
  sources: Record<string, MultiTaskDataset>;
  mixing: Mixing;
  split: { testFraction: number; seed: number };
}

const SHARED = 'shared';

function scalarRows(data: ArrayData): boolean {
  return data.rowShape.length === 0 || (data.rowShape.length === 1 && data.rowShape[0] === 1);
}

/** Targets of one task, checked against its kind. */
function targetsOf(
  name: string,
  entry: TaskEntry,
  data: ArrayData,
  file: string,
): { labels: TaskLabels; outputs: number; labelNames?: string[] } {
  const at = ['tasks', name, 'targets'];
  const bad = (found: string, allowed: string): never => {
    throw new ConfigError(file, at, found, allowed);
  };
  const firstWhere = (ok: (v: number) => boolean): number => data.values.findIndex((v) => !Number.isNaN(v) && !ok(v));
  const shape = `[${data.rowShape.join(', ')}] per sample`;
  switch (entry.kind) {
    case 'multiclass': {
      if (entry.classes === undefined)
        throw new ConfigError(
          file,
          ['tasks', name, 'classes'],
          'nothing',
          'the number of classes (an integer >= 2), required for a multiclass task',
        );
      if (!scalarRows(data)) bad(shape, 'one class index per sample');
      const k = firstWhere((v) => Number.isInteger(v) && v >= 0 && v < entry.classes!);
      if (k >= 0)
        bad(
          `${data.values[k]} at sample ${k}`,
          `class indices 0..${entry.classes - 1} (empty or NaN for a missing label)`,
        );
      return {
        labels: { data: Int32Array.from(data.values, (v) => (Number.isNaN(v) ? IGNORE_INDEX : v)) },
        outputs: entry.classes,
      };
    }
    case 'binary': {
      if (!scalarRows(data)) bad(shape, 'one 0/1 label per sample');
      const k = firstWhere((v) => v === 0 || v === 1);
      if (k >= 0) bad(`${data.values[k]} at sample ${k}`, '0 or 1 (empty or NaN for a missing label)');
      return { labels: { data: data.values }, outputs: 1 };
    }
    case 'multilabel': {
      if (data.rowShape.length !== 1) bad(shape, 'a row of 0/1 labels per sample ([labels])');
      const k = firstWhere((v) => v === 0 || v === 1);
      if (k >= 0) bad(`${data.values[k]} at entry ${k}`, '0 or 1 (empty or NaN for a missing label)');
      return {
        labels: { data: data.values, shape: data.rowShape },
        outputs: data.rowShape[0]!,
        ...(data.columns === undefined ? {} : { labelNames: data.columns }),
      };
    }
    case 'regression': {
      if (data.rowShape.length > 1) bad(shape, 'one value or one row of values per sample');
      const k = firstWhere(Number.isFinite);
      if (k >= 0) bad(`${data.values[k]} at entry ${k}`, 'finite numbers (empty or NaN for a missing value)');
      const outputs = data.rowShape[0] ?? 1;
      return {
        labels: data.rowShape.length === 0 ? { data: data.values } : { data: data.values, shape: data.rowShape },
        outputs,
      };
    }
  }
}

function maskOf(
  name: string,
  entry: TaskEntry,
  labels: TaskLabels,
  rows: number,
  ctx: ReadContext,
): Float32Array | undefined {
  if (entry.mask === undefined) return undefined;
  const at = ['tasks', name, 'mask'];
  const m = readArray(entry.mask, at, ctx);
  const perLabel = labels.data.length;
  if (m.values.length !== rows && m.values.length !== perLabel) {
    throw new ConfigError(
      ctx.file,
      at,
      `${m.values.length} values in ${entry.mask.file}`,
      `${rows} (one per sample) or ${perLabel} (one per label entry)`,
    );
  }
  const k = m.values.findIndex((v) => v !== 0 && v !== 1);
  if (k >= 0) throw new ConfigError(ctx.file, at, `${m.values[k]} at entry ${k}`, '0 (missing) or 1 (present)');
  return m.values;
}

function checkRows(
  ctx: ReadContext,
  at: readonly PropertyKey[],
  data: ArrayData,
  rows: number,
  inputFile: string,
): void {
  if (data.rows !== rows)
    throw new ConfigError(
      ctx.file,
      at,
      `${data.rows} rows in ${path.basename(data.path)}`,
      `${rows}, one per sample of the input ${inputFile}`,
    );
}

/**
 * Builds tasks and datasets from parsed description data; `file` names it in errors and its
 * directory anchors relative paths.
 *
 * @example
 * buildTaskDescription(parsed, '/data/tasks.yaml');
 */
export function buildTaskDescription(d: TaskDescriptionFile, file: string): TaskDescription {
  const dir = path.dirname(path.resolve(file));
  const inputCtx: ReadContext = { file, dir, missing: false };
  const labelCtx: ReadContext = { file, dir, missing: true };
  const inputs = new Map<string, { data: ArrayData; ref: string }>();
  const shared = d.input === undefined ? null : { data: readArray(d.input, ['input'], inputCtx), ref: d.input.file };
  const bySource = new Map<string, Record<string, TaskLabels>>();
  const tasks: TaskSpec[] = [];
  for (const [name, entry] of Object.entries(d.tasks)) {
    let source = SHARED;
    let input = shared;
    if (entry.input !== undefined) {
      if (name === SHARED && shared !== null) {
        throw new ConfigError(
          file,
          ['tasks', name, 'input'],
          `a task named "${SHARED}" with its own input`,
          `no input here, or another task name ("${SHARED}" names the data of the top-level input)`,
        );
      }
      source = name;
      input = { data: readArray(entry.input, ['tasks', name, 'input'], inputCtx), ref: entry.input.file };
    } else if (input === null) {
      throw new ConfigError(
        file,
        ['tasks', name, 'input'],
        'nothing, and there is no top-level input',
        "a file reference for the task's input (or a top-level input)",
      );
    }
    inputs.set(source, input);
    const target = readArray(entry.targets, ['tasks', name, 'targets'], labelCtx);
    checkRows(labelCtx, ['tasks', name, 'targets'], target, input.data.rows, input.ref);
    const { labels, outputs, labelNames } = targetsOf(name, entry, target, file);
    const mask = maskOf(name, entry, labels, input.data.rows, labelCtx);
    const metrics = entry.metrics;
    if (metrics !== undefined) {
      metrics.forEach((m, i) => {
        if (!metricsForKind[entry.kind].includes(m))
          throw new ConfigError(
            file,
            ['tasks', name, 'metrics', i],
            JSON.stringify(m),
            `a metric for a ${entry.kind} task: ${metricsForKind[entry.kind].join(', ')}`,
          );
      });
    }
    tasks.push(
      defineTask({
        name,
        kind: entry.kind,
        classes: outputs,
        labels: outputs,
        outputs,
        ...(metrics === undefined ? {} : { metrics }),
        ...(labelNames === undefined ? {} : { labelNames }),
      }),
    );
    const group = bySource.get(source) ?? {};
    group[name] = mask === undefined ? labels : { ...labels, mask };
    bySource.set(source, group);
  }
  const sources: Record<string, MultiTaskDataset> = {};
  for (const [source, labels] of bySource) {
    const { data } = inputs.get(source)!;
    sources[source] = new MultiTaskDataset(data.values, data.rowShape.length === 0 ? [1] : data.rowShape, labels);
  }
  const mixing: Mixing = d.mixing === undefined ? { strategy: 'proportional' } : mixingOf(d.mixing, file);
  return {
    file,
    tasks,
    sources,
    mixing,
    split: { testFraction: d.split?.testFraction ?? 0.2, seed: d.split?.seed ?? 0 },
  };
}

function mixingOf(m: NonNullable<TaskDescriptionFile['mixing']>, file: string): Mixing {
  const cap = m.cap === undefined ? {} : { cap: m.cap };
  if (m.strategy === 'temperature') {
    if (m.temperature === undefined)
      throw new ConfigError(
        file,
        ['mixing', 'temperature'],
        'nothing',
        'a positive number, required with strategy temperature',
      );
    return { strategy: 'temperature', temperature: m.temperature, ...cap };
  }
  if (m.temperature !== undefined)
    throw new ConfigError(
      file,
      ['mixing', 'temperature'],
      String(m.temperature),
      `nothing with strategy ${m.strategy} (only temperature mixing has a temperature)`,
    );
  if (m.strategy === 'equal') {
    if (m.cap !== undefined)
      throw new ConfigError(
        file,
        ['mixing', 'cap'],
        String(m.cap),
        'nothing with strategy equal (a cap limits proportional rates)',
      );
    return { strategy: 'equal' };
  }
  return { strategy: 'proportional', ...cap };
}

/**
 * Reads, validates and loads a task description file (YAML or JSON).
 *
 * @example
 * const { tasks, sources } = loadTaskDescription('tasks.yaml');
 */
export function loadTaskDescription(file: string): TaskDescription {
  return buildTaskDescription(parseConfig(taskDescriptionSchema, readConfigFile(file), file), file);
}
