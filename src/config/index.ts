/**
 * Config files and their checks, below the studies: the one reader (YAML or JSON), the one
 * zod-issue formatter (`file: a.b[1]: found X, expected Y`), "did you mean" for unknown keys.
 * Nothing here loads zod at run time: schemas come from the caller.
 *
 * @example
 * import { parseConfig, readConfigFile } from '../config/index.js';
 * const config = parseConfig(schema, readConfigFile('study.yaml'), 'study.yaml');
 */
export { ConfigError, problemsText, MAX_LISTED, type ConfigProblem } from './error.js';
export { parseConfig, configProblems, type ConfigOrigin, type ConfigOverride } from './issues.js';
export { readConfigFile, parseConfigText, parseValueText } from './read.js';
export { formatPath } from './path.js';
export { describeValue, MAX_SHOWN } from './describe.js';
export { closestKey, editDistance, tolerance, unknownKeyText } from './suggest.js';
export { schemaAt, allowedKeys, wantsInteger } from './schema-walk.js';
