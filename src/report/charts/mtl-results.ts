/**
 * Multi-task results at a glance: Δm of every weighting method against the single-task baselines
 * (above zero: sharing helps on average), and each task's metric under every method next to its
 * single-task value.
 *
 * @example
 * deltaMChart(result)?.id;     // 'delta-m'
 * taskMetricsChart(result)?.id; // 'task-metrics'
 */
import type { MtlReport } from '../inputs.js';
import { chartId, THEME, WIDTH, type Chart } from './chart.js';

/**
 * Horizontal bars of Δm (percent) per method, green above zero and red below; null without values.
 *
 * @example
 * deltaMChart(result); // result: an MtlStudyResult
 */
export function deltaMChart(result: MtlReport, opts: { id?: string; title?: string } = {}): Chart | null {
  const rows = Object.entries(result.deltaM)
    .filter(([, v]) => Number.isFinite(v))
    .map(([method, deltaM]) => ({
      method,
      deltaM,
      sign: deltaM >= 0 ? 'better than single-task' : 'worse than single-task',
    }));
  if (rows.length === 0) return null;
  return {
    id: opts.id ?? chartId('delta-m'),
    title: opts.title ?? 'Δm against single-task baselines',
    caption:
      "Mean relative change of every task's metric against its single-task model, in percent (Maninis et al. 2019). Above zero, the method's shared model beats training each task alone on average.",
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: THEME,
      data: { values: rows },
      width: WIDTH,
      height: Math.max(60, 22 * rows.length),
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: { field: 'method', type: 'nominal', sort: '-x', title: null },
            x: { field: 'deltaM', type: 'quantitative', title: 'Δm (%)' },
            color: {
              field: 'sign',
              type: 'nominal',
              title: null,
              legend: { labelLimit: 400 },
              scale: { domain: ['better than single-task', 'worse than single-task'], range: ['#2e7d32', '#c62828'] },
            },
          },
        },
        { mark: { type: 'rule', color: '#333' }, encoding: { x: { datum: 0 } } },
      ],
    },
  };
}

/**
 * A task's value in one method's results: its first metric (the one the task lists first, as
 * the study's table shows); null when absent or not a finite number.
 *
 * @example
 * taskValue({ left: { accuracy: 0.9 } }, { name: 'left', metrics: ['accuracy'] }); // 0.9
 */
export function taskValue(
  results: Readonly<Record<string, Readonly<Record<string, number>>>> | undefined,
  task: { name: string; metrics: readonly string[] },
): number | null {
  const metric = task.metrics[0];
  const v = metric === undefined ? undefined : results?.[task.name]?.[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Grouped bars: each task's metric under each method, the single-task baseline included; null
 * without numbers.
 *
 * @example
 * taskMetricsChart(result); // result: an MtlStudyResult
 */
export function taskMetricsChart(result: MtlReport, opts: { id?: string; title?: string } = {}): Chart | null {
  const rows = Object.entries(result.results)
    .flatMap(([method, byTask]) =>
      result.tasks.map((task) => ({ method, task: task.name, value: taskValue(byTask, task) })),
    )
    .filter((r): r is { method: string; task: string; value: number } => r.value !== null);
  if (rows.length === 0) return null;
  const methods = [...new Set(rows.map((r) => r.method))];
  return {
    id: opts.id ?? chartId('task-metrics'),
    title: opts.title ?? 'Per-task test metric by method',
    caption:
      'Each task\'s test metric under every method; "single" is the task trained alone. A bar below the single-task one is negative transfer on that task.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: THEME,
      data: { values: rows },
      mark: { type: 'bar' },
      width: Math.max(80, Math.floor(WIDTH / Math.max(1, result.tasks.length)) - 20),
      height: 200,
      encoding: {
        column: { field: 'task', type: 'nominal', title: null },
        x: { field: 'method', type: 'nominal', title: null, sort: methods, axis: { labelAngle: -40 } },
        y: { field: 'value', type: 'quantitative', title: 'test metric', scale: { zero: false } },
        color: { field: 'method', type: 'nominal', legend: null, sort: methods },
      },
    },
  };
}
