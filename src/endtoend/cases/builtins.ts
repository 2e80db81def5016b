/**
 * The built-in end-to-end vs pipeline cases, by name.
 *
 * @example
 * studyCase('read-number').description;
 */
import { ValueError } from '../../core/errors.js';
import type { StudyCase } from './case.js';
import { digitSumCase } from './digit-sum.js';
import { readNumberCase } from './read-number.js';
import { spokenDigitsCaseBuiltin } from './spoken-digits.js';

/** Names of the built-in cases. */
export const STUDY_CASES = ['digit-sum', 'read-number', 'spoken-digits'] as const;
export type StudyCaseName = (typeof STUDY_CASES)[number];

const byName: Record<StudyCaseName, StudyCase> = {
  'digit-sum': digitSumCase,
  'read-number': readNumberCase,
  'spoken-digits': spokenDigitsCaseBuiltin,
};

/**
 * The built-in case called `name`.
 *
 * @example
 * const c = studyCase('digit-sum');
 */
export function studyCase(name: string): StudyCase {
  const found = (byName as Record<string, StudyCase | undefined>)[name];
  if (found === undefined)
    throw new ValueError('studyCase', `unknown case '${name}', expected one of ${STUDY_CASES.join(', ')}`);
  return found;
}
