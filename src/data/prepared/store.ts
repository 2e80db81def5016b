/**
 * Where prepared data sets live (`<cache>/prepared/<name>/`, the cache being `$POLYTASK_CACHE`,
 * else `$XDG_CACHE_HOME/polytask`, else `~/.cache/polytask`) and how they get there: a build writes
 * into `<name>.partial/` (kept if the build is interrupted, so the next build resumes from the files
 * it finds), writes manifest.json last, then renames the folder into place. A folder with a manifest
 * of the data set's current version is ready; any other is built again.
 *
 * @example
 * const { dir, manifest } = await ensurePrepared('clipart', { seed: 0 });
 * manifest.views.category.data; // { source: 'images', dir: 'images/category', … }
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { ValueError } from '../../core/errors.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
import { guardedMkdirSync, guardedRemoveSync, guardedRenameSync } from '../../io/run-guard.js';
import { cacheRoot } from '../image-folder/cache.js';
import { preparable } from './registry.js';
import type { PreparedManifest } from './types.js';

export const MANIFEST_FILE = 'manifest.json';

/**
 * The folder of a prepared data set (whether or not it exists yet).
 *
 * @example
 * preparedDir('clipart', { POLYTASK_CACHE: '/tmp/c' }); // '/tmp/c/prepared/clipart'
 */
export function preparedDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'prepared', name);
}

/**
 * The manifest of a prepared folder, or undefined when there is none or it is not of `version`.
 *
 * @example
 * readManifest('/tmp/c/prepared/clipart', 1)?.views;
 */
export function readManifest(dir: string, version: number): PreparedManifest | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const m = parsed as Partial<PreparedManifest>;
  if (m.version !== version || typeof m.views !== 'object' || m.views === null) return undefined;
  return m as PreparedManifest;
}

export interface EnsureOptions {
  seed?: number;
  /** Build again even when a current folder exists. */
  rebuild?: boolean;
  progress?: (done: number, total: number) => void;
}

/**
 * The prepared folder of a data set and its manifest, building it first when it is missing or of
 * an older version. Refuses in one line, naming the package, when the raw material is not installed.
 *
 * @example
 * await ensurePrepared('wordnet', { seed: 0 });
 */
export async function ensurePrepared(
  name: string,
  options: EnsureOptions = {},
): Promise<{ dir: string; manifest: PreparedManifest; built: boolean }> {
  const d = preparable(name);
  const dir = preparedDir(name);
  const seed = options.seed ?? 0;
  const current = readManifest(dir, d.version);
  if (current !== undefined && current.seed === seed && options.rebuild !== true)
    return { dir, manifest: current, built: false };
  const missing = d.missing();
  if (missing !== undefined) throw new ValueError(`data set ${name}`, `cannot be prepared: ${missing}`);
  const partial = `${dir}.partial`;
  guardedMkdirSync(partial);
  const built = await d.build(partial, { seed, ...(options.progress ? { progress: options.progress } : {}) });
  if (!(built.defaultView in built.views))
    throw new ValueError(`data set ${name}`, `its default view "${built.defaultView}" is not one of its views`);
  const manifest: PreparedManifest = {
    name,
    version: d.version,
    seed,
    licence: d.licence,
    created: new Date().toISOString(),
    ...built,
  };
  writeFileAtomicSync(path.join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  guardedRemoveSync(dir);
  try {
    guardedRenameSync(partial, dir);
  } catch (err) {
    // another process finished the same build first: use its folder
    const theirs = readManifest(dir, d.version);
    if (theirs === undefined) throw err;
    guardedRemoveSync(partial);
    return { dir, manifest: theirs, built: true };
  }
  return { dir, manifest, built: true };
}

/** The keys of `data:` mappings that hold file or folder paths. */
const PATH_KEYS = [
  'dir',
  'file',
  'testFile',
  'tokenizer',
  'images',
  'labels',
  'testImages',
  'testLabels',
  'features',
  'testFeatures',
];

/**
 * A view's `data:` mapping with its paths made absolute under `dir`; a path that climbs out of the
 * folder is refused (a manifest is a file, and files are not trusted).
 *
 * @example
 * viewData('/c/prepared/wordnet', manifest, 'pos'); // { source: 'text', file: '/c/prepared/wordnet/glosses.csv', … }
 */
export function viewData(dir: string, manifest: PreparedManifest, view: string | undefined): Record<string, unknown> {
  const name = view ?? manifest.defaultView;
  const v = Object.hasOwn(manifest.views, name) ? manifest.views[name] : undefined;
  if (v === undefined)
    throw new ValueError(
      `data set ${manifest.name}`,
      `no view "${name}": expected one of ${Object.keys(manifest.views)
        .map((k) => `"${k}"`)
        .join(', ')}`,
    );
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, value] of Object.entries(v.data)) {
    if (PATH_KEYS.includes(k) && typeof value === 'string') {
      const abs = path.resolve(dir, value);
      if (abs !== dir && !abs.startsWith(`${dir}${path.sep}`))
        throw new ValueError(path.join(dir, MANIFEST_FILE), `view "${name}" names ${value} outside its folder`);
      out[k] = abs;
    } else out[k] = value;
  }
  return { ...out };
}
