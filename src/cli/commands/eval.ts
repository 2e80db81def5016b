/**
 * `polytask eval RUN` and `polytask predict RUN --input FILE`: the newest checkpoint of a
 * training run (train, pretrain or finetune), rebuilt from the description stored with it,
 * evaluated on the run's own test split (or another data config), or applied to new examples
 * from an NPY, CSV or IDX file, from image files and folders (decoded as the run's training images
 * were), and for a text run from lines of a .txt or a table's text column, for an audio run from a
 * .wav file or folder, with the predicted class, its name and its probability per example; a run
 * trained on a table reads a table's columns by name (CSV, TSV, JSONL: extra columns ignored).
 *
 * @example
 * polytask eval 3fa2c1 --json
 * polytask eval 3fa2c1 --data fashion-mnist
 * polytask predict 3fa2c1 --input digits.npy --output predictions.csv
 * polytask predict 3fa2c1 -i cat.png dog.jpg more-photos/
 * (a multi-task run, from train --tasks, is evaluated and predicted per task: eval-tasks.ts)
 */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { sizeOf } from '../../core/shape.js';
import { DataLoader } from '../../data/index.js';
import { readTable } from '../../data/table/index.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
import { checkOutputFile } from '../output-path.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import { readRunConfig, type RunInfo } from '../../report/index.js';
import { Tensor } from '../../tensor/index.js';
import { accuracy, evaluate, macroF1, predict, topK } from '../../train/index.js';
import { loadPretrained, type Pretrained } from '../../transfer/checkpoint.js';
import { collect, flagOverrides } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import { readConfigFile } from '../config/read-file.js';
import { finetuneConfigSchema, trainConfigSchema, type TrainConfig } from '../config/train-schema.js';
import { contextOf } from '../context.js';
import { loadData, TOKENIZER_FILE } from '../../data/sources/index.js';
import { CliError } from '../errors.js';
import { num, table } from '../format.js';
import { imageInputs, imageInputTensor } from '../predict-images.js';
import { predictionsCsv, safeCell } from '../predictions-csv.js';
import { findRun } from '../run-store.js';
import { readExamples } from '../input-file.js';
import { isMultiTaskConfig } from '../config/multitask-schema.js';
import { evalTasks, predictTaskColumns } from './eval-tasks.js';

const TRAINING_KINDS = ['train', 'pretrain', 'finetune'];

/** The run and its newest checkpoint's model. */
function loadRunModel(root: string, ref: string): { info: RunInfo; pre: Pretrained } {
  const info = findRun(root, ref);
  if (!TRAINING_KINDS.includes(info.kind))
    throw new CliError(
      `run ${info.id} is a '${info.kind}' run; eval and predict take a train, pretrain or finetune run`,
    );
  return { info, pre: loadPretrained(join(info.dir, 'checkpoints')) };
}

/** The run's task: the one head of its model. */
const taskOf = (model: MultiTaskModel): string => model.taskNames[0]!;

interface EvalFlags {
  config?: string;
  [key: string]: unknown;
}

/** The run `ref` names when it is a multi-task one (train --tasks), else null. */
function taskRun(root: string, ref: string): RunInfo | null {
  const info = findRun(root, ref);
  return isMultiTaskConfig(readRunConfig(info.dir) as Record<string, unknown>) ? info : null;
}

async function runEval(ref: string, flags: EvalFlags, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const tasks = taskRun(ctx.root, ref);
  if (tasks !== null) {
    const given = ['config', 'data', 'classes', 'limit', 'set'].find((k) => flags[k] !== undefined);
    if (given !== undefined)
      throw new CliError(`--${given} does not apply to a multi-task run: it is evaluated on its task description`);
    return evalTasks(ctx, tasks);
  }
  const { info, pre } = loadRunModel(ctx.root, ref);
  const schema = info.kind === 'finetune' ? finetuneConfigSchema : trainConfigSchema;
  const stored = readRunConfig(info.dir) as Record<string, unknown>;
  // a data config file replaces the run's data; flags change single keys of it
  const base =
    flags.config === undefined ? stored : { ...stored, data: readConfigFile(flags.config).data ?? stored.data };
  const overrides = flagOverrides(flags, { data: 'data.source', classes: 'data.classes', limit: 'data.limit' }, schema);
  const config = loadConfig(schema, { base, overrides }).config as TrainConfig;
  // a text run's ids mean the words of its own tokenizer, whatever data it is evaluated on
  const saved = join(info.dir, TOKENIZER_FILE);
  if (config.data.source === 'text' && config.data.tokenizer === undefined && existsSync(saved))
    config.data = { ...config.data, tokenizer: saved };
  const data = await loadData(config.data, config.seed);
  const task = taskOf(pre.model);
  const classes = pre.description.tasks[0]!.classes;
  if (data.classes > classes)
    throw new CliError(`the data has ${data.classes} classes, the model of run ${info.id} predicts ${classes}`);
  const metrics = { [task]: [accuracy(), macroF1(), ...(classes > 5 ? [topK(5)] : [])] };
  const result = evaluate(pre.model, new DataLoader(data.test, { batchSize: 500 }), metrics)[task]!;
  const classNames = (pre.description.tasks[0]!.classNames ?? []).map((n) => (typeof n === 'string' ? n : safeCell(n)));
  ctx.out.result(
    {
      run: info.id,
      checkpoint: pre.path,
      data: data.description,
      examples: data.test.length,
      task,
      classNames,
      metrics: result,
    },
    () =>
      [
        `run ${info.id} (${pre.path})`,
        `${data.test.length} test examples of ${data.description}`,
        ...(classNames.length === 0 ? [] : [`classes: ${classNames.join(', ')}`]),
        ...Object.entries(result).map(([k, v]) => `${k} ${num(v)}`),
      ].join('\n'),
  );
}

/** Extensions read as tables (data/table). */
const TABLE_EXTENSIONS = ['.csv', '.tsv', '.tab', '.jsonl', '.ndjson'];

/** The feature columns a run was trained on, by name, when its data was a table (stored by `train`). */
function trainedColumns(runDir: string): { features: string[]; delimiter?: string } | null {
  const stored = readRunConfig(runDir) as { data?: { source?: unknown; features?: unknown; delimiter?: unknown } };
  const d = stored.data;
  if (d === undefined || (d.source !== 'table' && d.source !== 'csv')) return null;
  if (!Array.isArray(d.features) || !d.features.every((f): f is string => typeof f === 'string')) return null;
  return { features: d.features, ...(typeof d.delimiter === 'string' ? { delimiter: d.delimiter } : {}) };
}

/**
 * A table given to a run trained on a table: the columns it was trained on, by name (extra
 * columns, the label among them, are ignored; a missing one is an error naming it); null for any
 * other input or run.
 */
async function tableInput(file: string, runDir: string): Promise<Tensor | null> {
  const ext = extname(file).toLowerCase();
  if (!TABLE_EXTENSIONS.includes(ext)) return null;
  const columns = trainedColumns(runDir);
  if (columns === null) return null;
  const jsonl = ext === '.jsonl' || ext === '.ndjson';
  const t = await readTable(file, {
    features: columns.features,
    ...(columns.delimiter === undefined || jsonl ? {} : { delimiter: columns.delimiter }),
  });
  return new Tensor(t.features, [t.rows, t.featureNames.length]);
}

/** The input reshaped to what the model takes: [N, C, H, W] for a cnn, anything [N, ...] for an mlp. */
function fitInput(x: Tensor, pre: Pretrained, file: string): Tensor {
  const c = pre.description.config as { inputs?: number; inChannels?: number; height?: number; width?: number };
  const per = sizeOf(x.shape.slice(1));
  const want = pre.description.arch === 'mlp' ? [c.inputs!] : [c.inChannels!, c.height!, c.width!];
  if (x.ndim < 2 || per !== sizeOf(want)) {
    throw new CliError(
      `${file}: examples of shape [${x.shape.slice(1).join(',')}] do not fit the model's input [${want.join(',')}]`,
    );
  }
  return x.reshape([x.shape[0]!, ...want]);
}

interface PredictFlags {
  input: string[];
  output?: string;
  limit?: string;
}

async function runPredict(ref: string, flags: PredictFlags, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  if (flags.output !== undefined) checkOutputFile(flags.output, '--output');
  const tasks = taskRun(ctx.root, ref);
  if (tasks !== null) {
    if (flags.input.length !== 1)
      throw new CliError(
        `a multi-task run predicts for one table or array file at a time, got ${flags.input.length} inputs`,
      );
    return predictTaskColumns(ctx, tasks, { ...flags, input: flags.input[0]! });
  }
  const { info, pre } = loadRunModel(ctx.root, ref);
  const input = flags.input.join(' ');
  // loaded here: it brings the tokenizers and wavefile libraries, which other commands never need;
  // a text or audio run reads its own inputs (a folder of WAVs is not a folder of images)
  const { sequenceInput } = await import('../sequence-input.js');
  const sequence =
    flags.input.length === 1
      ? sequenceInput(pre.description, info.dir, readRunConfig(info.dir), flags.input[0]!)
      : null;
  const images = sequence === null ? imageInputs(flags.input) : null;
  if (images === null && sequence === null && flags.input.length !== 1)
    throw new CliError(`several inputs are image files or folders only; got ${input}`);
  const x =
    images !== null
      ? fitInput(
          await imageInputTensor(images, (readRunConfig(info.dir) as { data?: unknown }).data, pre.description),
          pre,
          input,
        )
      : (sequence?.x ??
        fitInput(
          (await tableInput(flags.input[0]!, info.dir)) ?? readExamples(flags.input[0]!, { scaleBytes: true }),
          pre,
          flags.input[0]!,
        ));
  const files = images ?? sequence?.files;
  const task = taskOf(pre.model);
  const names = pre.description.tasks[0]!.classNames;
  const probs = predict(pre.model, x, { forward: (b: Tensor) => pre.model.forward(b)[task]! }).softmax(1);
  const classes = probs.argmax(1);
  const k = probs.shape[1]!;
  const rows = Array.from({ length: x.shape[0]! }, (_, i) => {
    const c = classes.data[i]!;
    // a class name from a crafted metadata.json may be anything: it is shown as text
    const name = names?.[c];
    return {
      index: i,
      ...(files === undefined ? {} : { file: files[i]! }),
      class: c,
      name: typeof name === 'string' ? name : name === undefined || name === null ? String(c) : safeCell(name),
      probability: probs.data[i * k + c]!,
    };
  });
  if (flags.output !== undefined) {
    writeFileAtomicSync(
      flags.output,
      flags.output.toLowerCase().endsWith('.json') ? JSON.stringify(rows) : predictionsCsv(rows),
    );
  }
  const shown = Number(flags.limit ?? 20);
  ctx.out.result({ run: info.id, checkpoint: pre.path, input, output: flags.output ?? null, predictions: rows }, () =>
    [
      table([
        ['index', ...(files === undefined ? [] : ['file']), 'class', 'name', 'probability'],
        ...rows
          .slice(0, shown)
          .map((r) => [
            String(r.index),
            ...(r.file === undefined ? [] : [r.file]),
            String(r.class),
            r.name,
            num(r.probability, 3),
          ]),
      ]),
      ...(rows.length > shown
        ? [
            `... ${rows.length - shown} more${flags.output === undefined ? ' (use --output FILE or --json for all)' : ''}`,
          ]
        : []),
      ...(flags.output === undefined ? [] : [`wrote ${rows.length} predictions to ${flags.output}`]),
    ].join('\n'),
  );
}

/**
 * Adds `eval` and `predict`.
 *
 * @example
 * registerEvalCommands(program);
 */
export function registerEvalCommands(program: Command): void {
  program
    .command('eval')
    .description("evaluate a training run's newest checkpoint on its test split (or other data)")
    .argument('<run>', 'run id, id suffix or directory')
    .option('-c, --config <file>', "a config file whose data section replaces the run's")
    .option('--data <source>', 'evaluate on another source (data.source)')
    .option('--classes <list>', 'only these classes (data.classes)')
    .option('--limit <n>', 'data.limit')
    .addOption(new Option('--set <key=value>', "set any key of the run's config (repeatable)").argParser(collect))
    .action((ref: string, flags: EvalFlags, cmd: Command) => runEval(ref, flags, cmd));
  program
    .command('predict')
    .description("predict the class of every example in a file with a training run's model")
    .argument('<run>', 'run id, id suffix or directory')
    .requiredOption(
      '-i, --input <files...>',
      'examples: .npy ([N, ...] floats), a table (.csv; .tsv, .jsonl for a run trained on a table: columns by name), IDX images, image files and folders (png, jpg, webp, gif, svg); text runs: .txt lines or a table; audio runs: a .wav file or folder',
    )
    .option('-o, --output <file>', 'write all predictions to a .csv or .json file')
    .option('--limit <n>', 'rows shown on the terminal', '20')
    .action((ref: string, flags: PredictFlags, cmd: Command) => runPredict(ref, flags, cmd));
}
