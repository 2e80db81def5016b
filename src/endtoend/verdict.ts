/**
 * The plain-language answer to "is there enough data for end to end?" for the amount of (x, y)
 * data the user has: each approach's error there, where end to end catches up with the pipeline,
 * and which approach to use.
 *
 * @example
 * dataVerdict({ available: 2000, metric: 'error rate', pipeline: 0.29, endToEnd: 0.61, hybrid: 0.17,
 *   endToEndSource: 'measured', crossover });
 * // 'With 2,000 (x, y) examples: pipeline 0.290, end to end 0.610, hybrid 0.170 (error rate). Not enough ...'
 */
import type { Crossover } from './crossover.js';

export interface VerdictInput {
  /** The (x, y) examples the user has. */
  available: number;
  /** What the errors measure. */
  metric: string;
  /** Each approach's error at `available`. */
  pipeline: number;
  endToEnd: number;
  hybrid?: number;
  /** How the end-to-end error at `available` was obtained. */
  endToEndSource: 'measured' | 'fitted' | 'nearest measured';
  crossover: Crossover;
}

/** A count for prose, with thousands separators. */
const count = (m: number): string => Math.round(m).toLocaleString('en-US');

/** An estimated count: 2 significant figures from 10,000 up, as an estimate is not more precise. */
const about = (m: number): string => count(m >= 10_000 ? Number(m.toPrecision(2)) : m);

const value = (v: number): string => v.toPrecision(3);

function interval(c: Crossover): string {
  if (c.low === null && c.high === null) return '';
  if (c.high === null) return ` (95% interval: from ${about(c.low!)} up, without a bound above)`;
  if (c.low === null) return ` (95% interval: up to ${about(c.high)})`;
  return ` (95% interval ${about(c.low)}–${about(c.high)})`;
}

function catchUp(i: VerdictInput): string {
  const c = i.crossover;
  const n = i.available;
  switch (c.status) {
    case 'unknown':
      return `Whether end to end can catch up cannot be told from these curves (${c.detail}); measure larger sizes or more seeds.`;
    case 'not-expected':
      return `End to end is not expected to reach the pipeline with any amount of data in reach (${c.detail}): keep the pipeline.`;
    case 'measured':
    case 'extrapolated': {
      const size = c.size!;
      const how = c.status === 'measured' ? 'as measured' : 'by the fitted curves';
      if (size <= n)
        return `That is enough data for end to end: ${how}, it matches the pipeline from about ${about(size)} examples${interval(c)}.`;
      const factor = size / n;
      return (
        `Not enough data for end to end: ${how}, it matches the pipeline only from about ${about(size)} examples${interval(c)}, ` +
        `${factor < 10 ? factor.toFixed(1) : about(factor)}× what you have; keep the pipeline or collect more (x, y) pairs.`
      );
    }
  }
}

function best(i: VerdictInput): string {
  if (i.hybrid === undefined) return '';
  const ranked = [
    ['the pipeline', i.pipeline],
    ['end to end', i.endToEnd],
    ['the hybrid', i.hybrid],
  ] as const;
  const winner = [...ranked].sort((a, b) => a[1] - b[1])[0]!;
  if (winner[0] === 'the hybrid') {
    return " The hybrid (the pipeline's stages fine-tuned end to end on your pairs) is the best of the three here: it uses both kinds of data.";
  }
  return ` The hybrid (${value(i.hybrid)}) does not beat ${winner[0]} here.`;
}

/**
 * The verdict for the user's amount of data.
 *
 * @example
 * dataVerdict(input); // 'With 800 (x, y) examples: ... Not enough data for end to end: ...'
 */
export function dataVerdict(i: VerdictInput): string {
  const e2e =
    i.endToEndSource === 'measured'
      ? ''
      : i.endToEndSource === 'fitted'
        ? ', end to end read off its fitted curve'
        : ', end to end at the nearest measured size';
  const hybrid = i.hybrid === undefined ? '' : `, hybrid ${value(i.hybrid)}`;
  return (
    `With ${count(i.available)} (x, y) examples: pipeline ${value(i.pipeline)}, end to end ${value(i.endToEnd)}${hybrid} (${i.metric}${e2e}). ` +
    catchUp(i) +
    best(i)
  );
}
