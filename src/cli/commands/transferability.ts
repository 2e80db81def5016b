/**
 * `polytask transferability RUN...`: ranks pre-trained runs (or checkpoint directories) for a
 * target data set before any fine-tuning, by LogME, LEEP, H-score and NCE computed on the frozen
 * trunk's features of the target's labelled examples (transfer's rankCheckpoints).
 *
 * @example
 * polytask transferability 3fa2c1 9b0e44 --data mnist --classes 5,6,7,8,9 --limit 500
 * polytask transferability runs/*-pretrain-* -c examples/finetune-digits.yaml --metric leep --json
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  rankCheckpoints,
  transferabilityMetrics,
  type TransferabilityMetric,
} from '../../transfer/transferability/rank.js';
import { collect, flagOverrides } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import { readConfigFile } from '../config/read-file.js';
import { dataConfigSchema } from '../config/train-schema.js';
import { contextOf } from '../context.js';
import { loadData } from '../../data/sources/index.js';
import { CliError } from '../errors.js';
import { num, table } from '../format.js';
import { pretrainedPath } from '../supervised/setup.js';

interface TransferabilityFlags {
  config?: string;
  metric: string;
  maxExamples: string;
  [key: string]: unknown;
}

async function transferability(refs: string[], flags: TransferabilityFlags, cmd: Command): Promise<void> {
  const { out, root, bars } = contextOf(cmd);
  if (!(transferabilityMetrics as readonly string[]).includes(flags.metric))
    throw new CliError(`--metric: found "${flags.metric}", expected one of ${transferabilityMetrics.join(', ')}`);
  const maxExamples = Number(flags.maxExamples);
  if (!Number.isInteger(maxExamples) || maxExamples < 2)
    throw new CliError(`--max-examples: found "${flags.maxExamples}", expected an integer >= 2`);
  // a training config may be given as the target: only its data and seed matter here
  const file = flags.config === undefined ? undefined : readConfigFile(flags.config);
  const base =
    file === undefined
      ? {}
      : {
          ...(file.data === undefined ? {} : { data: file.data }),
          ...(file.seed === undefined ? {} : { seed: file.seed }),
        };
  const overrides = flagOverrides(
    flags,
    { data: 'data.source', classes: 'data.classes', limit: 'data.limit', seed: 'seed' },
    dataConfigSchema,
  );
  const { config } = loadConfig(dataConfigSchema, { base, overrides });
  const target = await loadData(config.data, config.seed);
  const candidates = refs.map((ref) => ({ name: ref, path: pretrainedPath(root, ref) }));
  const bar = bars.bar('transferability', candidates.length);
  let ranked;
  try {
    ranked = await rankCheckpoints(candidates, target.train, {
      metric: flags.metric as TransferabilityMetric,
      maxExamples,
      seed: config.seed,
      onProgress: (e) => bar.update(e.done, { tasks: e.name }),
    });
  } finally {
    bars.stop();
  }
  out.result({ target: target.description, metric: flags.metric, ranking: ranked }, () =>
    [
      `target: ${target.description}; ranked by ${flags.metric} (higher is better)`,
      table([
        ['rank', 'run', 'logme', 'leep', 'hScore', 'nce', 'examples'],
        ...ranked.map((r) => [
          String(r.rank),
          r.name,
          num(r.scores.logme),
          num(r.scores.leep),
          num(r.scores.hScore),
          num(r.scores.nce),
          String(r.scores.examples),
        ]),
      ]),
    ].join('\n'),
  );
}

/**
 * Adds `transferability`.
 *
 * @example
 * registerTransferabilityCommand(program);
 */
export function registerTransferabilityCommand(program: Command): void {
  program
    .command('transferability')
    .description('rank pre-trained runs for a target data set before fine-tuning (LogME, LEEP, H-score, NCE)')
    .argument('<runs...>', 'pre-trained runs (ids or directories) or checkpoint directories')
    .option('-c, --config <file>', 'a config whose data section (and seed) is the target')
    .option('--data <source>', 'target source (data.source)')
    .option('--classes <list>', 'target classes (data.classes)')
    .option('--limit <n>', 'target examples (data.limit)')
    .option('--seed <n>', 'seed of the target split')
    .option('--metric <name>', `score to rank by: ${transferabilityMetrics.join(', ')}`, 'logme')
    .option('--max-examples <n>', 'score at most this many target examples', '2000')
    .addOption(new Option('--set <key=value>', 'set any key of the target config (repeatable)').argParser(collect))
    .action((refs: string[], flags: TransferabilityFlags, cmd: Command) => transferability(refs, flags, cmd));
}
