/**
 * The one zod-issue formatter: a failed parse becomes a ConfigError whose problems each name the
 * source (the file, or the flag that set the key), the field path (`a.b[1].c`), what was found and
 * what was expected. Unknown keys get "did you mean" when a known key is close (suggest.ts), the
 * list of allowed keys otherwise.
 *
 * @example
 * parseConfig(z.strictObject({ epochs: z.int() }), { epoch: 3 }, 'study.yaml');
 * // ConfigError: study.yaml: unknown key "epoch"; did you mean "epochs"?
 */
import type * as z from 'zod';
import { describeValue } from './describe.js';
import { ConfigError, type ConfigProblem } from './error.js';
import { allowedKeys, wantsInteger } from './schema-walk.js';
import { unknownKeyText } from './suggest.js';

/** A key set from outside the config (a flag): its dotted path and the flag's name. */
export interface ConfigOverride {
  path: string;
  source: string;
}

/** Where a raw config came from, to name it in errors. */
export interface ConfigOrigin {
  /** The file, or what stands for it ('e2e study config'); 'config' when absent. */
  file?: string;
  /** Flags applied over it: a problem in a key they set names the flag. */
  overrides?: readonly ConfigOverride[];
}

type Issue = z.core.$ZodIssue;

const KINDS: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'null',
  literal: 'a fixed value',
  enum: 'one of the listed values',
};

const kind = (expected: string): string => KINDS[expected] ?? expected;

/** The value at `path` in `input`, or undefined. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function bound(
  issue: { origin?: string; exact?: boolean; inclusive?: boolean },
  limit: unknown,
  small: boolean,
): string {
  const word = issue.exact === true ? 'exactly' : small ? 'at least' : 'at most';
  if (issue.origin === 'array' || issue.origin === 'set')
    return `a list of ${word} ${String(limit)} item${limit === 1 ? '' : 's'}`;
  if (issue.origin === 'string') return `${word} ${String(limit)} character${limit === 1 ? '' : 's'}`;
  const op =
    issue.exact === true
      ? '='
      : small
        ? issue.inclusive === false
          ? '>'
          : '>='
        : issue.inclusive === false
          ? '<'
          : '<=';
  return `a number ${op} ${String(limit)}`;
}

/** A union's expectation: the discriminator's values, or the kinds its members want when each failed on its type. */
function unionExpected(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  found: unknown,
): { value: unknown; expected: string } {
  const { options, discriminator } = issue as unknown as { options?: unknown[]; discriminator?: string };
  if (options !== undefined) {
    // a discriminated union reports the whole mapping as its input: the value found is its key's
    const value =
      discriminator !== undefined && typeof found === 'object' && found !== null
        ? (found as Record<string, unknown>)[discriminator]
        : found;
    return { value, expected: `one of ${options.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  const kinds = issue.errors.map((branch) =>
    branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0
      ? kind(branch[0]!.expected)
      : null,
  );
  if (kinds.length > 0 && kinds.every((k) => k !== null))
    return { value: found, expected: [...new Set(kinds)].join(' or ') };
  return { value: found, expected: 'one of the allowed forms' };
}

/** What is wrong at one issue's path (an unknown-keys issue is handled by the caller). */
function detailOf(issue: Issue, schema: z.ZodType, input: unknown): string {
  const found = 'input' in issue ? issue.input : valueAt(input, issue.path);
  const at = (expected: string): string => `found ${describeValue(found)}, expected ${expected}`;
  switch (issue.code) {
    case 'invalid_type': {
      // a string where z.int() stands is reported as "expected number": the schema knows better
      const expected = issue.expected === 'number' && wantsInteger(schema, issue.path, input) ? 'int' : issue.expected;
      return found === undefined ? `missing, expected ${kind(expected)}` : at(kind(expected));
    }
    case 'invalid_value':
      return at(
        issue.values.length === 1
          ? JSON.stringify(issue.values[0])
          : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
      );
    case 'invalid_union': {
      const u = unionExpected(issue, found);
      return `found ${describeValue(u.value)}, expected ${u.expected}`;
    }
    case 'too_small':
      return at(bound(issue, issue.minimum, true));
    case 'too_big':
      return at(bound(issue, issue.maximum, false));
    case 'not_multiple_of':
      return at(`a multiple of ${String(issue.divisor)}`);
    case 'invalid_key':
      return `found the key ${JSON.stringify(String(issue.path.at(-1)))}, expected ${issue.issues.map((i) => i.message).join(', ')}`;
    case 'invalid_format':
      // zod's own text ("Invalid string: must match pattern ...") is not a phrase of what is expected
      return at(
        issue.message.startsWith('Invalid') && 'pattern' in issue
          ? `text matching ${String(issue.pattern)}`
          : issue.message,
      );
    default:
      // custom checks: the schema's message says what is expected ('at least one task')
      return at(issue.message);
  }
}

/** The flag that set `path` or a key above it (the last one wins, as flags are applied in order). */
function overrideFor(path: readonly PropertyKey[], overrides: readonly ConfigOverride[]): ConfigOverride | undefined {
  const keys = path.map(String);
  return [...overrides].reverse().find((o) => {
    const set = o.path.split('.');
    return set.length <= keys.length && set.every((k, i) => k === keys[i]);
  });
}

/**
 * The problems of a failed parse, one per issue (one per key of an unknown-keys issue).
 *
 * @example
 * const r = schema.safeParse(raw, { reportInput: true });
 * if (!r.success) configProblems(r.error.issues, schema, raw, { file: 'a.yaml' });
 */
export function configProblems(
  issues: readonly Issue[],
  schema: z.ZodType,
  input: unknown,
  origin: ConfigOrigin = {},
): ConfigProblem[] {
  const sourceOf = (path: readonly PropertyKey[]): string =>
    overrideFor(path, origin.overrides ?? [])?.source ?? origin.file ?? 'config';
  return issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = allowedKeys(schema, issue.path, input);
      return issue.keys.map((k) => ({
        source: sourceOf([...issue.path, k]),
        path: issue.path,
        detail: unknownKeyText(k, known),
      }));
    }
    return [{ source: sourceOf(issue.path), path: issue.path, detail: detailOf(issue, schema, input) }];
  });
}

/**
 * `input` parsed by `schema` (defaults filled in), or a ConfigError listing every problem.
 * `origin` is the file name, or the file and the flags applied over it.
 *
 * @example
 * parseConfig(studyConfigSchema, { epochs: 'three' }, 'study.yaml');
 * // ConfigError: study.yaml: epochs: found "three" (a string), expected an integer
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  origin: string | ConfigOrigin,
): z.output<S> {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  const o = typeof origin === 'string' ? { file: origin } : origin;
  throw new ConfigError(o.file ?? 'config', configProblems(r.error.issues, schema, input, o));
}
