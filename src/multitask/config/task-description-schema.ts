/**
 * The schema of a task description: a YAML or JSON file that maps data files and columns to tasks.
 *
 * ```yaml
 * input:                        # the input every task reads, unless a task has its own
 *   file: images.npy            # .npy, IDX (.idx, *-ubyte, optionally .gz) or .csv
 *   shape: [1, 28, 28]          # per-sample shape (default: as stored)
 *   scale: 0.00392156862745098  # multiply every value (1/255 for bytes)
 *   # or a data source's features: { source: mnist } or { source: csv, file: t.csv, label: y }
 * tasks:
 *   digit:
 *     kind: multiclass          # multiclass | binary | multilabel | regression
 *     classes: 10
 *     targets: { file: labels.csv, column: digit }       # '', ?, NA, NaN cells: missing labels
 *   # a file of a prepared data set: targets: { prepared: clipart, file: multitask.csv, column: category }
 *   parity:
 *     kind: multiclass          # CSV cells holding names: classes are the sorted names,
 *     classNames: [even, odd]   # or these, in this order
 *     targets: { file: labels.csv, column: parity }
 *     metrics: [accuracy, macroF1]
 *   attributes:
 *     kind: multilabel
 *     targets: { file: labels.csv, columns: [round, closed, tall] }
 *   thickness:
 *     kind: regression
 *     targets: { file: thickness.npy }
 *     mask: { file: thickness_mask.npy }                 # 1 present, 0 missing
 *   supersense:               # a column of the input's own table (a text source)
 *     kind: multiclass
 *     input: { source: prepared, name: wordnet, view: pos }
 *     targets: { column: supersense }
 *   letter:
 *     kind: multiclass
 *     classes: 26
 *     input: { file: letters-images-idx3-ubyte.gz, scale: 0.00392156862745098 }  # its own inputs
 *     targets: { file: letters-labels-idx1-ubyte.gz }
 * mixing: { strategy: temperature, temperature: 2, cap: 10000 }   # for tasks with their own inputs
 * split: { testFraction: 0.2, seed: 0 }
 * ```
 *
 * Every object is strict: an unknown key is an error naming the keys allowed there.
 *
 * @example
 * parseConfig(taskDescriptionSchema, readConfigFile('tasks.yaml'), 'tasks.yaml');
 */
import { sizeLimits } from '../../core/size-limits.js';
import * as z from 'zod';
import { dataSourcesSchema } from '../../data/sources/schema.js';
import { metricNames, taskKinds, type MetricName, type TaskKind } from '../task.js';

/** A data file and what to take from it. */
export const fileRefSchema = z.strictObject({
  file: z.string().min(1),
  /**
   * The file lies in this prepared data set's folder (`polytask data prepare NAME`; prepared first
   * when absent), not beside the description: `{ prepared: clipart, file: multitask.csv, column: category }`.
   */
  prepared: z.string().min(1).optional(),
  /** Default: from the file name (.npy; .csv/.tsv; .idx, -ubyte, with or without .gz). */
  format: z.enum(['npy', 'idx', 'csv']).optional(),
  /** CSV: one column. */
  column: z.string().min(1).optional(),
  /** CSV: several columns (in this order). Default for inputs: every column. */
  columns: z.array(z.string().min(1)).min(1).optional(),
  /** CSV: every column but these (a table whose label columns sit beside the features). */
  exclude: z.array(z.string().min(1)).min(1).optional(),
  /** CSV: field separator. Default ','. */
  delimiter: z.string().length(1).optional(),
  /** Per-sample shape to read each row as. */
  shape: z.array(z.int().positive()).min(1).optional(),
  /** Multiply every value by this. */
  scale: z.number().refine(Number.isFinite, 'a finite number').optional(),
});

/**
 * Targets read from a column of the task's input itself, when that input is a table of texts (a
 * `source: text` file, or a prepared view of one): `targets: { column: supersense }`. The input's
 * own test table, when it has one, gives the rest of the rows.
 */
export const inputColumnSchema = z.strictObject({ column: z.string().min(1) });

/**
 * An input: a file reference, or a `data:` source (`{ source: mnist }`, `{ source: csv, file,
 * label }`, ...) whose features (not its labels) are the samples, its own test split after its
 * main set.
 */
export const inputSchema = z.union([fileRefSchema, dataSourcesSchema]);

/** One task: its kind, its targets (and mask), optionally its own input, its metrics. */
export const taskEntrySchema = z.strictObject({
  kind: z.enum(taskKinds as readonly TaskKind[] as [TaskKind, ...TaskKind[]]),
  /** multiclass: number of classes (default: the number of classNames, or of distinct names in a CSV column). */
  classes: z.int().min(2).max(sizeLimits().classes).optional(),
  /** multiclass: the class names in index order; CSV label cells are then these names. */
  classNames: z
    .array(z.string().min(1))
    .min(2)
    .max(sizeLimits().classes)
    .refine((n) => new Set(n).size === n.length, 'each name once')
    .optional(),
  targets: z.union([fileRefSchema, inputColumnSchema]),
  mask: fileRefSchema.optional(),
  /** The task's own inputs (tasks with different datasets). */
  input: inputSchema.optional(),
  metrics: z
    .array(z.enum(metricNames as [MetricName, ...MetricName[]]))
    .min(1)
    .optional(),
});

/** How sources are mixed when tasks have their own inputs (see mixing.ts). */
export const mixingSchema = z.strictObject({
  strategy: z.enum(['proportional', 'temperature', 'equal']),
  temperature: z.number().positive().optional(),
  cap: z.int().positive().optional(),
});

/** The whole file (module comment above). */
export const taskDescriptionSchema = z.strictObject({
  input: inputSchema.optional(),
  tasks: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a name of letters, digits, _ and -, starting with a letter or _'),
      taskEntrySchema,
    )
    .refine((t) => Object.keys(t).length > 0, 'at least one task')
    .refine(
      (t) => Object.keys(t).length <= sizeLimits().tasks,
      `at most ${sizeLimits().tasks} tasks (POLYTASK_MAX_TASKS)`,
    ),
  mixing: mixingSchema.optional(),
  split: z
    .strictObject({
      testFraction: z.number().gt(0).lt(1).default(0.2),
      seed: z.int().default(0),
    })
    .optional(),
});

export type FileRef = z.output<typeof fileRefSchema>;
export type InputRef = z.output<typeof inputSchema>;
export type InputColumn = z.output<typeof inputColumnSchema>;
export type TaskEntry = z.output<typeof taskEntrySchema>;
export type TaskDescriptionFile = z.output<typeof taskDescriptionSchema>;
