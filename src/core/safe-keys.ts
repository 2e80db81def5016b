/**
 * One safe path for every key a user can name (a `--set` path, a config key, a task name, a
 * state-dict name): `__proto__`, `constructor` and `prototype` are refused with a one-line error,
 * because as keys of a plain object they reach `Object.prototype` or a class instead of naming
 * data. Objects built from user keys start from a null prototype.
 *
 * @example
 * assertSafeKey('digit', 'task name');          // fine
 * assertSafeKey('__proto__', '--set __proto__'); // ValueError: --set __proto__: the key "__proto__" is not allowed ...
 * const byTask = nullRecord<number>();          // no inherited keys: 'toString' in byTask === false
 * own({ a: 1 }, 'toString');                     // undefined: an inherited member is not data
 */
import { ValueError } from './errors.js';

/** Keys that name parts of JavaScript's object model rather than data. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Whether `key` may name data in a plain object.
 *
 * @example
 * isSafeKey('constructor'); // false
 */
export function isSafeKey(key: string): boolean {
  return !FORBIDDEN_KEYS.has(key);
}

/**
 * Refuses a forbidden key; `where` names the flag, file or field it came from.
 *
 * @example
 * assertSafeKey(name, `${file}: tasks`);
 */
export function assertSafeKey(key: string, where: string): void {
  if (FORBIDDEN_KEYS.has(key)) {
    throw new ValueError(
      where,
      `the key "${key}" is not allowed (__proto__, constructor and prototype name JavaScript's object model, not data)`,
    );
  }
}

/**
 * Refuses a dotted or already split path that holds a forbidden key anywhere.
 *
 * @example
 * assertSafePath('model.__proto__.x', '--set model.__proto__.x'); // throws
 */
export function assertSafePath(path: string | readonly string[], where: string): void {
  for (const key of typeof path === 'string' ? path.split('.') : path) assertSafeKey(key, where);
}

/**
 * Refuses a forbidden key anywhere in a parsed JSON/YAML value (own keys of every nested mapping).
 * Depth is bounded by `maxDepth`, so a deeply nested document is refused instead of overflowing
 * the stack.
 *
 * @example
 * assertSafeKeysDeep(JSON.parse(text), 'config.json');
 */
export function assertSafeKeysDeep(value: unknown, where: string, maxDepth = 64): void {
  const walk = (v: unknown, path: string, depth: number): void => {
    if (typeof v !== 'object' || v === null) return;
    if (depth > maxDepth)
      throw new ValueError(
        where,
        `nested deeper than ${maxDepth} levels${path === '' ? '' : ` at ${path.slice(0, 80)}`}`,
      );
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
      return;
    }
    for (const key of Object.keys(v)) {
      const at = path === '' ? key : `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) assertSafeKey(key, `${where}: ${at.slice(0, 80)}`);
      walk((v as Record<string, unknown>)[key], at, depth + 1);
    }
  };
  walk(value, '', 0);
}

/**
 * `obj[key]` when `key` is one of `obj`'s own keys, else undefined: a user key such as 'toString'
 * or 'valueOf' never reads an inherited member of a plain object.
 *
 * @example
 * own({ digit: 1 }, 'toString'); // undefined (not Object.prototype.toString)
 * (own(counts, task) ?? 0) + 1;
 */
export function own<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * An empty record with no prototype: user keys can never collide with inherited members.
 *
 * @example
 * const counts = nullRecord<number>();
 * counts['toString'] = 1; // an ordinary key
 */
export function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * `Object.fromEntries` into a record with no prototype: keys such as `toString` or `__proto__`
 * are ordinary own keys, and a lookup of a missing key never reads an inherited member.
 *
 * @example
 * const byTask = recordFrom(tasks.map((t) => [t.name, 0]));
 * 'toString' in byTask; // false unless a task is named toString
 */
export function recordFrom<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = nullRecord<T>();
  // with no prototype there is no inherited __proto__ setter: every key is an own property
  for (const [k, v] of entries) out[k] = v;
  return out;
}
