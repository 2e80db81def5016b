/**
 * The config of a command: its file (if any) read, the flags applied over it, and the result
 * validated against the command's schema, in that order, so flags override keys and are checked
 * like them. Nothing is written before this succeeds, so a bad config leaves no files behind.
 *
 * @example
 * const { config } = loadConfig(trainConfigSchema, { file: opts.config, overrides: [{ path: 'training.epochs', value: 5, source: '--epochs' }] });
 */
import type { z } from 'zod';
import { applyOverrides, type Override } from './overrides.js';
import { readConfigFile } from './read-file.js';
import { validateConfig } from './validate.js';
import { recordFrom } from '../../core/safe-keys.js';

export interface LoadConfigOptions {
  file?: string;
  overrides?: readonly Override[];
  /** Starting values when there is no file (a resumed run's stored config). */
  base?: Record<string, unknown>;
  /** Top-level keys of the file the command reads itself (a study's `executor`), left out of the config. */
  take?: readonly string[];
}

/**
 * The validated config and the raw mapping it came from.
 *
 * @example
 * loadConfig(trainConfigSchema, {}).config.training.epochs; // 3 (the default)
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  opts: LoadConfigOptions,
): { config: z.output<S>; raw: Record<string, unknown>; taken: Record<string, unknown> } {
  const read = opts.file === undefined ? (opts.base ?? {}) : readConfigFile(opts.file);
  const take = new Set(opts.take ?? []);
  const fromFile = recordFrom(Object.entries(read).filter(([k]) => !take.has(k)));
  const taken = recordFrom(Object.entries(read).filter(([k]) => take.has(k)));
  const raw = applyOverrides(fromFile, opts.overrides ?? []);
  const config = validateConfig(schema, raw, {
    ...(opts.file === undefined ? {} : { file: opts.file }),
    overrides: opts.overrides ?? [],
  });
  return { config, raw, taken };
}
