/**
 * The end-to-end vs pipeline cases: the built-in ones by name, the case interface a user's own
 * implements, and loading a user's case from a JS module or a YAML file.
 *
 * @example
 * studyCase('read-number').description;
 * const mine = await loadStudyCase('./my-case.mjs', 0);
 */
export type { EndToEndCase, StudyCase, CasePart } from './case.js';
export { digitSumCase } from './digit-sum.js';
export { readNumberCase } from './read-number.js';
export { STUDY_CASES, studyCase, type StudyCaseName } from './builtins.js';
export { digitsData, builtinDigits } from './builtin-digits.js';
export {
  checkCase,
  checkCaseData,
  checkValueType,
  DEFAULT_CASE_SIZES,
  DEFAULT_CASE_SUBTASK_EXAMPLES,
} from './check-case.js';
export { caseModelSchema, caseNet, type CaseModel } from './case-models.js';
export { loadYamlCase, yamlCaseSchema, type YamlCase } from './yaml-case.js';
export { loadStudyCase, isCaseRef, CASE_FILE, CASE_EXPECTED } from './user-case.js';
export { importModule } from './import-module.js';
