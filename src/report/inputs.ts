/**
 * What the report reads of each study's result: the study's own result type (exported by its
 * module), narrowed to the fields the charts, tables and verdicts draw. A study's result is one
 * of these as it is (a type-level test checks it), so the report draws the one real shape and
 * needs no readers of other spellings.
 *
 * @example
 * const data: ReportData = { mtl: await runMtlStudy(config) };   // an MtlStudyResult is an MtlReport
 */
import type { E2eStudyResult } from '../endtoend/study.js';
import type { MtlStudyResult } from '../multitask/study.js';
import type { TransferStudyResult } from '../transfer/study.js';

/** The transfer study's result as the report reads it. */
export type TransferReport = Pick<
  TransferStudyResult,
  'budgets' | 'results' | 'verdict' | 'baselines' | 'baselineSettings'
>;

/** The multi-task study's result as the report reads it. */
export type MtlReport = Pick<
  MtlStudyResult,
  'tasks' | 'results' | 'deltaM' | 'negativeTransfer' | 'affinity' | 'weightsOverTime' | 'verdict'
>;

/** The end-to-end study's result as the report reads it. */
export type E2eReport = Pick<E2eStudyResult, 'metric' | 'sizes' | 'curves' | 'fits' | 'crossover' | 'verdict'>;

/** The keys of the three studies, as their results are named in a run. */
export type StudyKey = 'transfer' | 'mtl' | 'e2e';

/** Whether `v` has the shape of a study's verdict object (src/study/verdict.ts). */
function isVerdictObject(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    'outcome' in v &&
    typeof v.outcome === 'string' &&
    'sentence' in v &&
    typeof v.sentence === 'string' &&
    'reasons' in v &&
    Array.isArray(v.reasons) &&
    'next' in v &&
    Array.isArray(v.next) &&
    'effect' in v
  );
}

/**
 * Whether a saved value (results-transfer.json) has the transfer result's shape.
 *
 * @example
 * isTransferReport(JSON.parse(text));
 */
export function isTransferReport(v: unknown): v is TransferReport {
  return (
    typeof v === 'object' &&
    v !== null &&
    'budgets' in v &&
    Array.isArray(v.budgets) &&
    'results' in v &&
    typeof v.results === 'object' &&
    v.results !== null &&
    'verdict' in v &&
    isVerdictObject(v.verdict)
  );
}

/**
 * Whether a saved value (results-mtl.json) has the multi-task result's shape.
 *
 * @example
 * isMtlReport(JSON.parse(text));
 */
export function isMtlReport(v: unknown): v is MtlReport {
  return (
    typeof v === 'object' &&
    v !== null &&
    'tasks' in v &&
    Array.isArray(v.tasks) &&
    'results' in v &&
    typeof v.results === 'object' &&
    v.results !== null &&
    'deltaM' in v &&
    typeof v.deltaM === 'object' &&
    'negativeTransfer' in v &&
    typeof v.negativeTransfer === 'object' &&
    'affinity' in v &&
    typeof v.affinity === 'object' &&
    'weightsOverTime' in v &&
    typeof v.weightsOverTime === 'object' &&
    'verdict' in v &&
    isVerdictObject(v.verdict)
  );
}

/**
 * Whether a saved value (results-e2e.json) has the end-to-end result's shape.
 *
 * @example
 * isE2eReport(JSON.parse(text));
 */
export function isE2eReport(v: unknown): v is E2eReport {
  return (
    typeof v === 'object' &&
    v !== null &&
    'sizes' in v &&
    Array.isArray(v.sizes) &&
    'curves' in v &&
    typeof v.curves === 'object' &&
    v.curves !== null &&
    'fits' in v &&
    typeof v.fits === 'object' &&
    'crossover' in v &&
    typeof v.crossover === 'object' &&
    v.crossover !== null &&
    'verdict' in v &&
    isVerdictObject(v.verdict) &&
    'metric' in v &&
    typeof v.metric === 'string'
  );
}
