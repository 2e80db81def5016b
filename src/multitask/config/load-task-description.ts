/**
 * Loading a task description (schema in task-description-schema.ts): the tasks as TaskSpecs and
 * the data as MultiTaskDatasets, one per input ("source"): 'shared' for the tasks that read the
 * top-level input, and one named after each task that has its own. An input is a file or a
 * `data:` source read through poolOf (its features). Targets are checked against their task's
 * kind (class indices in range or class names, 0/1 flags, a row per sample of the input) and
 * every problem names the file, the field, what was found and what is allowed.
 *
 * @example
 * const d = await loadTaskDescription('data/tasks.yaml');
 * d.tasks.map((t) => t.name);       // ['digit', 'attributes']
 * d.sources.shared.length;          // samples
 * d.mixing;                         // { strategy: 'proportional' } unless the file says otherwise
 */
import path from 'node:path';
import { checkDeclared } from '../../core/size-limits.js';
import { IGNORE_INDEX } from '../task-loss.js';
import { MultiTaskDataset, type TaskLabels } from '../dataset.js';
import type { Mixing } from '../mixing.js';
import { defineTask, metricsForKind, type TaskSpec } from '../task.js';
import { ConfigError, parseConfig, readConfigFile } from '../../config/index.js';
import { PolytaskError } from '../../core/errors.js';
import type { TextTokenizer } from '../../data/text/tokenizer.js';
import type { DataConfig } from '../../data/sources/schema.js';
import { ensurePrepared } from '../../data/prepared/index.js';
import { readArray, refPath, type ArrayData, type ReadContext } from './read-array.js';
import { readSourceInputs, type Input } from './source-inputs.js';
import {
  taskDescriptionSchema,
  type InputRef,
  type TaskDescriptionFile,
  type TaskEntry,
} from './task-description-schema.js';
import { nullRecord } from '../../core/safe-keys.js';

/** A loaded description. */
export interface TaskDescription {
  file: string;
  tasks: TaskSpec[];
  /** Data by source: 'shared' and/or one per task with its own input. */
  sources: Record<string, MultiTaskDataset>;
  mixing: Mixing;
  split: { testFraction: number; seed: number };
  /** Sources with their own test split: the row where it starts (descriptionData splits there, not at random). */
  heldOut?: Record<string, number>;
  /** The tokenizer of the text inputs (one vocabulary for all of them), when there are any. */
  tokenizer?: TextTokenizer;
  /** Every file read (resolved paths), for a fingerprint of the data. */
  files: string[];
  /** How the top-level input file is read (its CSV columns, its scale): what predict repeats on new files. */
  inputReading?: InputReading;
}

/** How an input file's samples are read. */
export interface InputReading {
  columns?: string[];
  scale?: number;
}

const SHARED = 'shared';

function scalarRows(data: ArrayData): boolean {
  return data.rowShape.length === 0 || (data.rowShape.length === 1 && data.rowShape[0] === 1);
}

/** A multiclass task's class indices: numbers, or names mapped through classNames (declared, or the sorted names found). */
function classTargets(
  name: string,
  entry: TaskEntry,
  data: ArrayData,
  file: string,
): { labels: TaskLabels; outputs: number; labelNames?: string[] } {
  const at = ['tasks', name, 'targets'];
  if (!scalarRows(data))
    throw new ConfigError(file, at, `[${data.rowShape.join(', ')}] per sample`, 'one class per sample');
  const text = data.text;
  const declared = entry.classNames;
  let names = declared;
  if (names === undefined && text !== undefined) {
    const numeric = data.values.findIndex((v) => !Number.isNaN(v));
    if (numeric >= 0)
      throw new ConfigError(
        file,
        at,
        `the number ${data.values[numeric]} at sample ${numeric} among class names`,
        'class names only, or indices only (or declare classNames)',
      );
    names = [...new Set(text.filter((t) => t !== undefined))].sort();
    checkDeclared(`${file}: tasks.${name}.targets (distinct class names)`, 'classes', names.length);
    if (names.length < 2)
      throw new ConfigError(file, at, `one class name (${JSON.stringify(names[0])})`, 'at least two classes');
  }
  const classes = entry.classes ?? names?.length;
  if (classes === undefined)
    throw new ConfigError(
      file,
      ['tasks', name, 'classes'],
      'nothing',
      'the number of classes (an integer >= 2), or classNames, for a multiclass task with numeric labels',
    );
  if (names !== undefined && names.length !== classes)
    throw new ConfigError(
      file,
      ['tasks', name, declared === undefined ? 'classes' : 'classNames'],
      declared === undefined ? `${classes}, but the labels hold ${names.length} class names` : `${names.length} names`,
      declared === undefined ? `${names.length}, or classNames listing every class` : `${classes} names, one per class`,
    );
  const index = new Map((names ?? []).map((n, i) => [n, i]));
  const labels = new Int32Array(data.values.length);
  for (let k = 0; k < labels.length; k++) {
    // a cell that is a declared name is that class, even when it reads as a number ("1", "2")
    const named = declared === undefined ? undefined : index.get(data.cells?.[k] ?? '');
    const cell = text?.[k];
    const v = data.values[k]!;
    if (named !== undefined) labels[k] = named;
    else if (cell !== undefined) {
      const c = index.get(cell) ?? -1;
      if (c < 0)
        throw new ConfigError(
          file,
          at,
          `${JSON.stringify(cell)} at sample ${k}`,
          `one of the classNames ${declared!.join(', ')} (empty, ?, NA or NaN for a missing label)`,
        );
      labels[k] = c;
    } else if (Number.isNaN(v)) labels[k] = IGNORE_INDEX;
    else if (Number.isInteger(v) && v >= 0 && v < classes) labels[k] = v;
    else
      throw new ConfigError(
        file,
        at,
        `${v} at sample ${k}`,
        `class indices 0..${classes - 1}${declared === undefined ? '' : ' or class names'} (empty, ?, NA or NaN for a missing label)`,
      );
  }
  return { labels: { data: labels }, outputs: classes, ...(names === undefined ? {} : { labelNames: names }) };
}

/** Reads a data-source input (already read, in the async loader). */
type SourceReader = (ref: DataConfig, at: readonly PropertyKey[], ctx: ReadContext) => Input;

/** An input: a file reference read by readArray, or a data source. */
function readInput(ref: InputRef, at: readonly PropertyKey[], ctx: ReadContext, readSource: SourceReader): Input {
  if ('source' in ref) return readSource(ref, at, ctx);
  const data = readArray(ref, at, ctx);
  return { data, ref: ref.file, files: [data.path] };
}

/** Every input of a description, with where it sits. */
function inputRefs(d: TaskDescriptionFile): [PropertyKey[], InputRef][] {
  const refs: [PropertyKey[], InputRef | undefined][] = [
    [['input'], d.input],
    ...Object.entries(d.tasks).map(([n, e]): [PropertyKey[], InputRef | undefined] => [['tasks', n, 'input'], e.input]),
  ];
  return refs.filter((r): r is [PropertyKey[], InputRef] => r[1] !== undefined);
}

/** The prepared data sets the description's file references read from. */
function preparedNames(d: TaskDescriptionFile): string[] {
  const refs = [
    ...inputRefs(d).map(([, r]) => r),
    ...Object.values(d.tasks).flatMap((e) => [e.targets, ...(e.mask === undefined ? [] : [e.mask])]),
  ];
  return [...new Set(refs.flatMap((r) => ('prepared' in r && r.prepared !== undefined ? [r.prepared] : [])))];
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
  const named = data.text?.findIndex((t) => t !== undefined) ?? -1;
  if (entry.kind !== 'multiclass' && named >= 0)
    bad(`${JSON.stringify(data.text![named])} at entry ${named}`, 'numbers (empty, ?, NA or NaN for a missing label)');
  if (entry.kind !== 'multiclass' && entry.classNames !== undefined)
    throw new ConfigError(file, ['tasks', name, 'classNames'], 'class names', `nothing for a ${entry.kind} task`);
  switch (entry.kind) {
    case 'multiclass':
      return classTargets(name, entry, data, file);
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
  const named = m.text?.findIndex((t) => t !== undefined) ?? -1;
  if (named >= 0) throw new ConfigError(ctx.file, at, `${JSON.stringify(m.text![named])} at entry ${named}`, '0 or 1');
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

const contexts = (file: string): { inputCtx: ReadContext; labelCtx: ReadContext } => {
  const dir = path.dirname(path.resolve(file));
  return { inputCtx: { file, dir, missing: false }, labelCtx: { file, dir, missing: true } };
};

/**
 * Builds tasks and datasets from parsed description data; `file` names it in errors and its
 * directory anchors relative paths. Data-source inputs are read first (poolOf is async).
 *
 * @example
 * await buildTaskDescription(parsed, '/data/tasks.yaml');
 */
export async function buildTaskDescription(d: TaskDescriptionFile, file: string): Promise<TaskDescription> {
  const { inputCtx } = contexts(file);
  for (const name of preparedNames(d)) {
    try {
      await ensurePrepared(name);
    } catch (e) {
      if (!(e instanceof PolytaskError)) throw e;
      throw new ConfigError(file, ['prepared'], JSON.stringify(name), `a data set that can be prepared (${e.message})`);
    }
  }
  const refs = inputRefs(d).filter((r): r is [PropertyKey[], DataConfig] => 'source' in r[1]);
  const { inputs, tokenizer } = await readSourceInputs(refs, inputCtx, splitOf(d));
  const built = assemble(d, file, (_ref, at) => inputs.get(at.join('.'))!);
  return tokenizer === undefined ? built : { ...built, tokenizer };
}

/**
 * buildTaskDescription for callers that cannot wait (a study's sub-run trainer in a worker
 * process): file inputs only; a data-source input is a ConfigError saying so.
 *
 * @example
 * buildTaskDescriptionSync(parsed, '/data/tasks.yaml').tasks.length;
 */
export function buildTaskDescriptionSync(d: TaskDescriptionFile, file: string): TaskDescription {
  return assemble(d, file, (ref, at, ctx) => {
    throw new ConfigError(
      ctx.file,
      [...at, 'source'],
      JSON.stringify(ref.source),
      'a file input here: study sub-runs in worker processes (--workers, --redis) read file inputs only',
    );
  });
}

function assemble(d: TaskDescriptionFile, file: string, readSource: SourceReader): TaskDescription {
  const { inputCtx, labelCtx } = contexts(file);
  const inputs = new Map<string, { data: ArrayData; ref: string }>();
  const files = new Set<string>();
  const shared = d.input === undefined ? null : readInput(d.input, ['input'], inputCtx, readSource);
  shared?.files.forEach((f) => files.add(f));
  const bySource = new Map<string, Record<string, TaskLabels>>();
  const heldOut = nullRecord<number>();
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
      input = readInput(entry.input, ['tasks', name, 'input'], inputCtx, readSource);
      input.files.forEach((f) => files.add(f));
    } else if (input === null) {
      throw new ConfigError(
        file,
        ['tasks', name, 'input'],
        'nothing, and there is no top-level input',
        "a file reference for the task's input (or a top-level input)",
      );
    }
    inputs.set(source, input);
    if (input.testStart !== undefined) heldOut[source] = input.testStart;
    const target = readTargets(name, entry, input, labelCtx);
    files.add(target.path);
    checkRows(labelCtx, ['tasks', name, 'targets'], target, input.data.rows, input.ref);
    const { labels, outputs, labelNames } = targetsOf(name, entry, target, file);
    const mask = maskOf(name, entry, labels, input.data.rows, labelCtx);
    if (entry.mask !== undefined) files.add(refPath(entry.mask, ['tasks', name, 'mask'], labelCtx));
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
  const sources = nullRecord<MultiTaskDataset>();
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
    split: splitOf(d),
    ...(Object.keys(heldOut).length === 0 ? {} : { heldOut }),
    files: [...files],
    ...(d.input === undefined || 'source' in d.input
      ? {}
      : {
          inputReading: {
            ...(shared?.data.columns === undefined ? {} : { columns: shared.data.columns }),
            ...(d.input.scale === undefined ? {} : { scale: d.input.scale }),
          },
        }),
  };
}

const splitOf = (d: TaskDescriptionFile): { testFraction: number; seed: number } => ({
  testFraction: d.split?.testFraction ?? 0.2,
  seed: d.split?.seed ?? 0,
});

/**
 * A task's targets: a file (readArray), or a column of its input's own text tables (main, then
 * test), read the same way and joined.
 */
function readTargets(name: string, entry: TaskEntry, input: Input, ctx: ReadContext): ArrayData {
  const at = ['tasks', name, 'targets'];
  const t = entry.targets;
  if ('file' in t) return readArray(t, at, ctx);
  if (input.tables === undefined)
    throw new ConfigError(
      ctx.file,
      [...at, 'column'],
      `${JSON.stringify(t.column)} without a file, but the input (${input.ref}) is not a table of texts`,
      'targets: { file, column } here, or an input that is a text table (source: text, or a prepared text view)',
    );
  const parts = input.tables.map((f) => readArray({ file: f, column: t.column }, at, ctx));
  if (parts.length === 1) return parts[0]!;
  const text = parts.some((p) => p.text !== undefined)
    ? parts.flatMap((p) => p.text ?? Array<undefined>(p.rows).fill(undefined))
    : undefined;
  const cells = parts.every((p) => p.cells !== undefined) ? parts.flatMap((p) => p.cells!) : undefined;
  const values = new Float32Array(parts.reduce((n, p) => n + p.values.length, 0));
  let offset = 0;
  for (const p of parts) {
    values.set(p.values, offset);
    offset += p.values.length;
  }
  return {
    values,
    rows: parts.reduce((n, p) => n + p.rows, 0),
    rowShape: parts[0]!.rowShape,
    ...(parts[0]!.columns === undefined ? {} : { columns: parts[0]!.columns }),
    ...(text === undefined ? {} : { text }),
    ...(cells === undefined ? {} : { cells }),
    path: parts[0]!.path,
  };
}

/**
 * A parsed `mixing:` mapping as a Mixing, its combinations checked (a temperature only with, and
 * always with, strategy temperature; no cap with equal); errors name `file` and the key at `at`.
 *
 * @example
 * mixingOf({ strategy: 'temperature', temperature: 2 }, 'tasks.yaml'); // { strategy: 'temperature', temperature: 2 }
 */
export function mixingOf(
  m: NonNullable<TaskDescriptionFile['mixing']>,
  file: string,
  at: readonly PropertyKey[] = ['mixing'],
): Mixing {
  const cap = m.cap === undefined ? {} : { cap: m.cap };
  if (m.strategy === 'temperature') {
    if (m.temperature === undefined)
      throw new ConfigError(
        file,
        [...at, 'temperature'],
        'nothing',
        'a positive number, required with strategy temperature',
      );
    return { strategy: 'temperature', temperature: m.temperature, ...cap };
  }
  if (m.temperature !== undefined)
    throw new ConfigError(
      file,
      [...at, 'temperature'],
      String(m.temperature),
      `nothing with strategy ${m.strategy} (only temperature mixing has a temperature)`,
    );
  if (m.strategy === 'equal') {
    if (m.cap !== undefined)
      throw new ConfigError(
        file,
        [...at, 'cap'],
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
 * const { tasks, sources } = await loadTaskDescription('tasks.yaml');
 */
export async function loadTaskDescription(file: string): Promise<TaskDescription> {
  return buildTaskDescription(parseConfig(taskDescriptionSchema, readConfigFile(file), file), file);
}

/**
 * loadTaskDescription without waiting: file inputs only (see buildTaskDescriptionSync).
 *
 * @example
 * loadTaskDescriptionSync('tasks.yaml').tasks.map((t) => t.name);
 */
export function loadTaskDescriptionSync(file: string): TaskDescription {
  return buildTaskDescriptionSync(parseConfig(taskDescriptionSchema, readConfigFile(file), file), file);
}
