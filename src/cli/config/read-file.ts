/**
 * Reading a config file: YAML (`.yaml`, `.yml`) or JSON (`.json`), chosen by extension. A file
 * that cannot be read or parsed is a CliError naming the file and, for syntax errors, the line and
 * column; the top level must be a mapping.
 *
 * @example
 * const raw = readConfigFile('examples/train-mnist-mlp.yaml'); // { model: { arch: 'mlp' }, ... }
 */
import { parseUntrusted } from '../../io/untrusted.js';
import * as fs from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { CliError } from '../errors.js';

/** The config formats by file extension. */
const FORMATS: Record<string, 'yaml' | 'json'> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 says "... at position 42": turn the offset into a line and column a reader can find
    const m = /position (\d+)/.exec((err as Error).message);
    const at = m === null ? '' : (() => {
      const before = text.slice(0, Number(m[1]));
      const line = before.split('\n').length;
      return `:${line}:${before.length - before.lastIndexOf('\n')}`;
    })();
    throw new CliError(`${file}${at}: not valid JSON: ${(err as Error).message}`);
  }
}

function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    // the pretty message adds " at line 3, column 4:" and a code frame; the position goes up front instead
    const what = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new CliError(`${file}${pos === undefined ? '' : `:${pos.line}:${pos.col}`}: not valid YAML: ${what}`);
  }
  return doc.toJS();
}

/**
 * The parsed contents of a YAML or JSON config file; an empty file is an empty mapping.
 *
 * @example
 * readConfigFile('study.json');
 */
export function readConfigFile(file: string): Record<string, unknown> {
  const format = FORMATS[extname(file).toLowerCase()];
  if (format === undefined) throw new CliError(`${file}: unknown config format '${extname(file)}', expected .yaml, .yml or .json`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: cannot read the config file (${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message})`);
  }
  const value = parseUntrusted(file, () => (format === 'json' ? parseJson(text, file) : parseYaml(text, file)));
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(`${file}: the top level must be a mapping of keys to values, found ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return value as Record<string, unknown>;
}
