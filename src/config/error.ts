/**
 * The error of a config that does not fit: every problem on one line, each naming where it came
 * from (the file, or the flag that set the key), the field path, what was found and what was
 * expected:
 *
 *   study.yaml: training.epochs: found "three" (a string), expected an integer; --lr: optimizer.lr: found -1, expected a number > 0
 *
 * @example
 * throw new ConfigError('tasks.yaml', ['tasks', 'left', 'targets', 'column'], '"dgt"', 'a column of labels.csv: left, right');
 */
import { PolytaskError } from '../core/errors.js';
import { formatPath } from './path.js';

/** One problem: where it came from, the field, and what is wrong there. */
export interface ConfigProblem {
  /** The file (with `:line:col` when known) or the flag, e.g. 'study.yaml', '--set model.hidden'. */
  source: string;
  path: readonly PropertyKey[];
  /** What is wrong: 'found "x" (a string), expected a number', 'unknown key "epoch"; did you mean "epochs"?'. */
  detail: string;
}

/** Problems written out in full before the rest are counted. */
export const MAX_LISTED = 3;

/**
 * The one-line text of some problems: `source: path: detail`, joined by '; ', beyond MAX_LISTED counted.
 *
 * @example
 * problemsText([{ source: 'a.yaml', path: ['n'], detail: 'found "x" (a string), expected a number' }]);
 * // 'a.yaml: n: found "x" (a string), expected a number'
 */
export function problemsText(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => {
    const path = formatPath(p.path);
    return `${p.source}: ${path === '' ? '' : `${path}: `}${p.detail}`;
  });
  const more = lines.length > MAX_LISTED ? ` (and ${lines.length - MAX_LISTED} more)` : '';
  return `${lines.slice(0, MAX_LISTED).join('; ')}${more}`;
}

/**
 * A config that does not fit its schema or its data. `file` names the config (or what stands for
 * it); `problems` lists every problem found.
 *
 * @example
 * new ConfigError('study.yaml', ['epochs'], '"three" (a string)', 'an integer').message;
 * // 'study.yaml: epochs: found "three" (a string), expected an integer'
 */
export class ConfigError extends PolytaskError {
  override name = 'ConfigError';
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[]);
  constructor(file: string, path: readonly PropertyKey[], found: string, expected: string);
  constructor(file: string, a: readonly ConfigProblem[] | readonly PropertyKey[], found?: string, expected?: string) {
    const problems =
      found === undefined
        ? (a as readonly ConfigProblem[])
        : [
            {
              source: file,
              path: a as readonly PropertyKey[],
              detail: `found ${found}, expected ${expected ?? 'something else'}`,
            },
          ];
    super(problemsText(problems));
    this.file = file;
    this.problems = problems;
  }
}
