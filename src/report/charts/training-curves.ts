/**
 * Training curves: each task's loss over the steps of training, one line per task, and the
 * evaluation metrics epoch by epoch. Several trainings in one run (the methods of a multi-task
 * study) become small multiples, one panel per training, on shared axes.
 *
 * @example
 * const chart = trainingCurvesChart(readMetrics('runs/a/metrics.jsonl'));
 * chart?.spec; // Vega-Lite: x step, y loss, colour task
 */
import type { MetricRecord } from '../metrics-log.js';
import { bucketMeans } from './downsample.js';
import { chartId, HEIGHT, THEME, WIDTH, type Chart } from './chart.js';

/** Points per line: enough to show the trend, few enough to keep the page light. */
const MAX_POINTS = 150;

/** One point of a per-task series: what a line chart of tasks over steps draws. */
export interface SeriesRow {
  section: string;
  task: string;
  step: number;
  value: number;
}

/**
 * The per-task series that `pick` reads from the step records (losses, loss weights), each thinned
 * to at most MAX_POINTS bucket means.
 *
 * @example
 * seriesRows(records, (r) => r.weights); // [{ section: 'mtl/dwa', task: 'left', step: 10, value: 1.02 }, ...]
 */
export function seriesRows(
  records: readonly MetricRecord[],
  pick: (r: MetricRecord) => Record<string, number | null> | undefined,
): SeriesRow[] {
  // by step, the later record winning: a run resumed from an older checkpoint logs those steps again
  const series = new Map<string, { section: string; task: string; points: Map<number, number> }>();
  for (const r of records) {
    if (r.type !== 'step') continue;
    for (const [task, v] of Object.entries(pick(r) ?? {})) {
      if (typeof v !== 'number') continue;
      const key = `${r.section}\u0000${task}`;
      let s = series.get(key);
      if (s === undefined) series.set(key, (s = { section: r.section, task, points: new Map() }));
      s.points.set(r.step, v);
    }
  }
  return [...series.values()].flatMap((s) => {
    const points = [...s.points].map(([x, y]) => ({ x, y })).sort((a, b) => a.x - b.x);
    return bucketMeans(points, MAX_POINTS).map((p) => ({ section: s.section, task: s.task, step: p.x, value: p.y }));
  });
}

/** Each task's loss, or the total loss as task 'loss' when a step reported no task losses. */
const taskLosses = (r: MetricRecord): Record<string, number | null> | undefined =>
  r.losses !== undefined && Object.keys(r.losses).length > 0
    ? r.losses
    : r.loss === undefined
      ? undefined
      : { loss: r.loss };

/**
 * A single panel, or one small panel per section when there are several.
 *
 * @example
 * layout(3); // { width: 250, height: 150, facet: true }
 */
export function layout(sections: number): { width: number; height: number; facet: boolean } {
  return sections > 1 ? { width: 250, height: 150, facet: true } : { width: WIDTH, height: HEIGHT, facet: false };
}

/**
 * The loss of each task over training steps (the step records of a metrics log); null when the
 * log has no step records.
 *
 * @example
 * trainingCurvesChart(records, { title: 'Per-task training loss by method' });
 */
export function trainingCurvesChart(
  records: readonly MetricRecord[],
  opts: { id?: string; title?: string } = {},
): Chart | null {
  const rows = seriesRows(records, taskLosses);
  if (rows.length === 0) return null;
  const sections = new Set(rows.map((r) => r.section)).size;
  const { width, height, facet } = layout(sections);
  const encoding = {
    x: { field: 'step', type: 'quantitative' as const, title: 'step' },
    y: { field: 'value', type: 'quantitative' as const, title: 'training loss', scale: { zero: false } },
    color: { field: 'task', type: 'nominal' as const, title: 'task' },
  };
  const layer = { mark: { type: 'line' as const, strokeWidth: 1.5 }, encoding, width, height };
  return {
    id: opts.id ?? chartId('training-loss'),
    title: opts.title ?? 'Training loss per task',
    caption: `Mean loss of each task over training steps (bucket means of at most ${MAX_POINTS} points per line)${facet ? ', one panel per training' : ''}. Lines that flatten early have stopped learning; a task whose loss rises while others fall is being crowded out.`,
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

/**
 * The evaluation metrics of each task after every evaluated epoch; null when no epoch was evaluated.
 *
 * @example
 * evalCurvesChart(records); // x epoch, y metric value, colour 'task · metric'
 */
export function evalCurvesChart(
  records: readonly MetricRecord[],
  opts: { id?: string; title?: string } = {},
): Chart | null {
  const rows: { section: string; series: string; epoch: number; value: number }[] = [];
  for (const r of records) {
    if (r.type !== 'epoch' || r.eval === undefined) continue;
    for (const [task, metrics] of Object.entries(r.eval)) {
      for (const [metric, value] of Object.entries(metrics)) {
        if (typeof value === 'number' && Number.isFinite(value))
          rows.push({ section: r.section, series: `${task} · ${metric}`, epoch: r.epoch + 1, value });
      }
    }
  }
  if (rows.length === 0) return null;
  const sections = new Set(rows.map((r) => r.section)).size;
  const { width, height, facet } = layout(sections);
  const layer = {
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative' as const, title: 'test metric', scale: { zero: false } },
      color: { field: 'series', type: 'nominal' as const, title: 'task · metric' },
    },
    width,
    height,
  };
  return {
    id: opts.id ?? chartId('evaluation'),
    title: opts.title ?? 'Evaluation after each epoch',
    caption:
      "Each task's metrics on held-out data at the end of every evaluated epoch. A gap between a rising training fit and a flat or falling test metric is overfitting.",
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
