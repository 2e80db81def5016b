/**
 * Checking a raw config against its zod schema, for the CLI: the shared formatter
 * (src/config/issues.ts) writes the one line, naming where each problem is (the file, or the flag
 * that set the key), the field path, what was found and what was expected; here it becomes a
 * CliError (exit status 2: the user can fix it).
 *
 *   examples/bad.yaml: training.epochs: found "three" (a string), expected an integer
 *   examples/bad.yaml: model: unknown key "hiden"; did you mean "hidden"?
 *   --lr: optimizer.lr: found -1, expected a number > 0
 *
 * @example
 * const config = validateConfig(trainConfigSchema, raw, { file: 'a.yaml', overrides });
 */
import type { z } from 'zod';
import { ConfigError, parseConfig, type ConfigOrigin } from '../../config/index.js';
import { CliError } from '../errors.js';

/**
 * `fn()`, with a ConfigError turned into a CliError of the same message.
 *
 * @example
 * const raw = asUsageError(() => readConfig('a.yaml'));
 */
export function asUsageError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * The parsed config (defaults filled in), or a CliError whose one-line message lists the problems.
 *
 * @example
 * validateConfig(z.strictObject({ n: z.number() }), { n: 'x' }, { file: 'c.yaml' }); // throws 'c.yaml: n: found "x" (a string), expected a number'
 */
export function validateConfig<S extends z.ZodType>(schema: S, raw: unknown, origin: ConfigOrigin = {}): z.output<S> {
  return asUsageError(() => parseConfig(schema, raw, origin));
}
