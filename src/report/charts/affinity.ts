/**
 * Task-affinity heatmap: cell (i, j) is how much a step on task i's loss lowers task j's loss
 * (lookahead affinity, Fifty et al. 2021). Positive cells are tasks that help each other, negative
 * ones tasks that interfere; the colour scale is centred on zero so the sign reads at a glance.
 *
 * @example
 * affinityChart({ tasks: ['left', 'right'], values: [[1, 0.2], [-0.1, 1]] })?.id; // 'affinity'
 */
import { chartId, THEME, type Chart } from './chart.js';

/**
 * A heatmap of an affinity matrix, with the value written in each cell; null for an empty matrix.
 *
 * @example
 * affinityChart({ tasks: history.tasks, values: history.meanLookahead });
 */
export function affinityChart(
  m: { tasks: string[]; values: (number | null)[][] },
  opts: { id?: string; title?: string } = {},
): Chart | null {
  const rows = m.tasks
    .flatMap((source, i) =>
      m.tasks.map((target, j) => ({ source, target, si: i, ti: j, value: m.values[i]?.[j] ?? null })),
    )
    .filter(
      (r): r is { source: string; target: string; si: number; ti: number; value: number } =>
        r.value !== null && Number.isFinite(r.value),
    );
  if (rows.length === 0) return null;
  const extent = Math.max(1e-12, ...rows.map((r) => Math.abs(r.value)));
  const side = Math.min(360, 60 * m.tasks.length + 40);
  // the tasks' order by index fields, not a sort array: vega-lite turns an array of values into a
  // lookup that a task named 'toString' or 'valueOf' breaks
  const axis = { type: 'nominal' as const };
  return {
    id: opts.id ?? chartId('affinity'),
    title: opts.title ?? 'Task affinity',
    caption:
      "Row task's step, effect on the column task's loss (positive: helps, negative: hurts). Tasks with mutual positive affinity are good candidates to share a network.",
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: THEME,
      data: { values: rows },
      width: side,
      height: side,
      encoding: {
        y: { ...axis, field: 'source', sort: { field: 'si', op: 'min' }, title: 'step on task' },
        x: { ...axis, field: 'target', sort: { field: 'ti', op: 'min' }, title: 'effect on task' },
      },
      layer: [
        {
          mark: { type: 'rect' },
          encoding: {
            color: {
              field: 'value',
              type: 'quantitative',
              title: 'affinity',
              scale: { scheme: 'redblue', domain: [-extent, extent] },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            text: { field: 'value', type: 'quantitative', format: '.2g' },
            color: { condition: { test: `abs(datum.value) > ${extent * 0.6}`, value: 'white' }, value: 'black' },
          },
        },
      ],
    },
  };
}
