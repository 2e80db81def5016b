/**
 * Reading a YAML or JSON configuration file into plain data. YAML 1.2 reads JSON as well; duplicate
 * keys are errors (a repeated task would otherwise silently replace the first). Syntax errors name
 * the file, line and column.
 *
 * @example
 * const raw = readConfigFile('tasks.yaml');   // then parseConfig(schema, raw, 'tasks.yaml')
 */
import * as fs from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { FormatError, ValueError } from '../../core/errors.js';
import { parseUntrusted } from '../../io/untrusted.js';

/**
 * Parses YAML (or JSON) text; `file` names the source in errors.
 *
 * @example
 * parseConfigText('epochs: 3\n', 'inline.yaml'); // { epochs: 3 }
 */
export function parseConfigText(text: string, file = '<string>'): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  const err = doc.errors[0];
  if (err !== undefined) {
    const at = lines.linePos(err.pos[0]);
    throw new FormatError(file, `line ${at.line}, column ${at.col}: ${err.message.split('\n')[0]} (not valid YAML or JSON)`);
  }
  return doc.toJS() as unknown;
}

/**
 * The contents of a YAML or JSON file as plain data.
 *
 * @example
 * readConfigFile('examples/study.yaml');
 */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValueError('config', `cannot read ${path}: ${(e as Error).message}`);
  }
  return parseUntrusted(path, () => parseConfigText(text, path));
}
