/**
 * A found config value in a few words, bounded in length so that a message stays one short line:
 * strings quoted (and said to be strings: `"3"` is not the number 3), short lists written out,
 * longer ones and mappings by size and keys.
 *
 * @example
 * describeValue('three');       // '"three" (a string)'
 * describeValue([100, 50]);     // '[100, 50]'
 * describeValue({ a: 1 });      // 'a mapping with keys a'
 */

/** Longest text (strings, written-out lists) shown before it is cut with '…'. */
export const MAX_SHOWN = 40;
/** Keys of a mapping named before the rest are counted. */
const MAX_KEYS = 5;

const cut = (s: string): string => (s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s);

/**
 * The value in words; `undefined` is 'nothing'.
 *
 * @example
 * describeValue(undefined);            // 'nothing'
 * describeValue('x'.repeat(100));      // '"xxxx…" (a string)', 40 characters kept
 * describeValue(new Array(50).fill(0)); // 'a list of 50 items'
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `${JSON.stringify(cut(v))} (a string)`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    const scalars = v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
    const text = scalars ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : '';
    if (scalars && text.length <= MAX_SHOWN) return text;
    return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return 'an empty mapping';
    const more = keys.length > MAX_KEYS ? ` and ${keys.length - MAX_KEYS} more` : '';
    return `a mapping with keys ${keys.slice(0, MAX_KEYS).map(cut).join(', ')}${more}`;
  }
  return typeof v;
}
