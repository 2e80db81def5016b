/**
 * Thinning of long series for charts: a run of 20,000 steps becomes at most `max` points per
 * series, each the mean of a bucket of consecutive steps. That keeps the inline SVG small, and the
 * bucket mean smooths the step-to-step noise that would otherwise hide the trend.
 *
 * @example
 * bucketMeans([{ x: 1, y: 2 }, { x: 2, y: 4 }], 1); // [{ x: 1.5, y: 3 }]
 */

export interface XY {
  x: number;
  y: number;
}

/**
 * At most `max` points: `points` (sorted by x) cut into equal runs, each replaced by its mean
 * point. Series already short enough come back unchanged; non-finite values are dropped.
 *
 * @example
 * bucketMeans(steps.map((s) => ({ x: s.step, y: s.loss })), 200);
 */
export function bucketMeans(points: readonly XY[], max: number): XY[] {
  const clean = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (clean.length <= max) return clean;
  const out: XY[] = [];
  const size = clean.length / max;
  for (let b = 0; b < max; b++) {
    const bucket = clean.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (bucket.length === 0) continue;
    out.push({
      x: bucket.reduce((s, p) => s + p.x, 0) / bucket.length,
      y: bucket.reduce((s, p) => s + p.y, 0) / bucket.length,
    });
  }
  return out;
}
