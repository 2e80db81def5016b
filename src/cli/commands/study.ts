/**
 * `polytask study transfer|mtl|e2e`: one study in its own run directory, configured by a YAML or
 * JSON file whose schema the study's module owns, with flags over its keys; prints the verdict
 * and writes the report. Every finished sub-run of the study is recorded in the run's `subruns/`,
 * so a study stopped by Ctrl-C (or a crash) continues with `--resume RUN`: the run's own config,
 * the recorded sub-runs taken as they are, the others trained, and the same result in the end.
 *
 * @example
 * polytask study mtl -c examples/study-mtl.yaml --epochs 1
 * polytask study e2e --set seeds=[0,1] --json
 * polytask study mtl --resume <run>
 * polytask study mtl --workers 2                      # two worker processes on this machine
 * polytask study mtl --redis redis://queue-host:6379    # workers on other machines (polytask worker)
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { fingerprintData, fingerprintDigest, writeDataFingerprint } from '../../data/fingerprint.js';
import { readMetrics, readRunConfig, writeReport, METRICS_FILE, type RunInfo } from '../../report/index.js';
import { collect, flagOverrides } from '../config/flags.js';
import { loadConfig } from '../config/load.js';
import { contextOf, type CliContext } from '../context.js';
import { resumeFingerprint } from '../data-fingerprint.js';
import { CliError, EXIT } from '../errors.js';
import { duration } from '../format.js';
import { whileInterruptible } from '../interrupt.js';
import { findRun, otherKind, resumeCommand, RunSession } from '../run-store.js';
import { STUDIES } from '../studies/index.js';
import { openSubRuns, runStudy, StudyStopped } from '../studies/run-study.js';
import type { StudyDefinition } from '../studies/types.js';
import { verdictLines } from '../studies/verdict.js';
import { executorFromConfig, studyExecutor, type ExecutorFlags } from '../study-executor.js';
import { recordFrom } from '../../core/safe-keys.js';
import { atPrecision, parsePrecisionFlag } from '../precision.js';

interface StudyFlags {
  config?: string;
  workers?: string;
  redis?: string;
  queue?: string;
  resume?: string;
  precision?: string;
  report: boolean;
  [key: string]: unknown;
}

/** The study's config: from its file and flags, or, to resume, the run's own (flags refused). */
function loadStudyConfig<Config, Result>(
  study: StudyDefinition<Config, Result>,
  ctx: CliContext,
  flags: StudyFlags,
): { config: Config; resumed: RunInfo | null; executor: ExecutorFlags } {
  // the study's own options first, so that an explicit --set has the last word
  const overrides = [...(study.expand?.(flags, ctx.root) ?? []), ...flagOverrides(flags, study.flags, study.schema)];
  if (flags.resume === undefined) {
    // the file's `executor:` says where the sub-runs train; it is not part of the study's config
    const { config, taken } = loadConfig(study.schema, {
      ...(flags.config === undefined ? {} : { file: flags.config }),
      overrides,
      take: ['executor'],
    });
    return {
      config,
      resumed: null,
      executor: flags.config === undefined ? {} : executorFromConfig(taken.executor, flags.config),
    };
  }
  // any change would mix sub-runs of two different studies into one result
  const change = flags.config === undefined ? overrides[0]?.source : '--config';
  if (change !== undefined)
    throw new CliError(`--resume continues a study with the config it started with: drop ${change}`);
  const info = findRun(ctx.root, flags.resume);
  if (info.kind !== `study-${study.key}`) throw otherKind(info, ctx.root);
  const stored = readRunConfig(info.dir);
  const base = typeof stored === 'object' && stored !== null ? recordFrom(Object.entries(stored)) : {};
  return { config: loadConfig(study.schema, { base }).config, resumed: info, executor: {} };
}

async function runStudyCommand<Config, Result>(
  study: StudyDefinition<Config, Result>,
  flags: StudyFlags,
  cmd: Command,
): Promise<void> {
  const ctx = contextOf(cmd);
  const { config, resumed, executor: fromFile } = loadStudyConfig(study, ctx, flags);
  const given = flags.workers !== undefined || flags.redis !== undefined;
  const makeExecutor = studyExecutor(
    given ? flags : { ...fromFile, ...(flags.queue === undefined ? {} : { queue: flags.queue }) },
    study.key,
    ctx.out,
  );
  // what the config names (the transfer study's data, the e2e study's own case) is checked, and
  // fingerprinted, before the run directory exists; a resume over changed data is refused here
  await study.check?.(config);
  const inputs = (await study.dataInputs?.(config)) ?? { files: [] };
  const fingerprint = resumed === null ? await fingerprintData(inputs) : await resumeFingerprint(resumed.dir, inputs);
  const digest = fingerprintDigest(fingerprint);
  // opened before the run is marked running again: records of another config or data refuse the resume
  const recorded = resumed === null ? null : openSubRuns(resumed.dir, study.key, config, ctx.out, digest);
  const run =
    resumed === null
      ? RunSession.start(ctx.root, `study-${study.key}`, config)
      : RunSession.reopen(ctx.root, resumed, config);
  writeDataFingerprint(run.dir, fingerprint);
  const subRuns = recorded ?? openSubRuns(run.dir, study.key, config, ctx.out, digest);
  ctx.out.note(`${study.title} study, run ${run.id}: ${run.dir}`);
  if (resumed !== null) ctx.out.note(`resuming: ${subRuns.size} sub-runs already recorded are not trained again`);
  const executor = (await makeExecutor?.({ runId: run.id, config, subRuns: subRuns.root })) ?? null;
  if (executor !== null) ctx.out.note(`sub-runs trained by ${executor.name}`);
  try {
    const { result, seconds } = await whileInterruptible(ctx.out, (signal) =>
      runStudy(study, config, { run, out: ctx.out, bars: ctx.bars, subRuns, signal, executor: executor ?? undefined }),
    );
    const verdict = study.verdict(result);
    const report = flags.report
      ? (
          await writeReport(run.dir, {
            title: `polytask study ${study.key}: ${study.title}`,
            meta: [
              ['run', run.id],
              ['time', duration(seconds)],
            ],
            config,
            data: { metrics: readMetrics(join(run.dir, METRICS_FILE)), ...study.report(result) },
          })
        ).html
      : null;
    run.finish('completed', { verdict: verdict.headline, numbers: verdict.numbers, seconds });
    ctx.out.result({ run: run.id, dir: run.dir, verdict, result, report }, () =>
      [
        ...verdictLines(verdict, study.title),
        `time: ${duration(seconds)}`,
        ...(report === null ? [] : [`report: ${report}`]),
      ].join('\n'),
    );
  } catch (err) {
    const stopped = err instanceof StudyStopped;
    if (stopped) run.finish('stopped', { subRunsRecorded: subRuns.size });
    else run.fail(err, { subRunsRecorded: subRuns.size });
    const resume = resumeCommand(run.info, ctx.root)!;
    if (!stopped) {
      // a crash or a failed sub-run need not cost the runs that finished before it
      if (subRuns.size > 0)
        ctx.out.note(`polytask: ${subRuns.size} sub-runs recorded; after a fix, resume with: ${resume}`);
      throw err;
    }
    ctx.out.result({ run: run.id, dir: run.dir, status: 'stopped', subRunsRecorded: subRuns.size, resume }, () =>
      [`${err.message}: ${subRuns.size} sub-runs recorded`, `resume with: ${resume}`].join('\n'),
    );
    process.exitCode = EXIT.interrupted;
  } finally {
    await executor?.close();
  }
}

/**
 * Adds `study <name>` for every study.
 *
 * @example
 * registerStudyCommands(program);
 */
export function registerStudyCommands(program: Command): void {
  const group = program
    .command('study')
    .description('run one of the three studies: transfer, mtl (multi-task), e2e (end-to-end vs pipeline)');
  for (const study of STUDIES) {
    const cmd = group
      .command(study.key)
      .description(`${study.title} study`)
      .option('-c, --config <file>', 'YAML or JSON study config (see examples/)');
    for (const [option, path] of Object.entries(study.flags)) {
      cmd.option(
        `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} <value>`,
        `sets ${path} (lists: comma-separated)`,
      );
    }
    for (const o of study.options) cmd.option(o.flags, o.description);
    cmd
      .addOption(new Option('--set <key=value>', 'set any config key (repeatable)').argParser(collect))
      .option('--resume <run>', 'continue a stopped study: its recorded sub-runs are not trained again')
      .option('--no-report', 'skip writing report.html and the chart PNGs')
      .option('--precision <p>', 'fp32 (default) or bf16: matmuls and convolutions in bf16 mixed precision')
      .option('--workers <n>', 'train the sub-runs in N worker processes on this machine')
      .option(
        '--redis <url>',
        'train the sub-runs on `polytask worker`s through this Redis (redis://[user:pass@]host[:port][/db], rediss:// for TLS; default $POLYTASK_REDIS)',
      )
      .option('--queue <name>', 'the queue on Redis (default polytask)')
      // --precision: the whole command, its worker processes (--workers) included
      .action((flags: StudyFlags, c: Command) =>
        study.use((d) => atPrecision(parsePrecisionFlag(flags.precision), () => runStudyCommand(d, flags, c))),
      );
  }
}
