/**
 * Running a command line to an exit status: the program parses and runs the command; every error
 * is printed as one line on stderr (with its stack under --debug) and turned into a non-zero
 * status; help and --version are not errors.
 *
 * @example
 * process.exitCode = await runCli(process.argv);
 */
import { CommanderError, type Command } from 'commander';
import { errorLine, exitCodeOf, EXIT } from './errors.js';

/** Commander's outcomes that are not failures even though it throws them. */
const NOT_ERRORS = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

/**
 * Reports `err` on stderr in one line (and the stack when `debug`), and returns the exit status.
 *
 * @example
 * return reportError(err, argv.includes('--debug'));
 */
export function reportError(err: unknown, debug: boolean, stderr: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof CommanderError) {
    if (NOT_ERRORS.has(err.code)) return err.exitCode;
    stderr.write(`polytask: ${err.message.replace(/^error: /, '')} (see --help)\n`);
    return EXIT.usage;
  }
  stderr.write(`${errorLine(err)}\n`);
  if (debug && err instanceof Error && err.stack !== undefined) stderr.write(`${err.stack}\n`);
  return exitCodeOf(err);
}

/**
 * Parses `argv` (node, script, args...) with `program` and runs the command; resolves to the exit
 * status (a command may set process.exitCode, e.g. 130 after a clean stop on Ctrl-C).
 *
 * @example
 * const status = await runCli(['node', 'polytask', 'runs', 'list'], buildProgram());
 */
export async function runCli(argv: readonly string[], program: Command): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return reportError(err, argv.includes('--debug'));
  }
}
