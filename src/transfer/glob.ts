/**
 * Selecting parameters and modules by glob on their dotted names, with picomatch. A name has no
 * '/', so `*` matches across dots: `trunk.*` is every parameter of the trunk, `heads.*` every head's,
 * `*.bias` every bias, `trunk.{0,3}.*` two layers. A leading `!` negates a pattern.
 *
 * @example
 * const isTrunk = nameMatcher(['trunk.*', '!trunk.7.*']);
 * isTrunk('trunk.0.weight'); // true
 * isTrunk('trunk.7.bias');   // false
 */
import picomatch from 'picomatch';
import { ValueError } from '../core/errors.js';

/**
 * A predicate that is true for names matching any positive pattern and no negated one. An empty
 * list matches nothing.
 *
 * @example
 * nameMatcher('heads.*')('heads.digit.weight'); // true
 */
export function nameMatcher(patterns: string | readonly string[]): (name: string) => boolean {
  const list = typeof patterns === 'string' ? [patterns] : [...patterns];
  for (const p of list)
    if (typeof p !== 'string' || p === '' || p === '!')
      throw new ValueError('glob', `patterns must be non-empty strings, got ${JSON.stringify(p)}`);
  const positive = list.filter((p) => !p.startsWith('!'));
  const negative = list.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const yes = positive.length === 0 ? () => false : picomatch(positive);
  const no = negative.length === 0 ? () => false : picomatch(negative);
  return (name) => yes(name) && !no(name);
}
