/**
 * The `polytask` command line: the program with its global flags and every subcommand. Commander
 * parses; errors it finds (an unknown flag, a missing argument) are thrown rather than printed, so
 * that they leave as one line like every other error.
 *
 * @example
 * await buildProgram().parseAsync(['node', 'polytask', 'runs', 'list', '--json']);
 */
import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.js';
import { registerDataCommands } from './commands/data.js';
import { registerEvalCommands } from './commands/eval.js';
import { registerReportCommand } from './commands/report.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerStudyCommands } from './commands/study.js';
import { registerTrainingCommands } from './commands/train.js';
import { registerTransferabilityCommand } from './commands/transferability.js';
import { registerWorkerCommand } from './commands/worker.js';
import { PACKAGE_VERSION } from '../core/version.js';

/**
 * A fresh program (a new one per invocation: commander keeps parsed state on its commands).
 *
 * @example
 * buildProgram().helpInformation();
 */
export function buildProgram(): Command {
  const program = new Command('polytask')
    .description('learning from multiple tasks: transfer, multi-task, end-to-end vs pipeline')
    .version(PACKAGE_VERSION)
    .option('--runs-dir <dir>', 'where runs are kept (default: $POLYTASK_RUNS_DIR or ./runs)')
    .option('--json', 'print the result as JSON on stdout (for scripts)')
    .option('-q, --quiet', 'no progress and no notes (for CI); results and errors still print')
    .option('--debug', 'print the stack trace of an error')
    .exitOverride()
    // commander's own error lines are dropped: the thrown error is printed once, as every error is
    .configureOutput({ outputError: () => undefined });
  // subcommands made by .command() copy these settings from their parent
  registerTrainingCommands(program);
  registerEvalCommands(program);
  registerStudyCommands(program);
  registerTransferabilityCommand(program);
  registerBenchCommand(program);
  registerRunsCommands(program);
  registerReportCommand(program);
  registerDataCommands(program);
  registerWorkerCommand(program);
  return program;
}
