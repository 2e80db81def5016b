/**
 * `eval` and `predict` for a multi-task run (`train --tasks`): the newest checkpoint's model,
 * rebuilt from the description stored with it, reports every task on the test split of the run's
 * task description (metrics over the labels present, and how many there were), or predicts every
 * task for the samples of a file: one column per task, with class names where the task has them.
 *
 * @example
 * polytask eval <run>                          // digit: accuracy 0.95, macroF1 0.95 (200 labelled test samples) ...
 * polytask predict <run> -i digits.csv -o predictions.csv   // index,digit,parity
 */
import { join } from 'node:path';
import { sizeOf } from '../../core/shape.js';
import { loadTaskDescription } from '../../multitask/config/load-task-description.js';
import { descriptionData, inputShape } from '../../multitask/study/data.js';
import { loadMultiTaskCheckpoint, type LoadedMultiTaskModel } from '../../multitask/saved-model.js';
import { reportTasks } from '../../multitask/task-report.js';
import type { TaskSpec } from '../../multitask/task.js';
import { readRunConfig, type RunInfo } from '../../report/index.js';
import type { Tensor } from '../../tensor/index.js';
import { predict } from '../../train/index.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
import { loadConfig } from '../config/load.js';
import { multiTaskConfigSchema } from '../config/multitask-schema.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { table } from '../format.js';
import { readExamples } from '../input-file.js';
import { csvTable } from '../predictions-csv.js';
import { taskLines } from '../supervised/tasks.js';
import { recordFrom } from '../../core/safe-keys.js';

/** The run's model, from its newest checkpoint. */
function runModel(info: RunInfo): LoadedMultiTaskModel {
  return loadMultiTaskCheckpoint(join(info.dir, 'checkpoints'));
}

/**
 * Reports every task of a multi-task run on its description's test split.
 *
 * @example
 * await evalTasks(ctx, findRun(root, '3fa2c1'));
 */
export async function evalTasks(ctx: CliContext, info: RunInfo): Promise<void> {
  const config = loadConfig(multiTaskConfigSchema, { base: readRunConfig(info.dir) as Record<string, unknown> }).config;
  const saved = runModel(info);
  const data = descriptionData(await loadTaskDescription(config.tasks));
  const shape = inputShape(data);
  if (sizeOf(shape) !== sizeOf(saved.description.trunk.inputShape))
    throw new CliError(
      `${config.tasks} now gives inputs of shape [${shape.join(',')}]; the model of run ${info.id} reads [${saved.description.trunk.inputShape.join(',')}]`,
    );
  for (const t of saved.tasks) {
    const now = data.tasks.find((d) => d.name === t.name);
    if (now === undefined || now.kind !== t.kind || now.outputs !== t.outputs)
      throw new CliError(
        `${config.tasks} no longer has the task ${t.name} (${t.kind}, ${t.outputs} outputs) that run ${info.id} trained`,
      );
  }
  const report = reportTasks(saved.model, saved.tasks, data.test);
  const samples = Object.values(data.test).reduce((n, d) => n + d.length, 0);
  ctx.out.result({ run: info.id, checkpoint: saved.path, data: config.tasks, examples: samples, tasks: report }, () =>
    [`run ${info.id} (${saved.path})`, `${samples} test samples of ${config.tasks}`, ...taskLines(report)].join('\n'),
  );
}

/** One task's prediction for row `i` as a cell: a class name (or index), 0/1, label names, values. */
function cellOf(t: TaskSpec, out: Tensor, i: number): string | number {
  const k = t.outputs;
  const row = Array.from(out.data.subarray(i * k, (i + 1) * k));
  switch (t.kind) {
    case 'multiclass': {
      const c = row.indexOf(Math.max(...row));
      return t.labelNames?.[c] ?? c;
    }
    case 'binary':
      return row[0]! > 0 ? 1 : 0;
    case 'multilabel':
      return row
        .map((v, j) => (v > 0 ? (t.labelNames?.[j] ?? String(j)) : null))
        .filter((n) => n !== null)
        .join(';');
    case 'regression':
      return k === 1 ? row[0]! : row.join(';');
  }
}

export interface TaskPredictFlags {
  input: string;
  output?: string;
  limit?: string;
}

/**
 * Predicts every task of a multi-task run for the samples of a file.
 *
 * @example
 * await predictTaskColumns(ctx, info, { input: 'x.csv', output: 'p.csv' });
 */
export async function predictTaskColumns(ctx: CliContext, info: RunInfo, flags: TaskPredictFlags): Promise<void> {
  const saved = runModel(info);
  const want = saved.description.trunk.inputShape;
  const reading = saved.description.input;
  let x = readExamples(flags.input, reading?.columns === undefined ? {} : { columns: reading.columns });
  if (x.ndim < 2 || sizeOf(x.shape.slice(1)) !== sizeOf(want))
    throw new CliError(
      `${flags.input}: examples of shape [${x.shape.slice(1).join(',')}] do not fit the model's input [${want.join(',')}]`,
    );
  x = x.reshape([x.shape[0]!, ...want]);
  if (reading?.scale !== undefined) x = x.mul(reading.scale);
  const outputs = predict<Record<string, Tensor>>(saved.model, x);
  const names = saved.tasks.map((t) => t.name);
  const header = ['index', ...names];
  const rows = Array.from({ length: x.shape[0]! }, (_, i) => [
    i,
    ...saved.tasks.map((t) => cellOf(t, outputs[t.name]!, i)),
  ]);
  if (flags.output !== undefined)
    writeFileAtomicSync(
      flags.output,
      flags.output.toLowerCase().endsWith('.json')
        ? JSON.stringify(rows.map((r) => recordFrom(header.map((h, j) => [h, r[j]]))))
        : csvTable(header, rows),
    );
  const shown = Number(flags.limit ?? 20);
  ctx.out.result(
    {
      run: info.id,
      checkpoint: saved.path,
      input: flags.input,
      output: flags.output ?? null,
      predictions: rows.map((r) => recordFrom(header.map((h, j) => [h, r[j]]))),
    },
    () =>
      [
        table([header, ...rows.slice(0, shown).map((r) => r.map((c) => String(c)))]),
        ...(rows.length > shown
          ? [
              `... ${rows.length - shown} more${flags.output === undefined ? ' (use --output FILE or --json for all)' : ''}`,
            ]
          : []),
        ...(flags.output === undefined ? [] : [`wrote ${rows.length} predictions to ${flags.output}`]),
      ].join('\n'),
  );
}
