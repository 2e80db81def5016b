/**
 * Reading back what a run wrote, for `polytask report` to draw its report again: its info,
 * config, metrics log and study results (`results-transfer.json`, `results-mtl.json`,
 * `results-e2e.json`), whichever exist.
 *
 * @example
 * const saved = loadRunData('runs/20260101-120000-main-3fa2c1');
 * await writeReport(saved.info.dir, { title: saved.info.kind, meta: [], config: saved.config, data: saved.data });
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { ReportData } from './assemble.js';
import { METRICS_FILE, readMetrics } from './metrics-log.js';
import { parseJson, readRunConfig, readRunInfo, type RunInfo } from './run-dir.js';

/** The file a study's result is saved to inside a run directory. */
export function resultsFile(study: 'transfer' | 'mtl' | 'e2e'): string {
  return `results-${study}.json`;
}

function readJsonIfPresent(path: string): unknown {
  if (!fs.existsSync(path)) return undefined;
  return parseJson(path, fs.readFileSync(path, 'utf8'));
}

/**
 * A run's info, config and report data.
 *
 * @example
 * loadRunData(dir).data.metrics?.length;
 */
export function loadRunData(dir: string): { info: RunInfo; config: unknown; data: ReportData } {
  const info = readRunInfo(dir);
  const data: ReportData = { metrics: readMetrics(join(dir, METRICS_FILE)) };
  for (const study of ['transfer', 'mtl', 'e2e'] as const) {
    const r = readJsonIfPresent(join(dir, resultsFile(study)));
    if (r !== undefined) (data as Record<string, unknown>)[study] = r;
  }
  return { info, config: readRunConfig(dir), data };
}
