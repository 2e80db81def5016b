/**
 * Loss weights over time: how a multi-task weighting method (uncertainty weighting, DWA, GradNorm,
 * FAMO, ...) shares the update between tasks as training goes, one line per task and one panel per
 * method.
 *
 * @example
 * lossWeightsChart(readMetrics('runs/mtl/metrics.jsonl'))?.id; // 'loss-weights'
 */
import type { MetricRecord } from '../metrics-log.js';
import { chartId, THEME, type Chart } from './chart.js';
import { layout, seriesRows } from './training-curves.js';

/**
 * The weight of each task's loss over the steps (step records with `weights`); null when no step
 * recorded weights.
 *
 * @example
 * lossWeightsChart(records, { title: 'Task weights' });
 */
export function lossWeightsChart(
  records: readonly MetricRecord[],
  opts: { id?: string; title?: string } = {},
): Chart | null {
  const rows = seriesRows(records, (r) => r.weights);
  if (rows.length === 0) return null;
  const { width, height, facet } = layout(new Set(rows.map((r) => r.section)).size);
  const layer = {
    mark: { type: 'line' as const, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative' as const, title: 'step' },
      y: { field: 'value', type: 'quantitative' as const, title: 'loss weight' },
      color: { field: 'task', type: 'nominal' as const, title: 'task' },
    },
    width,
    height,
  };
  return {
    id: opts.id ?? chartId('loss-weights'),
    title: opts.title ?? 'Loss weights over training',
    caption:
      "The weight each method gives each task's loss at every step. Equal weighting is flat; a method that shifts weight towards a task is compensating for that task learning slower or being noisier.",
    spec: facet
      ? {
          $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
          config: THEME,
          data: { values: rows },
          facet: { field: 'section', type: 'nominal', title: null },
          columns: 2,
          spec: layer,
        }
      : { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: THEME, data: { values: rows }, ...layer },
  };
}
