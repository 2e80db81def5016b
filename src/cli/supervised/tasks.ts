/**
 * `polytask train --tasks tasks.yaml`: a multi-task model (a shared trunk, one head per task of a
 * task description) trained with a weighting method in a run directory, like a single-task run:
 * checkpoints every epoch (with the model's description, so eval and predict rebuild it), metrics,
 * progress, Ctrl-C as a clean stop, and `--resume`. Losses skip missing labels; every task is
 * reported with its metrics over the test labels present, and how many there were.
 *
 * @example
 * polytask train --tasks examples/digits-tasks.yaml --method pcgrad --epochs 5
 * polytask train --resume <run>
 */
import { join, resolve } from 'node:path';
import { manualSeed } from '../../core/rng.js';
import { descriptionData, inputShape, testBatches, trainLoader } from '../../multitask/study/data.js';
import { loadTaskDescription } from '../../multitask/config/load-task-description.js';
import { evaluateTasks } from '../../multitask/evaluate.js';
import {
  buildMultiTaskModel,
  describeMultiTaskModel,
  loadMultiTaskCheckpoint,
  type MultiTaskDescription,
} from '../../multitask/saved-model.js';
import { reportTasks, withReportMetrics, type TaskReport } from '../../multitask/task-report.js';
import { taskNamesOf } from '../../multitask/task.js';
import { trainMultiTask } from '../../multitask/train-multitask.js';
import { createWeighting } from '../../multitask/weighting/index.js';
import { readMetrics, readRunConfig, writeReport, METRICS_FILE, type RunStatus } from '../../report/index.js';
import { latestCheckpoint, StoppedError, type JsonValue } from '../../train/index.js';
import { flagOverrides } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import { multiTaskConfigSchema, isMultiTaskConfig, type MultiTaskConfig } from '../config/multitask-schema.js';
import { readConfigFile } from '../config/read-file.js';
import type { CliContext } from '../context.js';
import { checkTrainingConfig } from '../declared-limits.js';
import { CliError, EXIT } from '../errors.js';
import { num } from '../format.js';
import { onInterrupt } from '../interrupt.js';
import { checkRunsRootUsable } from '../runs-root-guard.js';
import { findRun, otherKind, resumeCommand, RunSession } from '../run-store.js';
import { trainingCallbacks } from '../training-callbacks.js';
import { buildOptimizer } from '../../train/index.js';
import { recordFrom } from '../../core/safe-keys.js';

/** The flags of `train` that a multi-task run takes, and their config keys. */
const TASK_FLAG_PATHS: Record<string, string> = {
  epochs: 'training.epochs',
  batchSize: 'training.batchSize',
  maxSteps: 'training.maxSteps',
  lr: 'optimizer.lr',
  seed: 'seed',
  tasks: 'tasks',
  method: 'multitask.method',
};
/** Single-task flags that mean nothing here: the task description says where data and tasks are. */
const SINGLE_TASK_FLAGS: Record<string, string> = {
  arch: '--arch (use --set model.trunk=mlp|cnn|auto)',
  data: '--data',
  limit: '--limit',
  classes: '--classes',
  task: '--task',
};

export interface TaskTrainFlags {
  config?: string;
  resume?: string;
  tasks?: string;
  method?: string;
  report: boolean;
  [key: string]: unknown;
}

/**
 * Whether a `train` command is a multi-task one: `--tasks`, a config file with `tasks:`, or
 * `--resume` of a run that was one.
 *
 * @example
 * if (isTaskTraining(ctx.root, flags)) return trainTasks(ctx, flags);
 */
export function isTaskTraining(root: string, flags: TaskTrainFlags): boolean {
  if (flags.tasks !== undefined || flags.method !== undefined) return true;
  if (flags.resume !== undefined)
    return isMultiTaskConfig(readRunConfig(findRun(root, flags.resume).dir) as Record<string, unknown>);
  return flags.config !== undefined && isMultiTaskConfig(readConfigFile(flags.config));
}

function loadTaskConfig(ctx: CliContext, flags: TaskTrainFlags): { config: MultiTaskConfig; resumeDir?: string } {
  for (const [key, flag] of Object.entries(SINGLE_TASK_FLAGS))
    if (flags[key] !== undefined)
      throw new CliError(
        `${flag} does not apply to a multi-task run: the task description names the data and the tasks`,
      );
  const overrides = flagOverrides(flags, TASK_FLAG_PATHS, multiTaskConfigSchema);
  const fromFile = flags.config === undefined ? undefined : readConfigFile(flags.config).tasks;
  if (typeof fromFile === 'object' && fromFile !== null)
    throw new CliError(
      `${flags.config} is a task description, not a training config: give it as --tasks ${flags.config}`,
    );
  if (flags.resume === undefined && flags.tasks === undefined && fromFile === undefined)
    throw new CliError('--method is for multi-task runs: give the task description with --tasks FILE');
  if (flags.resume === undefined) {
    const { config } = loadConfig(multiTaskConfigSchema, {
      ...(flags.config === undefined ? {} : { file: flags.config }),
      overrides,
    });
    // stored absolute, so --resume, eval and predict find it from anywhere
    return { config: { ...config, tasks: resolve(config.tasks) } };
  }
  if (flags.config !== undefined)
    throw new CliError('--resume continues a run with its own config: give flags to change it, not --config');
  const info = findRun(ctx.root, flags.resume);
  if (info.kind !== 'train') throw otherKind(info, ctx.root);
  const base = readRunConfig(info.dir) as Record<string, unknown>;
  const { config } = loadConfig(multiTaskConfigSchema, { base, overrides });
  return { config: { ...config, tasks: resolve(config.tasks) }, resumeDir: info.dir };
}

/** The model a resumed run continues: its newest checkpoint's, which the description must still give. */
function checkSameModel(checkpoints: string, described: MultiTaskDescription, tasksFile: string): void {
  if (latestCheckpoint(checkpoints) === null) return;
  const saved = loadMultiTaskCheckpoint(checkpoints).description;
  if (JSON.stringify(saved) !== JSON.stringify(described)) {
    const was = saved.tasks.map((t) => `${t.name} (${t.kind}, ${t.outputs})`).join(', ');
    const now = described.tasks.map((t) => `${t.name} (${t.kind}, ${t.outputs})`).join(', ');
    throw new CliError(
      `${tasksFile} no longer gives the model this run trained (tasks ${was}, inputs [${saved.trunk.inputShape.join(',')}]; now ${now}, inputs [${described.trunk.inputShape.join(',')}]); start a new run`,
    );
  }
}

/**
 * One line per task: its metrics, or that the test split has none of its labels.
 *
 * @example
 * taskLines({ digit: { labelled: 80, metrics: { accuracy: 0.9 } } }); // ['digit: accuracy 0.9000 (80 labelled test samples)']
 */
export function taskLines(report: Readonly<Record<string, TaskReport>>): string[] {
  return Object.entries(report).map(([task, r]) =>
    r.labelled === 0
      ? `${task}: no labels in the test split (not evaluated)`
      : `${task}: ${Object.entries(r.metrics)
          .map(([k, v]) => `${k} ${num(v)}`)
          .join(', ')} (${r.labelled} labelled test samples)`,
  );
}

/**
 * Runs (or resumes) a multi-task training.
 *
 * @example
 * await trainTasks(contextOf(cmd), { tasks: 'tasks.yaml', method: 'pcgrad', report: true });
 */
export async function trainTasks(ctx: CliContext, flags: TaskTrainFlags): Promise<void> {
  const { out } = ctx;
  const { config, resumeDir } = loadTaskConfig(ctx, flags);
  checkTrainingConfig({ data: {}, training: config.training });
  checkRunsRootUsable(ctx.root);
  // everything that can fail on the user's input happens before the run directory exists
  const description = await loadTaskDescription(config.tasks);
  const data = descriptionData(description);
  const tasks = data.tasks;
  const names = taskNamesOf(tasks);
  const reported = tasks.map(withReportMetrics);
  const described = describeMultiTaskModel(
    tasks,
    inputShape(data),
    config.model.width,
    config.model.trunk,
    description.inputReading,
  );
  if (resumeDir !== undefined) checkSameModel(join(resumeDir, 'checkpoints'), described, config.tasks);
  manualSeed(config.seed);
  const model = buildMultiTaskModel(described);
  const method = createWeighting(config.multitask.method, names, config.multitask.methodOptions);
  const t = config.training;
  const loader = trainLoader(data, names, t.batchSize, config.seed);
  const totalSteps = Math.min(t.maxSteps ?? Infinity, t.epochs * loader.batchesPerEpoch);
  const { optimizer, scheduler } = buildOptimizer(
    config.optimizer,
    [{ params: [...model.parameters(), ...method.parameters()] }],
    totalSteps,
  );
  const run =
    resumeDir === undefined
      ? RunSession.start(ctx.root, 'train', config)
      : RunSession.reopen(ctx.root, findRun(ctx.root, resumeDir), config);
  const trainSize = Object.values(data.train).reduce((n, d) => n + d.length, 0);
  const testSize = Object.values(data.test).reduce((n, d) => n + d.length, 0);
  out.note(
    `train run ${run.id}: ${names.length} tasks (${names.join(', ')}) from ${config.tasks}, ${trainSize} training and ${testSize} test samples, ${described.trunk.kind} trunk with ${model.numParameters()} parameters, method ${config.multitask.method}`,
  );
  out.note(`run directory: ${run.dir}`);
  let status: RunStatus = 'failed';
  const controller = new AbortController();
  const release = onInterrupt(() => controller.abort(), out);
  try {
    let steps: number;
    let epochs: number | null = null;
    let reason: string;
    let checkpoint: string | null = null;
    try {
      const { fit } = await trainMultiTask({
        model,
        tasks,
        method,
        loader,
        epochs: t.epochs,
        optimizer,
        ...(scheduler === undefined ? {} : { scheduler }),
        ...(t.maxSteps === undefined ? {} : { maxSteps: t.maxSteps }),
        ...(t.clipGradNorm === undefined ? {} : { clipGradNorm: t.clipGradNorm }),
        evalEvery: t.evalEvery,
        evaluate: () => evaluateTasks(model, reported, testBatches(data)),
        checkpoint: {
          dir: run.checkpointsDir,
          everyEpochs: 1,
          keepLast: 2,
          ...(t.checkpointEverySteps === undefined ? {} : { everySteps: t.checkpointEverySteps }),
          metadata: described as unknown as JsonValue,
        },
        callbacks: trainingCallbacks({ out, bars: ctx.bars, log: run.metrics, section: 'train' }),
        signal: controller.signal,
      });
      status = 'completed';
      ({ stepsDone: steps, reason } = fit);
      epochs = fit.epoch;
      checkpoint = fit.checkpoint?.path ?? null;
    } catch (err) {
      if (!(err instanceof StoppedError)) throw err;
      status = 'stopped';
      steps = err.stepsDone;
      reason = 'stopped';
      checkpoint = latestCheckpoint(run.checkpointsDir)?.path ?? null;
    } finally {
      ctx.bars.stop();
    }
    const report = reportTasks(model, tasks, data.test);
    // each task's first metric, flat, is what `runs list` shows of the run
    const headline = recordFrom(
      Object.entries(report).flatMap(([task, r]) =>
        Object.entries(r.metrics)
          .slice(0, 1)
          .map(([m, v]) => [`${task}.${m}`, v]),
      ),
    );
    const summary = { ...headline, tasks: report, method: config.multitask.method, steps, epochs, reason, checkpoint };
    const html = flags.report
      ? (
          await writeReport(run.dir, {
            title: `polytask train: ${names.join(', ')} (${config.multitask.method})`,
            meta: [
              ['run', run.id],
              ['tasks', config.tasks],
              ['method', config.multitask.method],
              ['status', status],
              ['steps', String(steps)],
            ],
            config,
            data: { metrics: readMetrics(join(run.dir, METRICS_FILE)) },
          })
        ).html
      : null;
    run.finish(status, summary);
    out.result({ run: run.id, dir: run.dir, status, ...summary, report: html }, () =>
      [
        `train ${status} after ${steps} steps${epochs === null ? '' : ` (${epochs} epochs)`}, method ${config.multitask.method}:`,
        ...taskLines(report).map((l) => `  ${l}`),
        ...(html === null ? [] : [`report: ${html}`]),
        ...(status === 'stopped' ? [`resume with: ${resumeCommand(run.info, ctx.root)!}`] : []),
      ].join('\n'),
    );
    if (status === 'stopped') process.exitCode = EXIT.interrupted;
  } finally {
    release();
    if (status === 'failed') run.finish('failed');
  }
}
