/**
 * A config field path as one writes it: keys joined by dots, list indices in brackets, keys that
 * are not plain names quoted in brackets. A plain name is a letter or `_` followed by letters,
 * digits, `_` or `-` (YAML keys and `--set` paths write them so).
 *
 * @example
 * formatPath(['model', 'hidden', 1]);         // 'model.hidden[1]'
 * formatPath(['tasks', 'my task', 'kind']);   // 'tasks["my task"].kind'
 */

const PLAIN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The path of a field, `a.b[1].c`; '' for the top level.
 *
 * @example
 * formatPath(['runs', 0, 'lr']);  // 'runs[0].lr'
 * formatPath(['tasks', 'a.b']);   // 'tasks["a.b"]'
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && PLAIN.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}
