/**
 * Checking a raw config against its zod schema and, when it fails, saying so in one line that
 * names where each problem is (the file, or the flag that set the key), the field path, what was
 * found and what is allowed:
 *
 *   examples/bad.yaml: training.epochs: found "three" (a string), expected an integer
 *   examples/bad.yaml: model: unknown key "hiden"; allowed: arch, hidden
 *   --lr: optimizer.lr: found -1, expected a number > 0
 *
 * @example
 * const config = validateConfig(trainConfigSchema, raw, { file: 'a.yaml', overrides });
 */
import type { z } from 'zod';
import { CliError } from '../errors.js';
import type { Override } from './overrides.js';
import { allowedKeys } from './schema-walk.js';

/** Where the raw config came from, to name it in errors. */
export interface ConfigOrigin {
  /** The config file, if any. */
  file?: string;
  /** Flags applied over it. */
  overrides?: readonly Override[];
}

/** Problems listed in full before the rest are counted. */
const MAX_LISTED = 3;

/** A found value in words: strings quoted, containers by kind. */
function found(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `${JSON.stringify(v)} (a string)`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object' && v !== null) return 'a mapping';
  return String(v);
}

const KINDS: Record<string, string> = {
  number: 'a number', int: 'an integer', string: 'a string', boolean: 'true or false', array: 'a list',
  object: 'a mapping', record: 'a mapping', null: 'null', literal: 'a fixed value', enum: 'one of the listed values',
};

function bound(issue: z.core.$ZodIssue, word: 'at least' | 'at most'): string {
  const i = issue as unknown as { origin?: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean };
  const limit = String(word === 'at least' ? i.minimum : i.maximum);
  if (i.origin === 'array') return `a list of ${word} ${limit} items`;
  if (i.origin === 'string') return `${word} ${limit} characters`;
  const op = word === 'at least' ? (i.inclusive === false ? '>' : '>=') : (i.inclusive === false ? '<' : '<=');
  return `a number ${op} ${limit}`;
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType, raw: unknown): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined ? `missing, expected ${KINDS[issue.expected] ?? issue.expected}` : `found ${found(input)}, expected ${KINDS[issue.expected] ?? issue.expected}`;
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, issue.path, raw);
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}${allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''}`;
    }
    case 'invalid_value':
      return `found ${found(input)}, expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}`;
    case 'invalid_union': {
      const { options, discriminator } = issue as unknown as { options?: unknown[]; discriminator?: string };
      // a discriminated union reports the whole mapping as its input: the value found is its key's
      const value = discriminator !== undefined && typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[discriminator] : input;
      if (options !== undefined) return `found ${found(value)}, expected one of ${options.map((v) => JSON.stringify(v)).join(', ')}`;
      return `found ${found(input)}, which matches none of the allowed forms`;
    }
    case 'too_small':
      return `found ${found(input)}, expected ${bound(issue, 'at least')}`;
    case 'too_big':
      return `found ${found(input)}, expected ${bound(issue, 'at most')}`;
    case 'not_multiple_of':
      return `found ${found(input)}, expected a multiple of ${String(issue.divisor)}`;
    default:
      return input === undefined ? issue.message : `found ${found(input)}: ${issue.message}`;
  }
}

/** The flag that set `path` or a key above it (the last one wins, as in applyOverrides). */
function overrideFor(path: string, overrides: readonly Override[]): Override | undefined {
  return [...overrides].reverse().find((o) => path === o.path || path.startsWith(`${o.path}.`));
}

/** `a.b[0].c`: the path as a reader writes it. */
function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? String(k) : `${s}.${String(k)}`), '');
}

/**
 * The parsed config (defaults filled in), or a CliError whose one-line message lists the problems.
 *
 * @example
 * validateConfig(z.strictObject({ n: z.number() }), { n: 'x' }, { file: 'c.yaml' }); // throws 'c.yaml: n: found "x" (a string), expected a number'
 */
export function validateConfig<S extends z.ZodType>(schema: S, raw: unknown, origin: ConfigOrigin = {}): z.output<S> {
  const r = schema.safeParse(raw, { reportInput: true });
  if (r.success) return r.data;
  const problems = r.error.issues.map((issue) => {
    const path = pathText(issue.path);
    const flag = overrideFor(path.replace(/\[(\d+)\]/g, '.$1'), origin.overrides ?? []);
    const where = flag?.source ?? origin.file ?? 'config';
    return `${where}: ${path === '' ? '' : `${path}: `}${describeIssue(issue, schema, raw)}`;
  });
  const more = problems.length > MAX_LISTED ? ` (and ${problems.length - MAX_LISTED} more)` : '';
  throw new CliError(`${problems.slice(0, MAX_LISTED).join('; ')}${more}`);
}
