/**
 * Helpers for values parsed out of files that may be hostile or corrupt: records keyed by names
 * from the file, and short previews of values for error messages.
 *
 * @example
 * const out: Record<string, number> = {};
 * setOwn(out, '__proto__', 1); // an own key, not a prototype change
 * preview([1, 2, 'x']);        // '[1,2,"x"]'
 */
import { FormatError } from '../core/errors.js';
import { assertSafeKeysDeep } from '../core/safe-keys.js';

/**
 * Sets `key` as an own enumerable property. Plain assignment would treat a tensor or column
 * named `__proto__` as a prototype change and lose it.
 *
 * @example
 * setOwn(stateDict, name, tensor);
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A short, safe rendering of a parsed value for an error message: never throws, never long
 * (deeply nested or huge values are summarised rather than stringified).
 *
 * @example
 * preview({ a: 1 }); // 'an object'
 */
export function preview(value: unknown, max = 60): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v === null)) {
      return `an array of ${value.length} items`;
    }
    const text = JSON.stringify(value);
    return text.length <= max ? text : `${text.slice(0, max)}…]`;
  }
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string': {
      const text = JSON.stringify(value);
      return text.length <= max ? text : `${text.slice(0, max)}…"`;
    }
    case 'undefined':
      return 'nothing';
    default:
      return String(value);
  }
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses an untrusted document with `parse` and checks what came out: a YAML alias bomb (the
 * parser's ReferenceError), nesting deep enough to exhaust the stack (a RangeError) or deeper than
 * `maxDepth`, and keys that reach the object model (`__proto__`, `constructor`, `prototype`)
 * all become one FormatError naming `file`.
 *
 * @example
 * const value = parseUntrusted('study.yaml', () => parseDocument(text).toJS());
 */
export function parseUntrusted<T>(file: string, parse: () => T, maxDepth = 64): T {
  let value: T;
  try {
    value = parse();
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new FormatError(
        file,
        'too many YAML aliases (an alias expansion bomb?); expand the repeated values by hand',
      );
    }
    if (err instanceof RangeError) throw new FormatError(file, 'nested too deeply to read');
    throw err;
  }
  try {
    assertSafeKeysDeep(value, file, maxDepth);
  } catch (err) {
    if (err instanceof RangeError) throw new FormatError(file, 'nested too deeply to read');
    throw err;
  }
  return value;
}

/**
 * At most `max` characters of a text taken from a file, on one line: an error message quotes a
 * bounded piece of a file, never a whole line of it.
 *
 * @example
 * snippet('root:x:0:0:root:/root:/bin/bash', 10); // 'root:x:0:0…'
 */
export function snippet(text: string, max = 40): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return line.length <= max ? line : `${line.slice(0, max)}…`;
}
