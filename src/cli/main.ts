#!/usr/bin/env node
/**
 * The `polytask` executable (package.json `bin`): runs the command line and exits with its status.
 *
 * @example
 * // $ polytask train --epochs 1
 * // $ polytask runs list --json
 */
import '../backends/index.js'; // registers the built-in backends
import { buildProgram } from './program.js';
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv, buildProgram());
