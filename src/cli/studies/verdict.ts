/**
 * A study's result in words for the terminal: the verdict the report shows, as a few lines.
 *
 * @example
 * verdictLines(verdictOf('mtl', result)); // ['Multi-task learning: Sharing helps: ...', '  Δm vs single-task: ...']
 */
import { e2eVerdict, mtlVerdict, transferVerdict, type E2eResult, type MtlResult, type TransferResult, type Verdict } from '../../report/index.js';
import type { StudyKey } from './types.js';

/**
 * The verdict of a study's result.
 *
 * @example
 * verdictOf('transfer', result).headline;
 */
export function verdictOf(key: StudyKey, result: unknown): Verdict {
  if (key === 'transfer') return transferVerdict(result as TransferResult);
  if (key === 'mtl') return mtlVerdict(result as MtlResult);
  return e2eVerdict(result as E2eResult);
}

/**
 * The verdict as terminal lines: the headline under the study's title, then its numbers indented.
 *
 * @example
 * verdictLines(v, 'End-to-end vs pipeline');
 */
export function verdictLines(v: Verdict, title: string): string[] {
  return [`${title}: ${v.headline}`, ...v.numbers.map((n) => `  ${n}`)];
}
