/**
 * `npm start`: the main job. Runs a transfer study, a multi-task study and an end-to-end vs
 * pipeline study on the embedded MNIST at small settings, prints their verdicts with the key
 * numbers and the path of the report. `npm start -- --quick` runs smaller settings; `--help` lists
 * the flags.
 *
 * @example
 * // $ npm start -- --quick
 */
import { mainProgram } from './cli/main-command.js';
import './backends/index.js'; // registers the built-in backends
import { runCli } from './cli/run.js';

process.exitCode = await runCli(process.argv, mainProgram());
