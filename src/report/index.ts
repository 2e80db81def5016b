/**
 * report: where runs are kept and how they are shown. Run directories (`run.json`, `config.json`,
 * `metrics.jsonl`, results), the SQLite run index, and the self-contained HTML report with its
 * charts as inline SVG and PNG, plus the verdicts of the three studies in words.
 *
 * @example
 * import { createRunDir, RunIndex, writeReport } from './report/index.js';
 * const run = createRunDir('runs', 'train', config);
 * await writeReport(run.dir, { title: 'train', meta: [], config, data: { metrics } });
 */
export {
  createRunDir,
  readRunInfo,
  readRunConfig,
  finishRunDir,
  writeRunJson,
  RUN_FILE,
  CONFIG_FILE,
  type RunInfo,
  type RunStatus,
} from './run-dir.js';
export { MetricsLog, readMetrics, METRICS_FILE, type MetricRecord } from './metrics-log.js';
export { RunIndex, INDEX_FILE, type RunRecord, type RunFilter } from './run-index.js';
export {
  isTransferReport,
  isMtlReport,
  isE2eReport,
  type TransferReport,
  type MtlReport,
  type E2eReport,
  type StudyKey,
} from './inputs.js';
export { taskValue } from './charts/mtl-results.js';
export { transferVerdict, mtlVerdict, e2eVerdict, type Verdict } from './verdicts.js';
export { assembleReport, type ReportData, type PlannedSection } from './assemble.js';
export { renderSvg } from './render-svg.js';
export { svgToPng } from './render-png.js';
export { renderHtml, escapeHtml, type ReportPage, type PageSection, type DrawnChart } from './html.js';
export { writeReport, REPORT_FILE, type ReportRequest, type WrittenReport } from './write-report.js';
export { loadRunData, resultsFile } from './load-run.js';
export type { Chart } from './charts/chart.js';
export { powerLaw, type FitNumbers } from './charts/e2e.js';
