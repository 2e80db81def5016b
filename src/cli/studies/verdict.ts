/**
 * A study's verdict in words for the terminal: the verdict the report shows, as a few lines.
 *
 * @example
 * verdictLines(mtlVerdict(result), 'Multi-task learning'); // ['Multi-task learning: Inconclusive (smoke test): ...', '  outcome: inconclusive (smoke test)', '  effect: ...', '  FAILED smoke test = yes: ...', ...]
 */
import type { Verdict } from '../../report/index.js';

/**
 * The verdict as terminal lines: the headline under the study's title, then its numbers indented.
 *
 * @example
 * verdictLines(v, 'End-to-end vs pipeline');
 */
export function verdictLines(v: Verdict, title: string): string[] {
  return [
    `${title}: ${v.headline}`,
    `  outcome: ${v.outcome}`,
    ...(v.interval === null ? [] : [`  effect: ${v.interval}`]),
    ...v.reasons.map((r) => `  ${r}`),
    ...v.next.map((n) => `  next: ${n}`),
    ...v.numbers.map((n) => `  ${n}`),
  ];
}
