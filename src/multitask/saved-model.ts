/**
 * A multi-task model as a run keeps it: the trunk (the study's CNN or MLP at a width, for inputs
 * of one shape) and one head per task, described in plain JSON stored with every checkpoint, so
 * `eval` and `predict` rebuild the model, its tasks and their class names from the run alone.
 * What a checkpoint's metadata says is checked (kinds, sizes, the parameter budget) before any
 * tensor is allocated, and the weights load strictly.
 *
 * @example
 * const description = describeMultiTaskModel(tasks, [1, 28, 28], 10, 'auto');
 * const model = buildMultiTaskModel(description);       // trunk.* and heads.<task>.*
 * const again = loadMultiTaskCheckpoint('runs/r/checkpoints'); // the newest checkpoint there
 * again.tasks[0].labelNames;                             // ['even', 'odd']
 */
import * as z from 'zod';
import { ValueError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { sizeLimits } from '../core/size-limits.js';
import { parseConfig } from '../config/index.js';
import { MultiTaskModel } from '../models/hard-sharing.js';
import { checkpointDirOf, loadCheckpoint, loadWeightsStrict, type JsonValue } from '../train/index.js';
import { taskHeads } from './heads.js';
import { resolveTrunkKind, studyTrunk, type TrunkKind } from './study/trunk.js';
import { defineTask, metricNames, taskKinds, type MetricName, type TaskKind, type TaskSpec } from './task.js';

/** The format tag of the description (a checkpoint of another kind of model has none). */
export const MULTITASK_FORMAT = 'polytask-multitask/1';

const savedTaskSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/),
  kind: z.enum(taskKinds as readonly TaskKind[] as [TaskKind, ...TaskKind[]]),
  outputs: z.int().min(1).max(sizeLimits().classes),
  metrics: z.array(z.enum(metricNames as [MetricName, ...MetricName[]])).min(1),
  labelNames: z.array(z.string()).optional(),
});

/** What a checkpoint of a multi-task run says about its model. */
export const multiTaskDescriptionSchema = z.strictObject({
  format: z.literal(MULTITASK_FORMAT),
  trunk: z.strictObject({
    kind: z.enum(['cnn', 'mlp']),
    inputShape: z.array(z.int().min(1)).min(1).max(3),
    width: z.int().min(1).max(4096),
  }),
  tasks: z.array(savedTaskSchema).min(1).max(sizeLimits().tasks),
  /** How a file of new samples is read (the task description's input file: CSV columns, scale). */
  input: z
    .strictObject({
      columns: z.array(z.string()).min(1).optional(),
      scale: z.number().refine(Number.isFinite, 'a finite number').optional(),
    })
    .optional(),
});

export type SavedTask = z.output<typeof savedTaskSchema>;
export type MultiTaskDescription = z.output<typeof multiTaskDescriptionSchema>;

/**
 * The description of a model for `tasks` on inputs of `inputShape`, with the trunk `kind` resolved.
 *
 * @example
 * describeMultiTaskModel(tasks, [64], 10, 'auto').trunk; // { kind: 'mlp', inputShape: [64], width: 10 }
 */
export function describeMultiTaskModel(
  tasks: readonly TaskSpec[],
  inputShape: readonly number[],
  width: number,
  kind: TrunkKind,
  input?: MultiTaskDescription['input'],
): MultiTaskDescription {
  return {
    format: MULTITASK_FORMAT,
    trunk: { kind: resolveTrunkKind(kind, inputShape), inputShape: [...inputShape], width },
    tasks: tasks.map((t) => ({
      name: t.name,
      kind: t.kind,
      outputs: t.outputs,
      metrics: t.metricNames.filter((m): m is MetricName => (metricNames as string[]).includes(m)),
      ...(t.labelNames === undefined ? {} : { labelNames: [...t.labelNames] }),
    })),
    ...(input === undefined ? {} : { input }),
  };
}

/**
 * The tasks a description names, as TaskSpecs (their kinds' losses and the metrics they list).
 *
 * @example
 * savedTasks(description).map((t) => t.name); // ['digit', 'parity']
 */
export function savedTasks(d: MultiTaskDescription): TaskSpec[] {
  return d.tasks.map((t) =>
    defineTask({
      name: t.name,
      kind: t.kind,
      classes: t.outputs,
      labels: t.outputs,
      outputs: t.outputs,
      metrics: t.metrics,
      ...(t.labelNames === undefined ? {} : { labelNames: t.labelNames }),
    }),
  );
}

/** The number of parameters the description builds, computed without building it. */
function parameterCount(d: MultiTaskDescription): number {
  const w = d.trunk.width;
  const features = 5 * w;
  const shape = d.trunk.inputShape;
  let trunk: number;
  if (d.trunk.kind === 'cnn') {
    const [c, h, wd] = shape as [number, number, number];
    const side = (n: number): number => Math.floor((Math.floor((n - 4) / 2) - 4) / 2);
    trunk = c * w * 25 + w + w * 2 * w * 25 + 2 * w + 2 * w * side(h) * side(wd) * features + features;
  } else trunk = sizeOf(shape) * 8 * w + 8 * w + 8 * w * features + features;
  return d.tasks.reduce((n, t) => n + (features + 1) * t.outputs, trunk);
}

/**
 * The model a description builds, freshly initialised from the current random state.
 *
 * @example
 * buildMultiTaskModel(description).taskNames; // ['digit', 'parity']
 */
export function buildMultiTaskModel(d: MultiTaskDescription): MultiTaskModel {
  const count = parameterCount(d);
  if (count > sizeLimits().parameters)
    throw new ValueError(
      'multi-task model',
      `${count} parameters is more than the limit of ${sizeLimits().parameters} (POLYTASK_MAX_PARAMETERS)`,
    );
  const trunk = studyTrunk(d.trunk.inputShape, d.trunk.width, d.trunk.kind);
  return new MultiTaskModel(trunk.module, taskHeads(trunk.features, savedTasks(d)));
}

/** A multi-task model loaded from a checkpoint. */
export interface LoadedMultiTaskModel {
  model: MultiTaskModel;
  description: MultiTaskDescription;
  tasks: TaskSpec[];
  /** The checkpoint directory read. */
  path: string;
}

/**
 * Whether checkpoint metadata describes a multi-task model.
 *
 * @example
 * isMultiTaskMetadata({ format: 'polytask-multitask/1' }); // true
 */
export function isMultiTaskMetadata(meta: JsonValue | undefined): boolean {
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) && meta.format === MULTITASK_FORMAT;
}

/**
 * The model of a checkpoint directory, or of the newest checkpoint under `path`, with its weights.
 *
 * @example
 * const { model, tasks } = loadMultiTaskCheckpoint(join(run.dir, 'checkpoints'));
 */
export function loadMultiTaskCheckpoint(path: string): LoadedMultiTaskModel {
  const dir = checkpointDirOf(path, 'multi-task model');
  const contents = loadCheckpoint(dir);
  const description = parseConfig(multiTaskDescriptionSchema, contents.metadata ?? {}, `${dir}/metadata.json`);
  const model = buildMultiTaskModel(description);
  loadWeightsStrict(model, contents.model, dir);
  return { model, description, tasks: savedTasks(description), path: dir };
}
