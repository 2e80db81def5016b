/**
 * Reading a config file for the CLI: the shared reader (src/config/read.ts: YAML or JSON by
 * extension, the top level a mapping, an empty file an empty mapping), its errors as CliErrors
 * naming the file and, for syntax errors, the line and column.
 *
 * @example
 * const raw = readConfigFile('examples/train-mnist-mlp.yaml'); // { model: { arch: 'mlp' }, ... }
 */
import { readConfigFile as readConfig } from '../../config/index.js';
import { asUsageError } from './validate.js';

/**
 * The parsed contents of a YAML or JSON config file.
 *
 * @example
 * readConfigFile('study.json');
 */
export function readConfigFile(file: string): Record<string, unknown> {
  return asUsageError(() => readConfig(file));
}
