/**
 * The command line of the main job (`npm start [-- --quick]`, `node dist/src/main.js`): its flags,
 * and the summary printed at the end (or as JSON); a study that failed makes the exit status 1,
 * a Ctrl-C 130, and `--resume RUN` continues a job that stopped.
 *
 * @example
 * process.exitCode = await runCli(process.argv, mainProgram());
 */
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { collect } from './config/flags.js';
import { parseSetFlag } from './config/overrides.js';
import { contextOf } from './context.js';
import { CliError, EXIT } from './errors.js';
import { mainJobText, runMainJob } from './main-job.js';
import { STUDIES } from './studies/index.js';
import { CASES, caseStudies, findCase } from './cases/index.js';
import { positiveInt } from './study-executor.js';

interface MainFlags {
  quick?: boolean;
  case?: string;
  set?: string[];
  resume?: string;
  workers?: string;
}

/**
 * The worker processes of `npm start` without `--workers`: the full run on the embedded MNIST
 * trains two sub-runs side by side on a machine of two cores or more (its studies' main settings
 * take about 14 CPU-minutes at one thread: under 10 minutes on two cores only in parallel);
 * `--quick` and `--case` run here.
 */
function defaultWorkers(flags: MainFlags): number | undefined {
  if (flags.workers !== undefined) return positiveInt('--workers', flags.workers);
  return flags.quick === true || flags.case !== undefined || availableParallelism() < 2 ? undefined : 2;
}

/**
 * The main job's program.
 *
 * @example
 * await mainProgram().parseAsync(['node', 'main.js', '--quick']);
 */
export function mainProgram(): Command {
  return new Command('polytask-main')
    .description(
      'the whole story on the embedded MNIST: a transfer, a multi-task and an end-to-end vs pipeline study, their verdicts and one report',
    )
    .option('--quick', 'smaller settings: under two minutes on two cores')
    .addOption(
      new Option(
        '--case <name>',
        `real data instead of the embedded MNIST (prepared into the cache on first use): ${CASES.map((c) => `${c.name} (${c.summary})`).join('; ') || 'none yet'}`,
      ),
    )
    .addOption(
      new Option(
        '--set <study.key=value>',
        'change a study setting, e.g. --set e2e.seeds=3 or --set mtl.methods=[ew,famo] (repeatable)',
      ).argParser(collect),
    )
    .option('--resume <run>', 'continue a stopped main job: its recorded sub-runs are not trained again')
    .option(
      '--workers <n>',
      "train each study's sub-runs in N worker processes on this machine (default: 2 for the full run on 2 cores or more; 1: here)",
    )
    .option('--runs-dir <dir>', 'where runs are kept (default: $POLYTASK_RUNS_DIR or ./runs)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('-q, --quiet', 'no progress and no notes')
    .option('--debug', 'print the stack trace of an error')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .action(async (flags: MainFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (flags.resume !== undefined && flags.quick === true)
        throw new CliError('--resume continues the main job with the settings it started with: drop --quick');
      const chosen = flags.case === undefined ? undefined : findCase(flags.case);
      const summary = await runMainJob({
        quick: flags.quick === true,
        studies: chosen === undefined ? STUDIES : caseStudies(chosen, STUDIES),
        ...(chosen === undefined ? {} : { case: chosen }),
        ctx,
        overrides: (flags.set ?? []).map(parseSetFlag),
        ...(flags.resume === undefined ? {} : { resume: flags.resume }),
        workers: defaultWorkers(flags),
      });
      ctx.out.result(summary, () => mainJobText(summary));
      if (summary.status !== 'completed')
        process.exitCode = summary.status === 'stopped' ? EXIT.interrupted : EXIT.failure;
    });
}
