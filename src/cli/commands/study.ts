/**
 * `polytask study transfer|mtl|e2e`: one study in its own run directory, configured by a YAML or
 * JSON file whose schema the study's module owns, with flags over its keys; prints the verdict
 * and writes the report.
 *
 * @example
 * polytask study mtl -c examples/study-mtl.yaml --epochs 1
 * polytask study e2e --set seeds=[0,1] --json
 */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { readMetrics, writeReport, METRICS_FILE, type ReportData } from '../../report/index.js';
import { collect, flagOverrides } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import { contextOf } from '../context.js';
import { EXIT } from '../errors.js';
import { duration } from '../format.js';
import { RunSession } from '../run-store.js';
import { STUDIES } from '../studies/index.js';
import { runStudy, StudyStopped } from '../studies/run-study.js';
import type { StudyDefinition } from '../studies/types.js';
import { verdictLines, verdictOf } from '../studies/verdict.js';

interface StudyFlags {
  config?: string;
  report: boolean;
  [key: string]: unknown;
}

async function runStudyCommand(study: StudyDefinition, flags: StudyFlags, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const { config } = loadConfig(study.schema, { ...(flags.config === undefined ? {} : { file: flags.config }), overrides: flagOverrides(flags, study.flags, study.schema) });
  const run = RunSession.start(ctx.root, `study-${study.key}`, config);
  ctx.out.note(`${study.title} study, run ${run.id}: ${run.dir}`);
  try {
    const { result, seconds } = await runStudy(study, config, { run, out: ctx.out, bars: ctx.bars });
    const verdict = verdictOf(study.key, result);
    const report = flags.report
      ? (await writeReport(run.dir, {
        title: `polytask study ${study.key}: ${study.title}`,
        meta: [['run', run.id], ['time', duration(seconds)]],
        config, data: { metrics: readMetrics(join(run.dir, METRICS_FILE)), [study.key]: result } as ReportData,
      })).html
      : null;
    run.finish('completed', { verdict: verdict.headline, numbers: verdict.numbers, seconds });
    ctx.out.result({ run: run.id, dir: run.dir, verdict, result, report }, () => [
      ...verdictLines(verdict, study.title), `time: ${duration(seconds)}`, ...(report === null ? [] : [`report: ${report}`]),
    ].join('\n'));
  } catch (err) {
    run.finish(err instanceof StudyStopped ? 'stopped' : 'failed');
    if (!(err instanceof StudyStopped)) throw err;
    ctx.out.note(`polytask: ${err.message}; run it again to start over`);
    process.exitCode = EXIT.interrupted;
  }
}

/**
 * Adds `study <name>` for every study.
 *
 * @example
 * registerStudyCommands(program);
 */
export function registerStudyCommands(program: Command): void {
  const group = program.command('study').description('run one of the three studies: transfer, mtl (multi-task), e2e (end-to-end vs pipeline)');
  for (const study of STUDIES) {
    const cmd = group.command(study.key).description(`${study.title} study`)
      .option('-c, --config <file>', 'YAML or JSON study config (see examples/)');
    for (const [option, path] of Object.entries(study.flags)) {
      cmd.option(`--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} <value>`, `sets ${path} (lists: comma-separated)`);
    }
    cmd.addOption(new Option('--set <key=value>', 'set any config key (repeatable)').argParser(collect))
      .option('--no-report', 'skip writing report.html and the chart PNGs')
      .action((flags: StudyFlags, c: Command) => runStudyCommand(study, flags, c));
  }
}
