/**
 * Flags over config keys: each override sets one dotted path (`training.epochs`) in the raw config
 * before it is validated, so a flag is checked exactly as the key it replaces, and an error in it
 * names the flag. `--set path=value` reaches any key; its value is read as YAML (`3` is a number,
 * `[64, 32]` a list, `true` a boolean, anything else a string).
 *
 * @example
 * const raw = applyOverrides({ training: { epochs: 3 } }, [{ path: 'training.epochs', value: 5, source: '--epochs' }]);
 * raw.training.epochs;                    // 5
 * parseSetFlag('model.hidden=[64, 32]');  // { path: 'model.hidden', value: [64, 32], source: '--set model.hidden' }
 */
import { parseValueText } from '../../config/index.js';
import { CliError } from '../errors.js';
import { assertSafeKeysDeep, assertSafePath } from '../../core/safe-keys.js';

/** One key set from the command line. */
export interface Override {
  /** Dotted path into the config. */
  path: string;
  value: unknown;
  /** The flag it came from, for error messages: '--epochs', '--set training.lr'. */
  source: string;
}

/**
 * A flag's text as a config value: read as YAML, so numbers, booleans and lists get their types
 * and the schema can reject a wrong one ('abc' for an integer stays the string 'abc').
 *
 * @example
 * flagValue('0.01'); // 0.01
 */
export function flagValue(text: string): unknown {
  return parseValueText(text);
}

/**
 * A `--set` flag's `path=value`.
 *
 * @example
 * parseSetFlag('optimizer.lr=3e-4').value; // 0.0003
 */
export function parseSetFlag(text: string): Override {
  const eq = text.indexOf('=');
  const path = eq < 0 ? '' : text.slice(0, eq).trim();
  if (eq < 0 || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(path)) {
    throw new CliError(`--set ${text}: expected key.path=value, e.g. --set training.epochs=5`);
  }
  assertSafePath(path, `--set ${path}`);
  const value = flagValue(text.slice(eq + 1));
  assertSafeKeysDeep(value, `--set ${path}`);
  return { path, value, source: `--set ${path}` };
}

/**
 * A deep copy of `raw` with every override applied in order (later ones win); intermediate
 * mappings are created where missing. Setting inside a non-mapping is an error naming the flag.
 *
 * @example
 * applyOverrides({}, [{ path: 'a.b', value: 1, source: '--set a.b' }]); // { a: { b: 1 } }
 */
export function applyOverrides(raw: Record<string, unknown>, overrides: readonly Override[]): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const o of overrides) {
    const keys = o.path.split('.');
    assertSafePath(keys, o.source);
    let node: Record<string, unknown> = out;
    keys.slice(0, -1).forEach((k, i) => {
      const next = node[k];
      if (next === undefined) node[k] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        throw new CliError(
          `${o.source}: cannot set a key inside ${keys.slice(0, i + 1).join('.')}, which is ${JSON.stringify(next)}`,
        );
      }
      node = node[k] as Record<string, unknown>;
    });
    node[keys.at(-1)!] = o.value;
  }
  return out;
}
