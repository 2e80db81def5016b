/**
 * The studies the CLI knows, by key, in the order the main job runs them.
 *
 * @example
 * studyByKey('mtl').title; // 'Multi-task learning'
 */
import { CliError } from '../errors.js';
import { e2eStudy } from './e2e.js';
import { mtlStudy } from './mtl.js';
import { transferStudy } from './transfer.js';
import type { Study } from './types.js';

/** Every study, in the order of the story: transfer, multi-task, end-to-end. */
export const STUDIES: readonly Study[] = [transferStudy, mtlStudy, e2eStudy];

/**
 * The study named `key`; a CliError listing the known ones otherwise.
 *
 * @example
 * studyByKey('e2e');
 */
export function studyByKey(key: string): Study {
  const s = STUDIES.find((d) => d.key === key);
  if (s === undefined)
    throw new CliError(`unknown study '${key}', expected one of ${STUDIES.map((d) => d.key).join(', ')}`);
  return s;
}
