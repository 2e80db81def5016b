/**
 * The version of the code a process runs: the package version and a hash of its compiled modules.
 * A job made by one version is refused by a worker of another, since the two may train the same
 * sub-run differently.
 *
 * @example
 * codeVersion(); // '0.1.0+3fa2c19b7e01'
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_VERSION } from '../core/version.js';

let cached: string | null = null;

/** The module files under `dir` (compiled .js, or .ts when run from sources), sorted. */
function* moduleFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* moduleFiles(path);
    else if (/\.(js|ts)$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/**
 * This process's code version (computed once).
 *
 * @example
 * job.codeVersion === codeVersion(); // the worker runs the coordinator's code
 */
export function codeVersion(): string {
  if (cached === null) {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const hash = createHash('sha256');
    for (const file of moduleFiles(root))
      hash.update(file.slice(root.length)).update('\0').update(readFileSync(file)).update('\0');
    cached = `${PACKAGE_VERSION}+${hash.digest('hex').slice(0, 12)}`;
  }
  return cached;
}
