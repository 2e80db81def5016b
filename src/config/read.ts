/**
 * The one config file reader: YAML (`.yaml`, `.yml`) or JSON (`.json`), chosen by extension, into
 * plain data whose top level is a mapping (an empty file is an empty mapping). Duplicate YAML keys
 * are errors (a repeated key would otherwise silently replace the first). Every failure is a
 * ConfigError naming the file, with `:line:col` for syntax errors.
 *
 * @example
 * const raw = readConfigFile('examples/train-mnist-mlp.yaml'); // { model: { arch: 'mlp' }, ... }
 * parseConfig(trainConfigSchema, raw, 'examples/train-mnist-mlp.yaml');
 */
import * as fs from 'node:fs';
import { extname } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { describeValue } from './describe.js';
import { ConfigError } from './error.js';
import { parseUntrusted } from '../io/untrusted.js';

/** A number as a person writes it in decimal: `3`, `-0.5`, `3e-4`. */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The config formats by file extension. */
const FORMATS: Readonly<Record<string, 'yaml' | 'json'>> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

/** A ConfigError about the whole file (`where` is the file, perhaps with `:line:col`). */
const fileError = (file: string, where: string, detail: string): ConfigError =>
  new ConfigError(file, [{ source: where, path: [], detail }]);

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 says "... at position 42": turn the offset into a line and column a reader can find
    const m = /position (\d+)/.exec((err as Error).message);
    const before = m === null ? null : text.slice(0, Number(m[1]));
    const at = before === null ? '' : `:${before.split('\n').length}:${before.length - before.lastIndexOf('\n')}`;
    throw fileError(file, `${file}${at}`, `not valid JSON: ${(err as Error).message}`);
  }
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    // the pretty message adds " at line 3, column 4:" and a code frame; the position goes up front instead
    const what = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw fileError(file, `${file}${pos === undefined ? '' : `:${pos.line}:${pos.col}`}`, `not valid YAML: ${what}`);
  }
  return doc.toJS() as unknown;
}

/**
 * Config text as a mapping; `file` names it in errors, `format` defaults to YAML (which reads
 * most JSON as well).
 *
 * @example
 * parseConfigText('epochs: 3\n', 'inline.yaml'); // { epochs: 3 }
 */
export function parseConfigText(
  text: string,
  file = '<string>',
  format: 'yaml' | 'json' = 'yaml',
): Record<string, unknown> {
  // alias bombs, nesting past the stack and keys such as __proto__ are refused naming the file
  const value = parseUntrusted(file, () => (format === 'json' ? parseJson(text, file) : parseYaml(text, file)));
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw fileError(
      file,
      file,
      `the top level must be a mapping of keys to values, found ${Array.isArray(value) ? 'a list' : describeValue(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * The parsed contents of a YAML or JSON config file.
 *
 * @example
 * readConfigFile('study.json');
 */
export function readConfigFile(file: string): Record<string, unknown> {
  const format = FORMATS[extname(file).toLowerCase()];
  if (format === undefined)
    throw fileError(file, file, `unknown config format '${extname(file)}', expected .yaml, .yml or .json`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fileError(
      file,
      file,
      `cannot read the config file (${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)})`,
    );
  }
  return parseConfigText(text, file, format);
}

/**
 * A value written on the command line, read as YAML so that numbers, booleans and lists get their
 * types ('abc', or text that is not valid YAML, stays the string as written).
 *
 * @example
 * parseValueText('[64, 32]'); // [64, 32]
 * parseValueText('3e-4');     // 0.0003
 */
export function parseValueText(text: string): unknown {
  try {
    const v = parse(text) as unknown;
    // only decimal notation is a number: YAML's 0x10, 0o17 and .inf stay text for the schema to refuse
    if (typeof v === 'number' && !DECIMAL.test(text.trim())) return text;
    return v === null ? text : v;
  } catch {
    return text;
  }
}
