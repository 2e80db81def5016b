/**
 * Importing a user's JS module (a case, or a module of hand-written rules) by path: a missing file
 * or a module that fails to load is one ValueError naming the file. A module edited since it was
 * last imported is imported again (its own imports are not).
 *
 * @example
 * const mod = await importModule('/home/me/rules.mjs'); // { parity: [Function] }
 */
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ValueError } from '../../core/errors.js';
import { recordFrom } from '../../core/safe-keys.js';

/**
 * The exports of the JS module at `path` (an absolute path), or a ValueError naming it.
 *
 * @example
 * const mod = await importModule('/home/me/rules.mjs'); // { parity: [Function] }
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  if (!fs.existsSync(path) || !fs.statSync(path).isFile()) throw new ValueError(path, 'no such file');
  let mod: unknown;
  try {
    // the file's modification time in the URL: an edited module is imported anew (Node keeps a
    // module per URL for the life of the process, a long-lived worker's included)
    mod = await import(`${pathToFileURL(path).href}?mtime=${Math.round(fs.statSync(path).mtimeMs)}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ValueError(path, `cannot be loaded as a JS module (${message.split('\n')[0]!.slice(0, 200)})`);
  }
  if (typeof mod !== 'object' || mod === null) throw new ValueError(path, 'is not a JS module');
  return recordFrom(Object.entries(mod));
}
