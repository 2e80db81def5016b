/**
 * Command-line flags that stand for config keys (`--epochs` for `training.epochs`), turned into
 * overrides in the order flags, then `--set`s, so an explicit `--set` has the last word.
 *
 * @example
 * flagOverrides({ epochs: '5', set: ['optimizer.lr=0.01'] }, { epochs: 'training.epochs' });
 * // [{ path: 'training.epochs', value: 5, source: '--epochs' }, { path: 'optimizer.lr', value: 0.01, source: '--set optimizer.lr' }]
 */
import type { z } from 'zod';
import { flagValue, parseSetFlag, type Override } from './overrides.js';
import { schemaAt } from '../../config/index.js';

/** Whether the schema wants a list at `path`. */
function isListAt(schema: z.ZodType, path: string): boolean {
  const s = schemaAt(schema, path.split('.'), {});
  return s !== undefined && (s as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'array';
}

/** A camelCase option name as its flag: batchSize → --batch-size. */
const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * The overrides that the given options make, by the mapping from option name to config path.
 *
 * @example
 * flagOverrides({ classes: '0,1,2' }, { classes: 'data.classes' })[0].value; // [0, 1, 2]
 */
export function flagOverrides(
  opts: Record<string, unknown>,
  paths: Readonly<Record<string, string>>,
  schema?: z.ZodType,
): Override[] {
  const out: Override[] = [];
  for (const [key, path] of Object.entries(paths)) {
    const v = opts[key];
    if (v === undefined) continue;
    // a comma-separated flag value is a list (--classes 0,1,2); YAML reads the rest
    let value =
      typeof v === 'string' && /^[^[{'"]*,/.test(v)
        ? v.split(',').map((s) => flagValue(s.trim()))
        : typeof v === 'string'
          ? flagValue(v)
          : v;
    // one item for a key that takes a list (--methods ew) is a list of one
    if (schema !== undefined && !Array.isArray(value) && isListAt(schema, path)) value = [value];
    out.push({ path, value, source: flagName(key) });
  }
  for (const s of (opts.set as string[] | undefined) ?? []) out.push(parseSetFlag(s));
  return out;
}

/**
 * Collects a repeatable option's values (commander's argParser for `--set`).
 *
 * @example
 * new Option('--set <key=value>').argParser(collect).default([]);
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
