/**
 * `polytask train`, `pretrain` and `finetune`: supervised training of a zoo model (mlp, cnn) on
 * MNIST, Fashion-MNIST or the user's files, in a run directory with checkpoints, metrics and a
 * report. `pretrain` is `train` whose checkpoints a `finetune` starts from; `finetune --from RUN`
 * puts a new head on that run's model and trains it fully or as a linear probe. `--resume RUN`
 * continues an interrupted run from its newest checkpoint.
 *
 * @example
 * polytask train -c examples/train-mnist-mlp.yaml --epochs 5
 * polytask pretrain --data mnist --classes 0,1,2,3,4 --arch cnn
 * polytask finetune --from <pretrain-run> --classes 5,6,7,8,9 --limit 200 --strategy linear-probe
 * polytask train --resume <run>
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { manualSeed } from '../../core/rng.js';
import { readMetrics, readRunConfig, writeReport, METRICS_FILE, type RunStatus } from '../../report/index.js';
import {
  finetuneConfigSchema,
  trainConfigSchema,
  type FinetuneConfig,
  type TrainConfig,
} from '../config/train-schema.js';
import { collect, flagOverrides } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import { contextOf, type CliContext } from '../context.js';
import { loadData, storedDataConfig } from '../../data/sources/index.js';
import { CliError, EXIT } from '../errors.js';
import { num } from '../format.js';
import { checkTrainingConfig } from '../declared-limits.js';
import { checkRunsRootUsable } from '../runs-root-guard.js';
import { findRun, otherKind, resumeCommand, RunSession } from '../run-store.js';
import { fitSupervised } from '../supervised/fit.js';
import { prepareModel } from '../supervised/setup.js';

type Kind = 'train' | 'pretrain' | 'finetune';

/** The flags that stand for config keys, and the keys. */
const FLAG_PATHS: Record<string, string> = {
  epochs: 'training.epochs',
  batchSize: 'training.batchSize',
  maxSteps: 'training.maxSteps',
  lr: 'optimizer.lr',
  seed: 'seed',
  arch: 'model.arch',
  data: 'data.source',
  limit: 'data.limit',
  classes: 'data.classes',
  task: 'task',
};
const FINETUNE_PATHS: Record<string, string> = { from: 'finetune.from', strategy: 'finetune.strategy' };

interface TrainFlags {
  config?: string;
  resume?: string;
  report: boolean;
  [key: string]: unknown;
}

function loadFor(
  kind: Kind,
  ctx: CliContext,
  flags: TrainFlags,
): { config: TrainConfig | FinetuneConfig; resumeDir?: string } {
  const schema = kind === 'finetune' ? finetuneConfigSchema : trainConfigSchema;
  const overrides = flagOverrides(
    flags,
    kind === 'finetune' ? { ...FLAG_PATHS, ...FINETUNE_PATHS } : FLAG_PATHS,
    schema,
  );
  if (flags.resume === undefined)
    return {
      config: loadConfig(schema, { ...(flags.config === undefined ? {} : { file: flags.config }), overrides }).config,
    };
  if (flags.config !== undefined)
    throw new CliError('--resume continues a run with its own config: give flags to change it, not --config');
  const info = findRun(ctx.root, flags.resume);
  if (info.kind !== kind) throw otherKind(info, ctx.root);
  const base = readRunConfig(info.dir) as Record<string, unknown>;
  return { config: loadConfig(schema, { base, overrides }).config, resumeDir: info.dir };
}

async function runTraining(kind: Kind, flags: TrainFlags, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const { out } = ctx;
  const { config, resumeDir } = loadFor(kind, ctx, flags);
  checkTrainingConfig(config);
  checkRunsRootUsable(ctx.root);
  // everything that can fail on the user's input happens before the run directory exists
  const data = await loadData(config.data, config.seed);
  for (const w of data.warnings) out.note(`warning: ${w}`);
  manualSeed(config.seed);
  const resume = resumeDir !== undefined;
  const checkpointsDir = resume ? join(resumeDir, 'checkpoints') : '';
  const prepared = resume ? null : prepareModel({ kind, config, data, root: ctx.root, resume: false, checkpointsDir });
  const run = resume
    ? RunSession.reopen(ctx.root, findRun(ctx.root, resumeDir), config)
    : RunSession.start(ctx.root, kind, { ...config, data: storedDataConfig(config.data, data) });
  const { model, description, paramSets } =
    prepared ?? prepareModel({ kind, config, data, root: ctx.root, resume: true, checkpointsDir: run.checkpointsDir });
  out.note(
    `${kind} run ${run.id}: ${data.description}, ${data.train.length} training and ${data.test.length} test examples, ${description.arch} with ${model.numParameters({ trainableOnly: true })} trainable parameters`,
  );
  out.note(`run directory: ${run.dir}`);
  let status: RunStatus = 'failed';
  try {
    const { fit, evaluation } = await fitSupervised({
      run,
      config,
      model,
      description,
      data,
      paramSets,
      out,
      bars: ctx.bars,
      resume,
      source: { kind, data: data.description, task: config.task },
    });
    status = fit.reason === 'stopped' ? 'stopped' : 'completed';
    const metrics = evaluation[config.task] ?? {};
    const summary = {
      task: config.task,
      ...metrics,
      steps: fit.stepsDone,
      epochs: fit.epoch,
      reason: fit.reason,
      checkpoint: fit.checkpoint?.path ?? null,
    };
    const report = flags.report
      ? (
          await writeReport(run.dir, {
            title: `polytask ${kind}: ${data.description}`,
            meta: [
              ['run', run.id],
              ['model', description.arch],
              ['status', status],
              ['steps', String(fit.stepsDone)],
            ],
            config,
            data: { metrics: readMetrics(join(run.dir, METRICS_FILE)) },
          })
        ).html
      : null;
    run.finish(status, summary);
    out.result({ run: run.id, dir: run.dir, status, ...summary, report }, () =>
      [
        `${kind} ${status}: ${Object.entries(metrics)
          .map(([k, v]) => `${k} ${num(v)}`)
          .join(', ')} after ${fit.stepsDone} steps (${fit.epoch} epochs)`,
        ...(report === null ? [] : [`report: ${report}`]),
        ...(status === 'stopped' ? [`resume with: ${resumeCommand(run.info, ctx.root)!}`] : []),
      ].join('\n'),
    );
    if (status === 'stopped') process.exitCode = EXIT.interrupted;
  } finally {
    if (status === 'failed') run.finish('failed');
  }
}

/** The flags shared by the three commands. */
function addTrainingFlags(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML or JSON config (see examples/)')
    .option('--epochs <n>', 'training epochs (training.epochs)')
    .option('--batch-size <n>', 'examples per step (training.batchSize)')
    .option('--max-steps <n>', 'stop after this many steps (training.maxSteps)')
    .option('--lr <rate>', 'learning rate (optimizer.lr)')
    .option('--seed <n>', 'seed of initialisation, split and shuffling')
    .option('--arch <name>', 'model: mlp or cnn (model.arch)')
    .option('--data <source>', 'mnist, fashion-mnist, idx, npy or csv (data.source)')
    .option('--limit <n>', 'at most this many training examples (data.limit)')
    .option('--classes <list>', 'keep only these classes, e.g. 0,1,2,3,4 (data.classes)')
    .option('--task <name>', 'name of the task and its head')
    .addOption(
      new Option('--set <key=value>', 'set any config key, e.g. --set model.hidden=[256,128] (repeatable)').argParser(
        collect,
      ),
    )
    .option('--resume <run>', 'continue an interrupted run from its newest checkpoint')
    .option('--no-report', 'skip writing report.html and the chart PNGs');
}

/**
 * Adds `train`, `pretrain` and `finetune` to the program.
 *
 * @example
 * registerTrainingCommands(new Command('polytask'));
 */
export function registerTrainingCommands(program: Command): void {
  addTrainingFlags(
    program.command('train').description('train a model (mlp or cnn) on one classification task'),
  ).action((flags: TrainFlags, cmd: Command) => runTraining('train', flags, cmd));
  addTrainingFlags(
    program.command('pretrain').description('train a source model whose checkpoints finetune starts from'),
  ).action((flags: TrainFlags, cmd: Command) => runTraining('pretrain', flags, cmd));
  addTrainingFlags(
    program.command('finetune').description('adapt a pre-trained model to a target task with a new head'),
  )
    .option('--from <run>', 'the pre-trained run (id or directory) or checkpoint directory (finetune.from)')
    .option('--strategy <name>', 'full or linear-probe (finetune.strategy)')
    .action((flags: TrainFlags, cmd: Command) => runTraining('finetune', flags, cmd));
}
