/**
 * End-to-end vs pipeline learning curves: each approach's test metric against the training-set
 * size (log axis), with its fitted power law `y = a·n^b + c` drawn through the points and the
 * crossover (the size from which end-to-end beats the pipeline) as a vertical rule inside its
 * uncertainty band.
 *
 * @example
 * e2eChart(result)?.id; // 'e2e'
 */
import type { E2eReport } from '../inputs.js';
import { chartId, HEIGHT, THEME, WIDTH, type Chart } from './chart.js';

/** Points per fitted curve, evenly spaced on the log axis. */
const FIT_POINTS = 60;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The numbers of a fitted power law a·n^b + c; nulls where no fit was made. */
export interface FitNumbers {
  a: number | null;
  b: number | null;
  c: number | null;
}

/**
 * The value of a power law at `n`; NaN when the fit has no numbers.
 *
 * @example
 * powerLaw({ a: 1, b: -0.5, c: 0.1 }, 100); // 0.2
 */
export function powerLaw(f: FitNumbers, n: number): number {
  return finite(f.a) && finite(f.b) && finite(f.c) ? f.a * n ** f.b + f.c : NaN;
}

/**
 * Measured points with ±sd, fitted power laws and the crossover; null when there are no points.
 *
 * @example
 * e2eChart(result); // result: an E2eStudyResult
 */
export function e2eChart(result: E2eReport, opts: { id?: string; title?: string } = {}): Chart | null {
  const metric = result.metric;
  const points = Object.entries(result.curves).flatMap(([approach, curve]) =>
    (curve ?? [])
      .filter((p) => p.size > 0 && finite(p.mean))
      .map((p) => ({
        approach,
        size: p.size,
        mean: p.mean,
        low: p.mean - (finite(p.sd) ? p.sd : 0),
        high: p.mean + (finite(p.sd) ? p.sd : 0),
      })),
  );
  if (points.length === 0) return null;
  const lo = Math.min(...points.map((p) => p.size));
  const hi = Math.max(...points.map((p) => p.size));
  const fits = Object.entries(result.fits).flatMap(([approach, f]) =>
    f === undefined || !Number.isFinite(powerLaw(f, lo))
      ? []
      : Array.from({ length: FIT_POINTS }, (_, i) => lo * (hi / lo) ** (i / (FIT_POINTS - 1)))
          .map((size) => ({ approach, size, fit: powerLaw(f, size) }))
          .filter((r) => Number.isFinite(r.fit)),
  );
  const c = result.crossover;
  const crossing =
    finite(c.size) && c.size > 0
      ? [
          {
            size: c.size,
            low: finite(c.low) && c.low > 0 ? c.low : c.size,
            high: finite(c.high) && c.high > 0 ? c.high : c.size,
            label: `crossover ≈ ${Math.round(c.size)}`,
          },
        ]
      : [];
  // ticks at the measured sizes: a log axis would otherwise label only the powers of ten
  const ticks = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const x = {
    field: 'size',
    type: 'quantitative' as const,
    title: 'training examples',
    scale: { type: 'log' as const, nice: false, padding: 16 },
    axis: { values: ticks, format: '~s' },
  };
  const color = { field: 'approach', type: 'nominal' as const, title: 'approach' };
  const y = { field: 'mean', type: 'quantitative' as const, title: `test ${metric}`, scale: { zero: false } };
  const layers: object[] = [
    {
      data: { values: points },
      mark: { type: 'rule' },
      encoding: { x, color, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
    },
    { data: { values: points }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color } },
  ];
  if (fits.length > 0)
    layers.push({
      data: { values: fits },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: { x, color, y: { field: 'fit', type: 'quantitative' } },
    });
  if (crossing.length > 0) {
    layers.unshift({
      data: { values: crossing },
      mark: { type: 'rect', color: '#999', opacity: 0.15 },
      encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' } },
    });
    layers.push(
      { data: { values: crossing }, mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { x } },
      {
        data: { values: crossing },
        mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'top', y: 0, color: '#333' },
        encoding: { x, text: { field: 'label' } },
      },
    );
  }
  return {
    id: opts.id ?? chartId('e2e'),
    title: opts.title ?? 'End-to-end vs pipeline learning curves',
    caption:
      `Test ${metric} (mean ± sd over seeds) against training-set size, log scale; lines are the fitted power laws a·n^b + c. ` +
      (crossing.length > 0
        ? 'The dashed rule marks the crossover size, the grey band its uncertainty.'
        : 'No crossover was found in the measured range.'),
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: THEME,
      width: WIDTH,
      height: HEIGHT,
      layer: layers,
    } as Chart['spec'],
  };
}
