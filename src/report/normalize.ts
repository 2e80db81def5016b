/**
 * Readers that turn the study results' flexible fields into what charts and sentences need:
 * learning-curve points, one number per task and method, and a verdict's words. They accept the
 * spellings the studies use (numbers aligned with sizes, or points; a metric as a number or as a
 * record of metrics) and skip what is not a finite number.
 *
 * @example
 * curvePoints([0.3, 0.2], [100, 1000]);              // [{ size: 100, mean: 0.3 }, { size: 1000, mean: 0.2 }]
 * metricValue({ accuracy: 0.91, f1: 0.9 });         // 0.91
 * verdictText({ text: 'end-to-end wins above 3k' }); // 'end-to-end wins above 3k'
 */
import type { CurvePoint } from './study-results.js';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The points of a learning curve given as values aligned with `sizes`, as `[{size, mean, sd}]`
 * points (or `value`/`metric` instead of `mean`), or as a record from size to value or `{mean, sd}`.
 *
 * @example
 * curvePoints({ 100: { mean: 0.3, sd: 0.01 } }, []); // [{ size: 100, mean: 0.3, sd: 0.01 }]
 */
export function curvePoints(curve: unknown, sizes: readonly number[]): CurvePoint[] {
  const point = (size: unknown, v: unknown): CurvePoint | null => {
    const n = Number(size);
    if (!finite(n)) return null;
    if (finite(v)) return { size: n, mean: v };
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    const mean = [o.mean, o.value, o.metric, o.error, o.accuracy].find(finite);
    if (mean === undefined) return null;
    return finite(o.sd) ? { size: n, mean, sd: o.sd } : { size: n, mean };
  };
  let points: (CurvePoint | null)[];
  if (Array.isArray(curve)) {
    points = curve.map((v, i) => (typeof v === 'object' && v !== null && 'size' in v ? point((v as { size: unknown }).size, v) : point(sizes[i], v)));
  } else if (typeof curve === 'object' && curve !== null) {
    points = Object.entries(curve).map(([k, v]) => point(k, v));
  } else {
    points = [];
  }
  return points.filter((p): p is CurvePoint => p !== null).sort((a, b) => a.size - b.size);
}

/**
 * One number for a task's result: the number itself, or the first finite value of a record of
 * metrics (`{ accuracy: 0.9 }`), or its `mean` (`{ mean, sd }`); null when there is none.
 *
 * @example
 * metricValue({ mean: 0.8, sd: 0.1 }); // 0.8
 */
export function metricValue(v: unknown): number | null {
  if (finite(v)) return v;
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (finite(o.mean)) return o.mean;
  for (const x of Object.values(o)) {
    const inner = metricValue(x);
    if (inner !== null) return inner;
  }
  return null;
}

/**
 * A verdict in words: a string as is, else the `text`, `summary`, `message` or `verdict` field of
 * an object, else a compact JSON of it; '' when there is none.
 *
 * @example
 * verdictText('pre-training helps below 100 labels'); // the same string
 */
export function verdictText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['text', 'summary', 'message', 'verdict']) if (typeof o[k] === 'string') return o[k] as string;
  }
  return JSON.stringify(v);
}

/**
 * A task-affinity matrix as `{ tasks, values }` (values[i][j]: the effect of task i's step on task
 * j), from a `{ tasks, matrix }`, `{ tasks, values }` or `{ tasks, meanLookahead }` object or a
 * nested record; null when absent.
 *
 * @example
 * affinityMatrix({ a: { a: 1, b: 0.2 }, b: { a: -0.1, b: 1 } }); // { tasks: ['a', 'b'], values: [[1, 0.2], [-0.1, 1]] }
 */
export function affinityMatrix(v: unknown): { tasks: string[]; values: (number | null)[][] } | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const grid = o.matrix ?? o.values ?? o.meanLookahead;
  if (Array.isArray(o.tasks) && Array.isArray(grid)) {
    const tasks = o.tasks.map(String);
    return { tasks, values: tasks.map((_, i) => tasks.map((__, j) => metricValue((grid[i] as unknown[] | undefined)?.[j]))) };
  }
  const tasks = Object.keys(o);
  if (tasks.length === 0 || !tasks.every((t) => typeof o[t] === 'object' && o[t] !== null)) return null;
  return { tasks, values: tasks.map((a) => tasks.map((b) => metricValue((o[a] as Record<string, unknown>)[b]))) };
}

/**
 * The affinity matrices of a result: one per method when `v` maps methods to matrices (the
 * multi-task study measures affinity along each method's training), else the single one.
 *
 * @example
 * affinityByMethod({ ew: { tasks: ['a', 'b'], meanLookahead: [[1, 0], [0, 1]] } }); // [{ method: 'ew', tasks: [...], values: [...] }]
 */
export function affinityByMethod(v: unknown): { method: string | null; tasks: string[]; values: (number | null)[][] }[] {
  if (typeof v !== 'object' || v === null) return [];
  const direct = 'tasks' in v ? affinityMatrix(v) : null;
  if (direct !== null) return [{ method: null, ...direct }];
  const perMethod = Object.entries(v as Record<string, unknown>).map(([method, m]) => {
    const matrix = typeof m === 'object' && m !== null && 'tasks' in m ? affinityMatrix(m) : null;
    return matrix === null ? null : { method, ...matrix };
  });
  if (perMethod.length > 0 && perMethod.every((m) => m !== null)) return perMethod as { method: string; tasks: string[]; values: (number | null)[][] }[];
  const nested = affinityMatrix(v);
  return nested === null ? [] : [{ method: null, ...nested }];
}

/**
 * Task names from a list of names or of task summaries (`{ name, ... }`).
 *
 * @example
 * taskNames([{ name: 'left' }, 'right']); // ['left', 'right']
 */
export function taskNames(tasks: unknown): string[] {
  if (!Array.isArray(tasks)) return [];
  return tasks.map((t) => (typeof t === 'string' ? t : typeof t === 'object' && t !== null && typeof (t as { name?: unknown }).name === 'string' ? (t as { name: string }).name : String(t)));
}
