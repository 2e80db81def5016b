/**
 * `polytask bench [args]`: the benchmark (`dist/bench/run.js`, what `npm run bench` runs) in a
 * child process with the terminal passed through; its arguments go along unchanged and its exit
 * status becomes polytask's.
 *
 * @example
 * polytask bench --quick
 * polytask bench --reps 5 --only W1,W3
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliError } from '../errors.js';

/** dist/bench/run.js, from this file's place in dist/src/cli/commands/. */
const BENCH = fileURLToPath(new URL('../../../bench/run.js', import.meta.url));

async function bench(cmd: Command): Promise<void> {
  if (!existsSync(BENCH)) throw new CliError(`${BENCH} is missing; build first with: npm run build`);
  const status = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH, ...cmd.args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
  if (status !== 0) process.exitCode = status;
}

/**
 * Adds `bench`.
 *
 * @example
 * registerBenchCommand(program);
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'speed against PyTorch, NumPy and TensorFlow.js (arguments go to bench/run.js: --quick, --reps N, --only W1,W2)',
    )
    .allowUnknownOption()
    .allowExcessArguments()
    .action((_flags: unknown, cmd: Command) => bench(cmd));
}
