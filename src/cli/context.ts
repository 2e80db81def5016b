/**
 * What every command gets from the global flags: the output (`--json`, `--quiet`), progress bars,
 * the runs root (`--runs-dir`, `POLYTASK_RUNS_DIR`) and `--debug`.
 *
 * @example
 * program.command('runs').action((opts, cmd) => { const ctx = contextOf(cmd); ctx.out.note(ctx.root); });
 */
import type { Command } from 'commander';
import { Output } from './output.js';
import { ProgressBars } from './progress.js';
import { runsRoot } from './run-store.js';

/** The global flags, as commander parses them. */
export interface GlobalFlags {
  runsDir?: string;
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

export interface CliContext {
  out: Output;
  bars: ProgressBars;
  /** Absolute path of the runs root. */
  root: string;
  debug: boolean;
}

/**
 * The context of the command being run (its own flags merged with the program's).
 *
 * @example
 * const { out, root } = contextOf(cmd);
 */
export function contextOf(cmd: Command): CliContext {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  const out = new Output({ json: g.json === true, quiet: g.quiet === true });
  return { out, bars: new ProgressBars(out), root: runsRoot(g.runsDir), debug: g.debug === true };
}
