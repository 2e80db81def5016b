/**
 * Transfer vs scratch by label budget: the target metric of every fine-tuning strategy (and of
 * training from scratch) as the number of labelled target examples grows, mean ± sd over seeds on
 * a log axis. Pre-training pays where the transfer lines sit above the scratch line; the budget
 * where they meet is where it stops paying.
 *
 * @example
 * transferChart(result)?.id; // 'transfer'
 */
import type { TransferReport } from '../inputs.js';
import { chartId, HEIGHT, THEME, WIDTH, type Chart } from './chart.js';

/**
 * Lines of mean metric by budget, one per strategy, with ±sd error bars; null when the result has
 * no finite numbers.
 *
 * @example
 * transferChart({ budgets: [10, 100], results: { scratch: { 10: { mean: 0.3, sd: 0.05 } } }, verdict: '' });
 */
export function transferChart(result: TransferReport, opts: { id?: string; title?: string } = {}): Chart | null {
  const metric = 'accuracy';
  const rows = Object.entries(result.results)
    .flatMap(([strategy, byBudget]) =>
      Object.entries(byBudget ?? {}).map(([budget, v]) => ({
        strategy,
        budget: Number(budget),
        mean: v?.mean,
        sd: Number.isFinite(v?.sd) ? v.sd : 0,
        low: (v?.mean ?? NaN) - (Number.isFinite(v?.sd) ? v.sd : 0),
        high: (v?.mean ?? NaN) + (Number.isFinite(v?.sd) ? v.sd : 0),
        scratch: strategy === 'scratch' ? 'from scratch' : 'pre-trained',
      })),
    )
    .filter((r) => Number.isFinite(r.budget) && r.budget > 0 && Number.isFinite(r.mean));
  if (rows.length === 0) return null;
  // ticks at the measured budgets: a log axis would otherwise label only the powers of ten
  const ticks = [...new Set(rows.map((r) => r.budget))].sort((a, b) => a - b);
  const x = {
    field: 'budget',
    type: 'quantitative' as const,
    title: 'labelled target examples per class',
    scale: { type: 'log' as const, nice: false, padding: 16 },
    axis: { values: ticks, format: '~s' },
  };
  const color = { field: 'strategy', type: 'nominal' as const, title: 'strategy' };
  return {
    id: opts.id ?? chartId('transfer'),
    title: opts.title ?? 'Transfer vs scratch by label budget',
    caption: `Target test ${metric} (mean ± sd over seeds) against the number of labelled target examples per class, log scale. Dashed: training from scratch. Where a fine-tuning line lies above the dashed one, the source pre-training helps at that budget.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: THEME,
      data: { values: rows },
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          mark: { type: 'rule' },
          encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color },
        },
        {
          mark: { type: 'line', point: true },
          encoding: {
            x,
            color,
            y: { field: 'mean', type: 'quantitative', title: `target ${metric}`, scale: { zero: false } },
            strokeDash: {
              field: 'scratch',
              type: 'nominal',
              legend: null,
              scale: {
                domain: ['pre-trained', 'from scratch'],
                range: [
                  [1, 0],
                  [6, 4],
                ],
              },
            },
          },
        },
      ],
    },
  };
}
