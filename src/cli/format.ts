/**
 * Small text formatters for terminal output: numbers with a few significant digits, durations,
 * and aligned tables.
 *
 * @example
 * num(0.912345);           // '0.9123'
 * duration(75);            // '1m15s'
 * table([['id', 'acc'], ['a', '0.9']]); // 'id  acc\na   0.9'
 */

/**
 * A number with `digits` significant digits, without trailing zeros; '–' for missing values.
 *
 * @example
 * num(123456.7, 3); // '1.23e+5'
 */
export function num(v: unknown, digits = 4): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  return Number(v.toPrecision(digits)).toString();
}

/**
 * Seconds as `1h02m`, `3m05s` or `12.3s`.
 *
 * @example
 * duration(3725); // '1h02m'
 */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * Rows of cells as left-aligned columns separated by two spaces (the first row is the header).
 *
 * @example
 * table([['a', 'bb'], ['ccc', 'd']]); // 'a    bb\nccc  d'
 */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...c].length);
    });
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('  '))
    .join('\n');
}
