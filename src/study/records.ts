/**
 * Shape checks for sub-run records: a study's record guard (`isRecord` of the runner) says which
 * fields its record holds and of what kind, and a stored value that lacks one is refused by name
 * rather than read as something it is not.
 *
 * @example
 * const isErrorRecord = (v: unknown): v is { error: number } => hasFields(v, { error: 'number' });
 */

/** The kinds of JSON value a record field may be checked for. */
export type FieldKind = 'number' | 'string' | 'boolean' | 'object' | 'array' | 'object-or-null' | 'string-or-null';

function kindOf(v: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'object-or-null':
      return v === null || (typeof v === 'object' && !Array.isArray(v));
    case 'string-or-null':
      return v === null || typeof v === 'string';
    default:
      return typeof v === kind;
  }
}

/**
 * Whether `value` is an object whose fields `fields` are of the given kinds (others allowed).
 *
 * @example
 * hasFields({ accuracy: 0.9, seed: 0 }, { accuracy: 'number' }); // true
 * hasFields({ accuracy: '0.9' }, { accuracy: 'number' });        // false
 */
export function hasFields(
  value: unknown,
  fields: Readonly<Record<string, FieldKind>>,
): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = new Map(Object.entries(value));
  return Object.entries(fields).every(([name, kind]) => entries.has(name) && kindOf(entries.get(name), kind));
}
