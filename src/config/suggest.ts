/**
 * "Did you mean" for an unknown config key. The rule: the known key with the smallest
 * Damerau-Levenshtein distance (optimal string alignment: insert, delete, substitute, or swap two
 * neighbours; letter case ignored) is suggested when that distance is at most 1 for a known key of
 * up to 5 characters and at most 2 for a longer one; ties go to the key listed first. Otherwise the
 * message lists the keys allowed there.
 *
 * @example
 * closestKey('epoch', ['epochs', 'batchSize']);  // 'epochs'
 * unknownKeyText('colour', ['arch', 'hidden']);  // 'unknown key "colour"; allowed: arch, hidden'
 */

/**
 * Edit distance with adjacent swaps counted as one edit (optimal string alignment).
 *
 * @example
 * editDistance('widht', 'width'); // 1
 * editDistance('sezis', 'sizes'); // 2
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The edits an unknown key may be away from the known key `key` and still be suggested.
 *
 * @example
 * tolerance('lr'); // 1
 * tolerance('epochs'); // 2
 */
export function tolerance(key: string): number {
  return key.length <= 5 ? 1 : 2;
}

/**
 * The known key close enough to `key` to suggest, or undefined.
 *
 * @example
 * closestKey('methodz', ['methods', 'epochs']); // 'methods'
 * closestKey('depth', ['arch', 'channels']);    // undefined
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance && d <= tolerance(k)) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * What to say about an unknown key: a suggestion when one is close, else the allowed keys.
 *
 * @example
 * unknownKeyText('epoch', ['epochs', 'batchSize']); // 'unknown key "epoch"; did you mean "epochs"?'
 * unknownKeyText('x', []);                          // 'unknown key "x"' (the allowed keys are not known)
 */
export function unknownKeyText(key: string, known: readonly string[]): string {
  const near = closestKey(key, known);
  if (near !== undefined) return `unknown key ${JSON.stringify(key)}; did you mean ${JSON.stringify(near)}?`;
  if (known.length === 0) return `unknown key ${JSON.stringify(key)}`;
  return `unknown key ${JSON.stringify(key)}; allowed: ${known.join(', ')}`;
}
