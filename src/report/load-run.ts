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
import { FormatError } from '../core/errors.js';
import type { ReportData } from './assemble.js';
import { isE2eReport, isMtlReport, isTransferReport, type StudyKey } from './inputs.js';
import { METRICS_FILE, readMetrics } from './metrics-log.js';
import { parseJson, readRunConfig, readRunInfo, type RunInfo } from './run-dir.js';

/** The file a study's result is saved to inside a run directory. */
export function resultsFile(study: StudyKey): string {
  return `results-${study}.json`;
}

/** A study's saved result, checked against its type; undefined when the run has none. */
function readResult<R>(dir: string, study: StudyKey, isResult: (v: unknown) => v is R): R | undefined {
  const path = join(dir, resultsFile(study));
  if (!fs.existsSync(path)) return undefined;
  const value = parseJson(path, fs.readFileSync(path, 'utf8'));
  if (!isResult(value)) throw new FormatError(path, `not a result of the ${study} study as this version writes it`);
  return value;
}

/**
 * A run's info, config and report data.
 *
 * @example
 * loadRunData(dir).data.metrics?.length;
 */
export function loadRunData(dir: string): { info: RunInfo; config: unknown; data: ReportData } {
  const info = readRunInfo(dir);
  const transfer = readResult(dir, 'transfer', isTransferReport);
  const mtl = readResult(dir, 'mtl', isMtlReport);
  const e2e = readResult(dir, 'e2e', isE2eReport);
  const data: ReportData = {
    metrics: readMetrics(join(dir, METRICS_FILE)),
    ...(transfer === undefined ? {} : { transfer }),
    ...(mtl === undefined ? {} : { mtl }),
    ...(e2e === undefined ? {} : { e2e }),
  };
  return { info, config: readRunConfig(dir), data };
}
