/**
 * Data with every record rebuilt as a plain object: records built from user keys have no
 * prototype (`nullRecord`, `recordFrom` in src/core/safe-keys.ts), and `deepStrictEqual` compares
 * prototypes, so a test compares `plain(actual)` with the literal it expects or with the same data
 * read back from JSON. Arrays are rebuilt element by element; typed arrays, tensors and other
 * class instances are kept as they are.
 *
 * @example
 * assert.deepEqual(plain(result.deltaM), { digit: 0.5 });
 */
export function plain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => plain(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== null && proto !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    Object.defineProperty(out, k, { value: plain(v), enumerable: true, writable: true, configurable: true });
  return out as T;
}
