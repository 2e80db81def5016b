/**
 * Configuration errors that say where and what: the file, the field path, what was found there and
 * what is allowed, e.g.
 *   tasks.yaml: tasks.left.kind: found "multi-class", allowed one of multiclass, binary, multilabel, regression
 * Schema violations come from zod (every issue of a parse is reported, one per clause); checks that
 * need the data (a CSV column that is not there) throw the same error by hand.
 *
 * @example
 * const config = parseConfig(taskDescriptionSchema, YAML.parse(text), 'tasks.yaml');
 * throw new ConfigError('tasks.yaml', ['tasks', 'left', 'targets', 'column'], '"dgt"', 'a column of labels.csv: left, right');
 */
import type * as z from 'zod';
import { PolytaskError } from '../../core/errors.js';

/** One problem: where, what is there, what would do. */
export interface ConfigProblem {
  path: readonly PropertyKey[];
  found: string;
  allowed: string;
}

/**
 * A configuration file that does not fit its schema or its data. `problems` lists each one; the
 * message joins them with '; ' after the file name.
 *
 * @example
 * new ConfigError('study.yaml', ['epochs'], '"three"', 'an integer').message;
 * // 'study.yaml: epochs: found "three", allowed an integer'
 */
export class ConfigError extends PolytaskError {
  override name = 'ConfigError';
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[]);
  constructor(file: string, path: readonly PropertyKey[], found: string, allowed: string);
  constructor(file: string, a: readonly ConfigProblem[] | readonly PropertyKey[], found?: string, allowed?: string) {
    const problems = found === undefined ? (a as readonly ConfigProblem[]) : [{ path: a as readonly PropertyKey[], found, allowed: allowed! }];
    super(`${file}: ${problems.map((p) => `${formatPath(p.path)}: found ${p.found}, allowed ${p.allowed}`).join('; ')}`);
    this.file = file;
    this.problems = problems;
  }
}

/**
 * A field path as it would be written in the file: `tasks.left.targets.columns[1]` ('(top level)' for []).
 *
 * @example
 * formatPath(['tasks', 'left', 'columns', 1]); // 'tasks.left.columns[1]'
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/**
 * A short description of a found value: strings quoted, numbers as written, lists and objects by size.
 *
 * @example
 * describeValue('abc'); // '"abc"'
 * describeValue([1, 2]); // 'a list of 2 items'
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
  return typeof v;
}

/** The value at `path` in `input`, or undefined. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

interface Def {
  type: string;
  format?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

/** The schema at `path` (through optional, default, array and record wrappers), or null. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): Def | null {
  let cur: z.ZodType | undefined = schema;
  let i = 0;
  while (cur !== undefined) {
    const d = defOf(cur);
    if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'nonoptional'].includes(d.type)) cur = d.innerType;
    else if (d.type === 'pipe') cur = d.in;
    else if (i === path.length) return d;
    else if (d.type === 'object') cur = d.shape?.[String(path[i++])];
    else if (d.type === 'array') { cur = d.element; i++; }
    else if (d.type === 'record') { cur = d.valueType; i++; }
    else return null;
  }
  return null;
}

const ARTICLE: Readonly<Record<string, string>> = {
  int: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false', array: 'a list', object: 'a mapping of keys to values',
};

function bound(origin: string, op: string, v: number | bigint): string {
  if (origin === 'array') return `a list of ${op} ${v} item${v === 1 ? '' : 's'}`;
  if (origin === 'string') return `text of ${op} ${v} character${v === 1 ? '' : 's'}`;
  return `a number ${op} ${v}`;
}

/** The problems behind one zod issue (an unknown-keys issue gives one per key). */
function problemsOf(issue: z.core.$ZodIssue, input: unknown, schema: z.ZodType): ConfigProblem[] {
  const path = issue.path;
  const found = describeValue(valueAt(input, path));
  switch (issue.code) {
    case 'invalid_type': {
      // z.int() reports a non-number as expecting 'number'; its definition knows it wants an integer
      const expected = issue.expected === 'number' && schemaAt(schema, path)?.format?.includes('int') ? 'int' : issue.expected;
      return [{ path, found, allowed: ARTICLE[expected] ?? expected }];
    }
    case 'invalid_value':
      return [{ path, found, allowed: issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => String(v)).join(', ')}` }];
    case 'too_small':
      return [{ path, found, allowed: bound(issue.origin, issue.exact ? 'exactly' : issue.inclusive ? 'at least' : 'more than', issue.minimum) }];
    case 'too_big':
      return [{ path, found, allowed: bound(issue.origin, issue.exact ? 'exactly' : issue.inclusive ? 'at most' : 'less than', issue.maximum) }];
    case 'unrecognized_keys': {
      const known = Object.keys(schemaAt(schema, path)?.shape ?? {});
      const allowed = known.length === 0 ? 'no other keys' : `the keys ${known.join(', ')}`;
      return issue.keys.map((k) => ({ path: [...path, k], found: `an unknown key (value ${describeValue(valueAt(input, [...path, k]))})`, allowed }));
    }
    case 'invalid_key':
      return [{ path, found: `the key ${JSON.stringify(String(path.at(-1)))}`, allowed: issue.issues.map((i) => i.message).join(', ') }];
    case 'invalid_union':
      return [{ path, found, allowed: 'one of the documented forms' }];
    default:
      // invalid_format, custom, not_multiple_of: the schema's own message states what is allowed
      return [{ path, found, allowed: issue.message }];
  }
}

/**
 * `input` parsed by `schema` (defaults applied), or a ConfigError listing every problem.
 *
 * @example
 * const cfg = parseConfig(studyConfigSchema, { epochs: 'three' }, 'study.yaml');
 * // ConfigError: study.yaml: epochs: found "three", allowed an integer
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, file: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ConfigError(file, r.error.issues.flatMap((i) => problemsOf(i, input, schema)));
}
