/**
 * The report page: one self-contained HTML file with inline CSS and inline SVG charts, no script
 * and no external resource, so it opens offline, from an e-mail or an archive, years later.
 *
 * @example
 * const html = renderHtml({ title: 'polytask main job', meta: [['run', id]], verdicts, sections, config });
 * writeFileAtomicSync('report.html', html);
 */
import type { Verdict } from './verdicts.js';

/** A drawn chart: its id, title, caption and SVG markup. */
export interface DrawnChart {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

/** A titled part of the page: text, charts, and tables of numbers. */
export interface PageSection {
  title: string;
  intro?: string;
  charts: DrawnChart[];
  tables?: { caption: string; header: string[]; rows: string[][] }[];
}

export interface ReportPage {
  title: string;
  /** Facts about the run, shown under the title: [label, value]. */
  meta: [string, string][];
  verdicts: Verdict[];
  sections: PageSection[];
  /** The resolved config, shown folded at the end. */
  config: unknown;
}

/**
 * Text made safe for HTML element content and attribute values.
 *
 * @example
 * escapeHtml('<a & "b">'); // '&lt;a &amp; &quot;b&quot;&gt;'
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0 auto;max-width:1100px;padding:24px;color:#222;line-height:1.45}
h1{margin:0 0 4px;font-size:24px}h2{margin:32px 0 8px;font-size:19px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;font-size:13px}.meta span{margin-right:18px}
.verdicts{display:grid;gap:12px;margin:20px 0}
.verdict{border-left:4px solid #1565c0;background:#f5f8fc;padding:10px 14px}
.verdict .q{color:#555;font-size:13px}.verdict .h{font-weight:bold;margin:4px 0}
.verdict ul{margin:4px 0 0 18px;padding:0;font-size:14px}.verdict .o,.verdict .i{font-size:14px;margin:2px 0}
.verdict ul.reasons,.verdict ul.next{color:#333}
figure.chart{margin:18px 0;overflow-x:auto}figure.chart figcaption{font-size:13px;color:#444;max-width:760px}
figure.chart h3{font-size:15px;margin:0 0 6px}
table{border-collapse:collapse;font-size:13px;margin:12px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}caption{text-align:left;white-space:nowrap;font-size:13px;color:#444;padding-bottom:4px}
details pre{background:#f6f6f6;padding:10px;overflow-x:auto;font-size:12px}
`;

function verdictHtml(v: Verdict): string {
  const list = (lines: readonly string[], cls: string): string =>
    lines.length === 0 ? '' : `<ul class="${cls}">${lines.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  return (
    `<div class="verdict" data-study="${escapeHtml(v.study)}" data-outcome="${escapeHtml(v.outcome)}"><div class="q">${escapeHtml(v.question)}</div>` +
    `<div class="h">${escapeHtml(v.headline)}</div><div class="o">outcome: <b>${escapeHtml(v.outcome)}</b></div>` +
    (v.interval === null ? '' : `<div class="i">effect: ${escapeHtml(v.interval)}</div>`) +
    list(v.reasons, 'reasons') +
    list(
      v.next.map((n) => `next: ${n}`),
      'next',
    ) +
    list(v.numbers, 'numbers') +
    '</div>'
  );
}

function chartHtml(c: DrawnChart): string {
  // the SVG comes from Vega's renderer, which escapes the text it draws; it is embedded as is
  return (
    `<figure class="chart" id="chart-${escapeHtml(c.id)}"><h3>${escapeHtml(c.title)}</h3>${c.svg}` +
    `<figcaption>${escapeHtml(c.caption)}</figcaption></figure>`
  );
}

function tableHtml(t: NonNullable<PageSection['tables']>[number]): string {
  const head = `<tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><caption>${escapeHtml(t.caption)}</caption>${head}${body}</table>`;
}

/**
 * The whole page as a string.
 *
 * @example
 * renderHtml({ title: 'run', meta: [], verdicts: [], sections: [], config: {} }).startsWith('<!doctype html>'); // true
 */
export function renderHtml(page: ReportPage): string {
  const meta = page.meta.map(([k, v]) => `<span><b>${escapeHtml(k)}</b> ${escapeHtml(v)}</span>`).join('');
  const verdicts =
    page.verdicts.length === 0 ? '' : `<section class="verdicts">${page.verdicts.map(verdictHtml).join('')}</section>`;
  const sections = page.sections
    .map(
      (s) =>
        `<section><h2>${escapeHtml(s.title)}</h2>${s.intro === undefined ? '' : `<p>${escapeHtml(s.intro)}</p>`}` +
        `${s.charts.map(chartHtml).join('')}${(s.tables ?? []).map(tableHtml).join('')}</section>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(page.title)}</title><style>${CSS}</style></head>
<body><header><h1>${escapeHtml(page.title)}</h1><div class="meta">${meta}</div></header>
${verdicts}${sections}
<section><h2>Config</h2><details><summary>The resolved config of this run</summary><pre>${escapeHtml(JSON.stringify(page.config, null, 2))}</pre></details></section>
</body></html>
`;
}
