/**
 * Helpers for values parsed out of files that may be hostile or corrupt: records keyed by names
 * from the file, and short previews of values for error messages.
 *
 * @example
 * const out: Record<string, number> = {};
 * setOwn(out, '__proto__', 1); // an own key, not a prototype change
 * preview([1, 2, 'x']);        // '[1,2,"x"]'
 */

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
    case 'object': return 'an object';
    case 'string': {
      const text = JSON.stringify(value);
      return text.length <= max ? text : `${text.slice(0, max)}…"`;
    }
    case 'undefined': return 'nothing';
    default: return String(value);
  }
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
