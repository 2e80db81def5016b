/**
 * `polytask train`, `pretrain` and `finetune`: supervised training of a zoo model (mlp, cnn) on
 * MNIST, Fashion-MNIST or the user's files, in a run directory with checkpoints, metrics and a
 * report. `pretrain` is `train` whose checkpoints a `finetune` starts from; `finetune --from RUN`
 * puts a new head on that run's model (or `--arch A --weights FILE` on a zoo model with those trunk
 * weights) and adapts it by any strategy of polytask/transfer or LoRA, on the same loop and
 * `training:`/`optimizer:` options as `train` (src/cli/supervised/finetune.ts). `--resume RUN` continues an interrupted run from its newest
 * checkpoint (a fine-tuning starts its strategy again).
 *
 * @example
 * polytask train -c examples/train-mnist-mlp.yaml --epochs 5
 * polytask pretrain --data mnist --classes 0,1,2,3,4 --arch cnn
 * polytask finetune --from <pretrain-run> --classes 5,6,7,8,9 --limit 200 --strategy linear-probe
 * polytask finetune --from <pretrain-run> --data npy --set data.features=x.npy --set data.labels=y.npy --strategy lora --lora-rank 8
 * polytask train --resume <run>
 * polytask train --tasks examples/digits-tasks.yaml --method pcgrad   // a multi-task run (supervised/tasks.ts)
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { manualSeed } from '../../core/rng.js';
import { TOKENIZER_FILE } from '../../data/sources/index.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
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
import { fingerprintData, loadedInputs, writeDataFingerprint } from '../../data/fingerprint.js';
import { resumeFingerprint } from '../data-fingerprint.js';
import { CliError, EXIT } from '../errors.js';
import { num } from '../format.js';
import { checkTrainingConfig } from '../declared-limits.js';
import { checkRunsRootUsable } from '../runs-root-guard.js';
import { findRun, otherKind, resumeCommand, RunSession } from '../run-store.js';
import { fitSupervised } from '../supervised/fit.js';
import { trainingExtras } from '../supervised/conveniences.js';
import { prepareModel, pretrainedTokenizer } from '../supervised/setup.js';
import { checkFinetuneConfig, checkFinetuneModel, fitFinetune, type FinetuneOutcome } from '../supervised/finetune.js';
import { isTaskTraining, trainTasks } from '../supervised/tasks.js';
import { atPrecision, parsePrecisionFlag } from '../precision.js';

type Kind = 'train' | 'pretrain' | 'finetune';

/** The flags that stand for config keys, and the keys. */
const FLAG_PATHS: Record<string, string> = {
  epochs: 'training.epochs',
  batchSize: 'training.batchSize',
  maxSteps: 'training.maxSteps',
  lr: 'optimizer.lr',
  seed: 'seed',
  arch: 'model.arch',
  weights: 'model.weights',
  data: 'data.source',
  limit: 'data.limit',
  classes: 'data.classes',
  task: 'task',
  precision: 'training.precision',
};
const FINETUNE_PATHS: Record<string, string> = {
  from: 'finetune.from',
  strategy: 'finetune.strategy',
  probeLr: 'finetune.probeLr',
  probeEpochs: 'finetune.probeEpochs',
  layerDecay: 'finetune.layerDecay',
  l2spAlpha: 'finetune.l2sp.alpha',
  l2spBeta: 'finetune.l2sp.beta',
  bssEta: 'finetune.bss.eta',
  loraRank: 'finetune.lora.rank',
  loraAlpha: 'finetune.lora.alpha',
  loraTargets: 'finetune.lora.targets',
};

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

/** A fine-tuning's outcome in the shape the summary reads, with what only fine-tuning reports. */
function finetuneSummary(
  o: FinetuneOutcome,
  config: FinetuneConfig,
): {
  fit: { reason: string; stepsDone: number; epoch: number; checkpoint: { path: string } | null };
  evaluation: FinetuneOutcome['evaluation'];
  extra: Record<string, unknown>;
} {
  return {
    fit: {
      reason: o.reason,
      stepsDone: o.steps,
      epoch: o.epochs,
      checkpoint: o.checkpoint === null ? null : { path: o.checkpoint },
    },
    evaluation: o.evaluation,
    extra: {
      strategy: config.finetune.strategy,
      ...(o.groupRates === null ? {} : { groupRates: o.groupRates }),
      ...(o.lora === null ? {} : { lora: o.lora }),
    },
  };
}

async function runTraining(kind: Kind, flags: TrainFlags, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  if (kind === 'train' && isTaskTraining(ctx.root, flags))
    return atPrecision(parsePrecisionFlag(flags.precision), () => trainTasks(ctx, flags));
  const { config, resumeDir } = loadFor(kind, ctx, flags);
  // training.precision (--precision): the matmuls and convolutions of the whole run
  return atPrecision(config.training.precision ?? 'fp32', () => train(kind, flags, ctx, config, resumeDir));
}

async function train(
  kind: Kind,
  flags: TrainFlags,
  ctx: CliContext,
  config: TrainConfig | FinetuneConfig,
  resumeDir: string | undefined,
): Promise<void> {
  const { out } = ctx;
  checkTrainingConfig(config);
  if (kind === 'finetune') checkFinetuneConfig(config as FinetuneConfig);
  checkRunsRootUsable(ctx.root);
  // text from a pre-trained checkpoint that holds its vocabulary (an MLM pre-training's): read with it
  const from = kind === 'finetune' ? (config as FinetuneConfig).finetune.from : undefined;
  if (from !== undefined && config.data.source === 'text' && config.data.tokenizer === undefined) {
    const saved = pretrainedTokenizer(ctx.root, from);
    if (saved !== undefined) config.data = { ...config.data, tokenizer: saved };
  }
  // everything that can fail on the user's input happens before the run directory exists
  const data = await loadData(config.data, config.seed);
  for (const w of data.warnings) out.note(`warning: ${w}`);
  // a resume over changed data files is refused here, before anything is written
  const inputs = loadedInputs(config.data, data);
  const fingerprint =
    resumeDir === undefined ? await fingerprintData(inputs) : await resumeFingerprint(resumeDir, inputs);
  const extras = trainingExtras(config.training, data, config.seed);
  manualSeed(config.seed);
  const resume = resumeDir !== undefined;
  const checkpointsDir = resume ? join(resumeDir, 'checkpoints') : '';
  // a resumed finetune starts its strategy again from the pre-trained model, so it is built here too
  const prepared =
    resume && kind !== 'finetune'
      ? null
      : prepareModel({ kind, config, data, root: ctx.root, resume: false, checkpointsDir });
  if (kind === 'finetune') checkFinetuneModel(prepared!.description, config as FinetuneConfig);
  const run = resume
    ? RunSession.reopen(ctx.root, findRun(ctx.root, resumeDir), config)
    : RunSession.start(ctx.root, kind, { ...config, data: storedDataConfig(config.data, data) });
  writeDataFingerprint(run.dir, fingerprint);
  // text: the tokenizer that made the ids, so predict and eval encode new text the same way
  if (data.tokenizer !== undefined) writeFileAtomicSync(join(run.dir, TOKENIZER_FILE), data.tokenizer.json);
  const { model, description, paramSets } =
    prepared ?? prepareModel({ kind, config, data, root: ctx.root, resume: true, checkpointsDir: run.checkpointsDir });
  out.note(
    `${kind} run ${run.id}: ${data.description}, ${extras.train.length} training${extras.val === null ? '' : `, ${extras.val.length} validation`} and ${data.test.length} test examples, ${description.arch} with ${model.numParameters({ trainableOnly: true })} trainable parameters`,
  );
  out.note(`run directory: ${run.dir}`);
  try {
    const source = { kind, data: data.description, task: config.task };
    const { fit, evaluation, extra, stopper } =
      kind === 'finetune'
        ? {
            stopper: null,
            ...finetuneSummary(
              await fitFinetune({
                run,
                config: config as FinetuneConfig,
                model,
                description,
                data,
                extras,
                out,
                bars: ctx.bars,
                source,
              }),
              config as FinetuneConfig,
            ),
          }
        : await fitSupervised({
            run,
            config,
            model,
            description,
            data,
            paramSets,
            out,
            bars: ctx.bars,
            resume,
            source,
            extras,
          }).then((r) => ({ ...r, extra: {}, stopper: r.fit.earlyStopping ?? null }));
    const status: RunStatus = fit.reason === 'stopped' ? 'stopped' : 'completed';
    const metrics = evaluation[config.task] ?? {};
    const summary = {
      task: config.task,
      ...metrics,
      steps: fit.stepsDone,
      epochs: fit.epoch,
      reason: fit.reason,
      checkpoint: fit.checkpoint?.path ?? null,
      ...extra,
      ...(extras.val === null ? {} : { validationExamples: extras.val.length }),
      ...(stopper === null ? {} : { earlyStopping: stopper }),
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
        ...(stopper === null
          ? []
          : [
              `early stopping: best validation ${stopper.metric} ${num(stopper.best)} at epoch ${stopper.bestEpoch + 1}${stopper.stopped ? ', no improvement since' : ''}; the model holds that epoch's weights`,
            ]),
        ...(report === null ? [] : [`report: ${report}`]),
        ...(status === 'stopped' ? [`resume with: ${resumeCommand(run.info, ctx.root)!}`] : []),
      ].join('\n'),
    );
    if (status === 'stopped') process.exitCode = EXIT.interrupted;
  } catch (err) {
    // the error and the step it stopped at go into run.json and the index (`runs show` says why);
    // a run already recorded as finished stays as it was
    run.fail(err);
    throw err;
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
    .option(
      '--arch <name>',
      'model: mlp, cnn, text, audio, resnet18|34|50, mobilenet_v2, mobilenet_v3_small, vit or pretrained (model.arch)',
    )
    .option(
      '--weights <file>',
      'a zoo model: start its trunk from this torchvision-named safetensors file (model.weights)',
    )
    .option('--data <source>', 'mnist, fashion-mnist, idx, npy, csv, images, text or audio (data.source)')
    .option('--limit <n>', 'at most this many training examples (data.limit)')
    .option('--classes <list>', 'keep only these classes, e.g. 0,1,2,3,4 (data.classes)')
    .option('--task <name>', 'name of the task and its head')
    .option(
      '--precision <p>',
      'fp32 (default) or bf16: matmuls and convolutions in bf16 mixed precision (training.precision)',
    )
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
    program
      .command('train')
      .description('train a model (mlp or cnn) on one classification task, or with --tasks on several'),
  )
    .option('--tasks <file>', 'a task description (YAML/JSON): train one model on all its tasks (tasks)')
    .option('--method <name>', 'with --tasks: the loss-weighting method, e.g. ew, uw, pcgrad (multitask.method)')
    .action((flags: TrainFlags, cmd: Command) => runTraining('train', flags, cmd));
  addTrainingFlags(
    program.command('pretrain').description('train a source model whose checkpoints finetune starts from'),
  ).action((flags: TrainFlags, cmd: Command) => runTraining('pretrain', flags, cmd));
  addTrainingFlags(
    program.command('finetune').description('adapt a pre-trained model to a target task with a new head'),
  )
    .option('--from <run>', 'the pre-trained run (id or directory) or checkpoint directory (finetune.from)')
    .option(
      '--strategy <name>',
      'scratch, linear-probe, full, lp-ft, gradual, discriminative or lora (finetune.strategy)',
    )
    .option('--probe-lr <rate>', "learning rate of a linear probe and of lp-ft's probe (finetune.probeLr)")
    .option('--probe-epochs <n>', "epochs of lp-ft's probe phase (finetune.probeEpochs)")
    .option('--layer-decay <f>', 'discriminative: rate ratio of a layer group to the one above (finetune.layerDecay)')
    .option('--l2sp-alpha <a>', 'L2-SP pull of the trunk towards the pre-trained weights (finetune.l2sp.alpha)')
    .option('--l2sp-beta <b>', 'L2-SP weight decay of the new head (finetune.l2sp.beta)')
    .option('--bss-eta <eta>', 'BSS shrinkage of the smallest singular values of the features (finetune.bss.eta)')
    .option('--lora-rank <r>', 'rank of the LoRA adapters (finetune.lora.rank)')
    .option('--lora-alpha <a>', 'LoRA scale numerator: updates are scaled by alpha/rank (finetune.lora.alpha)')
    .option('--lora-targets <glob>', 'module names to adapt, e.g. trunk.* or trunk.3 (finetune.lora.targets)')
    .action((flags: TrainFlags, cmd: Command) => runTraining('finetune', flags, cmd));
}
