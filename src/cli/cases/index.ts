/**
 * The main job's cases (`npm start -- --case NAME`): each one file beside this one. Without
 * --case the main job runs the three studies on the embedded MNIST.
 *
 * @example
 * caseStudies(findCase('clipart'), STUDIES).map((s) => s.key); // ['transfer', 'mtl']
 */
import { CliError } from '../errors.js';
import type { Study } from '../studies/types.js';
import { audioCase } from './audio.js';
import { clipartCase, clipartPretrainedCase } from './clipart.js';
import { textCase } from './text.js';
import type { MainCase } from './types.js';

export type { MainCase } from './types.js';

/** Every case, in the order --help lists them. */
export const CASES: readonly MainCase[] = [clipartCase, clipartPretrainedCase, textCase, audioCase];

/**
 * The case named `name`; a CliError listing the known ones otherwise.
 *
 * @example
 * findCase('audio').datasets; // ['spoken-digits']
 */
export function findCase(name: string): MainCase {
  const c = CASES.find((x) => x.name === name);
  if (c === undefined)
    throw new CliError(
      `--case ${name}: expected one of ${CASES.length === 0 ? '(none yet)' : CASES.map((x) => x.name).join(', ')}`,
    );
  return c;
}

/**
 * The studies a case runs, in the main job's order, each with the case's presets.
 *
 * @example
 * caseStudies(findCase('text'), STUDIES)[0]!.presets.main;
 */
export function caseStudies(c: MainCase, studies: readonly Study[]): Study[] {
  return studies.flatMap((s) => {
    const presets = c.presets[s.key];
    return presets === undefined ? [] : [{ ...s, presets }];
  });
}
