/**
 * Writes a run's report: `report.html` (self-contained, charts as inline SVG) and, for terminal
 * users, every chart as `charts/<id>.png`. Each file is written atomically, so a reader never
 * sees half a report, and a chart that cannot be drawn fails the report with its name.
 *
 * @example
 * const { html, pngs } = await writeReport('runs/a', { title: 'train mnist', meta: [['run', 'a']], config, data: { metrics } });
 */
import { join } from 'node:path';
import { writeFileAtomicSync } from '../io/atomic.js';
import { guardedMkdirSync } from '../io/run-guard.js';
import { assembleReport, type ReportData } from './assemble.js';
import { renderHtml, type DrawnChart, type PageSection } from './html.js';
import { svgToPng } from './render-png.js';
import { renderSvg } from './render-svg.js';
import type { Verdict } from './verdicts.js';

export interface ReportRequest {
  title: string;
  /** Facts shown under the title: [label, value]. */
  meta: [string, string][];
  config: unknown;
  data: ReportData;
  /** Also write each chart as a PNG. Default true. */
  png?: boolean;
}

/** What was written. */
export interface WrittenReport {
  html: string;
  pngs: string[];
  chartIds: string[];
  verdicts: Verdict[];
}

/** The report's file name inside a run directory. */
export const REPORT_FILE = 'report.html';

/**
 * Draws the charts and writes report.html (and charts/*.png) into `dir`.
 *
 * @example
 * await writeReport(run.dir, { title: 'Multi-task study', meta: [], config, data: { mtl, metrics } });
 */
export async function writeReport(dir: string, req: ReportRequest): Promise<WrittenReport> {
  const { sections: planned, verdicts } = assembleReport(req.data);
  const sections: PageSection[] = [];
  const pngs: string[] = [];
  const chartIds: string[] = [];
  const chartsDir = join(dir, 'charts');
  for (const s of planned) {
    const charts: DrawnChart[] = [];
    for (const c of s.charts) {
      const svg = await renderSvg(c.spec, c.id);
      charts.push({ id: c.id, title: c.title, caption: c.caption, svg });
      chartIds.push(c.id);
      if (req.png ?? true) {
        guardedMkdirSync(chartsDir);
        const path = join(chartsDir, `${c.id}.png`);
        writeFileAtomicSync(path, svgToPng(svg));
        pngs.push(path);
      }
    }
    sections.push({ title: s.title, ...(s.intro === undefined ? {} : { intro: s.intro }), charts, tables: s.tables });
  }
  const html = join(dir, REPORT_FILE);
  writeFileAtomicSync(html, renderHtml({ title: req.title, meta: req.meta, verdicts, sections, config: req.config }));
  return { html, pngs, chartIds, verdicts };
}
