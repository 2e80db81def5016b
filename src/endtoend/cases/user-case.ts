/**
 * Where a study's case comes from: a built-in case by name (digit-sum, read-number, spoken-digits), or the user's
 * own from a file: a JS module (`.js`, `.mjs`) whose default export, or export named `case`, is an
 * EndToEndCase (case.ts), or a YAML/JSON case (yaml-case.ts). A user's case is checked whole when
 * it is loaded (check-case.ts): a missing or wrong member is one error naming the file and what
 * was expected. Each call loads the file again: a study loads its case once per config
 * (loadE2eStudy, src/endtoend/study-load.ts), and again once the user edited it.
 *
 * @example
 * const c = await loadStudyCase('./my-case.mjs', 0);
 * c.name; // 'digit-parity'
 */
import * as fs from 'node:fs';
import { resolve } from 'node:path';
import { ValueError } from '../../core/errors.js';
import type { StudyCase } from './case.js';
import { checkCase } from './check-case.js';
import { STUDY_CASES, studyCase } from './builtins.js';
import { importModule } from './import-module.js';
import { loadYamlCase } from './yaml-case.js';

/** A case file's name: a JS module or a YAML/JSON case. */
export const CASE_FILE = /\.(m?js|cjs|ya?ml|json)$/i;

/** What `case:` accepts, in words. */
export const CASE_EXPECTED = `a built-in case (${STUDY_CASES.join(', ')}) or a case file: a JS module (.js, .mjs) or a YAML/JSON case (.yaml, .yml, .json)`;

/**
 * Whether `ref` names a built-in case or a case file.
 *
 * @example
 * isCaseRef('digit-sum'); // true
 * isCaseRef('cases/parity.yaml'); // true
 */
export function isCaseRef(ref: string): boolean {
  return (STUDY_CASES as readonly string[]).includes(ref) || CASE_FILE.test(ref);
}

async function loadCaseFile(file: string, seed: number): Promise<StudyCase> {
  if (!fs.existsSync(file)) throw new ValueError(file, 'no such case file');
  if (/\.(ya?ml|json)$/i.test(file)) return loadYamlCase(file, seed);
  const mod = await importModule(file);
  const raw = mod.default ?? mod.case;
  if (raw === undefined)
    throw new ValueError(
      file,
      'exports no case: expected a default export (export default { name, ... }) or an export named "case" (export { myCase as case })',
    );
  const c = checkCase(raw, file);
  // the module file itself is part of what the study reads
  return {
    ...c,
    dataInputs: async (s) => {
      const own = (await c.dataInputs?.(s)) ?? { files: [] };
      return { ...own, files: [file, ...own.files] };
    },
  };
}

/**
 * The case `ref` names, for a study with `seed`: a built-in case, or a case file (see the module comment).
 *
 * @example
 * await loadStudyCase('digit-sum', 0);
 */
export async function loadStudyCase(ref: string, seed: number): Promise<StudyCase> {
  if ((STUDY_CASES as readonly string[]).includes(ref)) return studyCase(ref);
  if (!CASE_FILE.test(ref)) throw new ValueError('case', `'${ref.slice(0, 80)}' is not ${CASE_EXPECTED}`);
  return loadCaseFile(resolve(ref), seed);
}
