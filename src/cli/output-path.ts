/**
 * A file the CLI is asked to write (`predict --output`, a report's folder): checked before any
 * work, so that a typo in its folder costs one line, not a finished computation.
 *
 * @example
 * checkOutputFile('preds/p.csv', '--output'); // CliError "--output preds/p.csv: the folder preds does not exist" when missing
 */
import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from './errors.js';

/**
 * Throws a CliError naming `flag` and the path when the file's folder is missing or not a folder,
 * or when the path itself is a folder.
 *
 * @example
 * checkOutputFile(flags.output, '--output');
 */
export function checkOutputFile(path: string, flag: string): void {
  const folder = dirname(resolve(path));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    throw new CliError(`${flag} ${path}: the folder ${dirname(path)} does not exist; create it first`);
  }
  if (!stat.isDirectory()) throw new CliError(`${flag} ${path}: ${dirname(path)} is not a folder`);
  if (fs.existsSync(path) && fs.statSync(path).isDirectory())
    throw new CliError(`${flag} ${path}: is a folder, expected a file name`);
}
