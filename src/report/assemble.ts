/**
 * From a run's data to the charts and tables of its report, grouped in page sections: training
 * curves (per study when the run holds several), then the transfer, multi-task and end-to-end
 * results with their verdicts. What a run does not have is left out, so the same code serves a
 * single training and the main job.
 *
 * @example
 * const { sections, verdicts } = assembleReport({ metrics, mtl: result });
 * sections[0].charts.map((c) => c.id); // ['mtl-training-loss', 'mtl-loss-weights', 'delta-m', ...]
 */
import { affinityChart } from './charts/affinity.js';
import { chartId, type Chart } from './charts/chart.js';
import { e2eChart } from './charts/e2e.js';
import { lossWeightsChart } from './charts/loss-weights.js';
import { deltaMChart, taskMetricsChart, taskValue } from './charts/mtl-results.js';
import { evalCurvesChart, trainingCurvesChart } from './charts/training-curves.js';
import { transferChart } from './charts/transfer.js';
import type { MetricRecord } from './metrics-log.js';
import type { E2eReport, MtlReport, TransferReport } from './inputs.js';
import { e2eVerdict, mtlVerdict, transferVerdict, type Verdict } from './verdicts.js';
import { recordFrom } from '../core/safe-keys.js';

/** Everything a report can show; every part is optional. */
export interface ReportData {
  metrics?: readonly MetricRecord[];
  transfer?: TransferReport;
  mtl?: MtlReport;
  e2e?: E2eReport;
}

/** A section before its charts are drawn. */
export interface PlannedSection {
  title: string;
  intro?: string;
  charts: Chart[];
  tables: { caption: string; header: string[]; rows: string[][] }[];
}

const fmt = (v: number | null | undefined): string =>
  typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : '–';

/** The study a metrics section belongs to: its first path component ('mtl/famo' → 'mtl'). */
const studyOf = (section: string): string => section.split('/')[0]!;

function trainingCharts(all: readonly MetricRecord[], prefix: string): Chart[] {
  // inside a study's section its name is implied: panels are titled 'famo', not 'mtl/famo'
  const records = all.map((r) =>
    r.section.startsWith(`${prefix}/`) ? { ...r, section: r.section.slice(prefix.length + 1) } : r,
  );
  const charts = [
    trainingCurvesChart(records, { id: `${prefix}-training-loss`, title: 'Training loss per task' }),
    lossWeightsChart(records, { id: `${prefix}-loss-weights` }),
    evalCurvesChart(records, { id: `${prefix}-evaluation` }),
  ];
  return charts.filter((c): c is Chart => c !== null);
}

function transferSection(r: TransferReport, records: readonly MetricRecord[]): PlannedSection {
  const budgets = [...r.budgets].sort((a, b) => a - b);
  const cells = (byBudget: Record<string, { mean: number; sd: number }> | undefined): string[] =>
    budgets.map((b) => {
      const v = byBudget?.[String(b)];
      return v === undefined ? '–' : `${fmt(v.mean)} ± ${fmt(v.sd)}`;
    });
  // the baselines (models of their own trained on the labels alone) below the strategies
  const rows = [
    ...Object.entries(r.results).map(([s, byBudget]) => [s, ...cells(byBudget)]),
    ...Object.entries(r.baselines ?? {}).map(([name, byBudget]) => [`${name} (baseline)`, ...cells(byBudget)]),
  ];
  return {
    title: 'Transfer learning',
    intro:
      'A model pre-trained on a source task is fine-tuned on a target task with a limited number of labels, by several strategies, and compared with training from scratch.',
    charts: [transferChart(r), ...trainingCharts(records, 'transfer')].filter((c): c is Chart => c !== null),
    tables: [
      {
        caption: `Target accuracy (mean ± sd over seeds) by label budget (labelled examples per class)`,
        header: ['strategy', ...budgets.map(String)],
        rows,
      },
      ...baselineSettingsTable(r, budgets),
    ],
  };
}

/** What each baseline ran with (its own settings or the study's), when the study has baselines. */
function baselineSettingsTable(r: TransferReport, budgets: readonly number[]): PlannedSection['tables'] {
  const entries = Object.entries(r.baselineSettings ?? {});
  if (entries.length === 0) return [];
  const rows = entries.map(([name, s]) => {
    const sizes = s.vocabulary === 'study' ? [] : Object.values(s.vocabulary.sizeByRun);
    const vocabulary =
      s.vocabulary === 'study'
        ? 'the study’s'
        : `its own (min count ${s.vocabulary.minCount}${sizes.length === 0 ? '' : `; ${Math.min(...sizes)}–${Math.max(...sizes)} entries`})`;
    const { arch, ...model } = s.model;
    return [
      name,
      vocabulary,
      fmt(s.fineTune.lr),
      String(s.fineTune.batchSize),
      fmt(s.fineTune.weightDecay),
      budgets.map((b) => `${b}: ${s.fineTune.epochsByBudget[String(b)] ?? '–'}`).join(', '),
      `${String(arch)} ${JSON.stringify(model)}`,
    ];
  });
  return [
    {
      caption:
        'Baselines: what each trained with (epochs at most: early stopping on the validation split may end a run sooner)',
      header: ['baseline', 'vocabulary', 'lr', 'batch', 'weight decay', 'epochs by budget', 'model'],
      rows,
    },
  ];
}

/** Affinity heatmaps drawn at most: one per method, the first ones. */
const MAX_AFFINITY = 4;

/** The study's weights over time as step records, so the loss-weights chart draws them like logged ones. */
function weightRecords(r: MtlReport): MetricRecord[] {
  return Object.entries(r.weightsOverTime).flatMap(([method, w]) =>
    w.steps.map((step, k) => ({
      type: 'step' as const,
      section: `mtl/${method}`,
      step,
      epoch: 0,
      weights: recordFrom(Object.entries(w.weights).map(([task, series]) => [task, series[k] ?? NaN])),
    })),
  );
}

function mtlSection(r: MtlReport, records: readonly MetricRecord[]): PlannedSection {
  const tasks = r.tasks.map((t) => t.name);
  const rows = Object.entries(r.results).map(([m, byTask]) => [
    m,
    ...r.tasks.map((t) => fmt(taskValue(byTask, t))),
    m === 'single' ? '0' : fmt(r.deltaM[m]),
    (r.negativeTransfer[m] ?? []).join(', '),
  ]);
  // one heatmap per method that measured affinity (its mean lookahead); named by method when several
  const measured = Object.entries(r.affinity).slice(0, MAX_AFFINITY);
  const affinity = measured.map(([method, h]) =>
    affinityChart(
      { tasks: h.tasks, values: h.meanLookahead },
      {
        ...(measured.length === 1 ? {} : { id: `affinity-${chartId(method)}` }),
        title: `Task affinity under ${method}`,
      },
    ),
  );
  const logged = records.some((rec) => rec.weights !== undefined);
  return {
    title: 'Multi-task learning',
    intro:
      "Several tasks share one network; loss-weighting methods decide how much each task's loss counts. Each is compared with single-task models by Δm.",
    charts: [
      deltaMChart(r),
      taskMetricsChart(r),
      ...affinity,
      ...trainingCharts(logged ? records : [...records, ...weightRecords(r)], 'mtl'),
    ].filter((c): c is Chart => c !== null),
    tables: [
      {
        caption: 'Test metric per task, Δm (%) and tasks with negative transfer',
        header: ['method', ...tasks, 'Δm %', 'negative transfer'],
        rows,
      },
    ],
  };
}

function e2eSection(r: E2eReport, records: readonly MetricRecord[]): PlannedSection {
  const sizes = [...r.sizes].sort((a, b) => a - b);
  const rows = Object.entries(r.curves).map(([a, curve]) => {
    return [
      a,
      ...sizes.map((n) => {
        const p = curve?.find((q) => q.size === n);
        return p === undefined ? '–' : `${fmt(p.mean)} ± ${fmt(p.sd)}`;
      }),
    ];
  });
  return {
    title: 'End-to-end vs pipeline',
    intro:
      'The same task solved by a pipeline of separately trained stages and by one model trained end to end, at growing training-set sizes.',
    charts: [e2eChart(r), ...trainingCharts(records, 'e2e')].filter((c): c is Chart => c !== null),
    tables: [{ caption: `Test ${r.metric} by training-set size`, header: ['approach', ...sizes.map(String)], rows }],
  };
}

/**
 * The planned sections (charts not yet drawn) and verdicts of a report.
 *
 * @example
 * assembleReport({ metrics: readMetrics(path) }).sections[0]?.title; // 'Training'
 */
export function assembleReport(data: ReportData): { sections: PlannedSection[]; verdicts: Verdict[] } {
  const records = data.metrics ?? [];
  const of = (study: string): MetricRecord[] => records.filter((r) => studyOf(r.section) === study);
  const studies = new Set(['transfer', 'mtl', 'e2e']);
  const sections: PlannedSection[] = [];
  const verdicts: Verdict[] = [];
  const plain = records.filter((r) => !studies.has(studyOf(r.section)));
  const training = trainingCharts(plain, 'train');
  if (training.length > 0) sections.push({ title: 'Training', charts: training, tables: [] });
  if (data.transfer !== undefined) {
    sections.push(transferSection(data.transfer, of('transfer')));
    verdicts.push(transferVerdict(data.transfer));
  }
  if (data.mtl !== undefined) {
    sections.push(mtlSection(data.mtl, of('mtl')));
    verdicts.push(mtlVerdict(data.mtl));
  }
  if (data.e2e !== undefined) {
    sections.push(e2eSection(data.e2e, of('e2e')));
    verdicts.push(e2eVerdict(data.e2e));
  }
  return { sections, verdicts };
}
