/**
 * What every chart builder returns, and the look they share: a Vega-Lite spec with an id (its
 * PNG's file name), a title and a caption that says what to read in it.
 *
 * @example
 * const chart: Chart = { id: 'transfer', title: 'Transfer vs scratch', caption: '...', spec: { mark: 'line', ... } };
 */
import type { TopLevelSpec } from 'vega-lite';

export interface Chart {
  /** File-name-safe identifier, unique within a report. */
  id: string;
  title: string;
  /** One or two sentences: what the chart shows and how to read it. */
  caption: string;
  spec: TopLevelSpec;
}

/** Size of a single chart's plotting area, in pixels. */
export const WIDTH = 520;
export const HEIGHT = 260;

/** The shared appearance: fonts present on Debian and in resvg, no chart-level border. */
export const THEME = {
  font: 'DejaVu Sans, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
};

/**
 * A file-name-safe id from free text.
 *
 * @example
 * chartId('training', 'mtl/famo'); // 'training-mtl-famo'
 */
export function chartId(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
