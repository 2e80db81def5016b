/**
 * The files of an image folder, in one of two layouts: `DIR/<class>/*` (one pool, split by
 * `loadData`) or `DIR/train/<class>/*` with `DIR/val/<class>/*` and/or `DIR/test/<class>/*`
 * (the folder's own splits; chosen when DIR holds a `train` folder and a `val` or `test` one).
 * Class folders are sorted by name; a class's index is its position, its name the folder's name
 * (the train folder's classes in the split layout; val and test may hold fewer, not others).
 * Inside a class folder only files with an image extension are taken (.png .jpg .jpeg .webp .gif
 * .svg, any case); hidden entries, other files and sub-folders are skipped and counted. Only
 * these fixed depths are read, so a symbolic link (to a class folder or a file) is followed
 * once and can never loop. Nothing is trusted: at most `maxFiles` images, each at most
 * `maxFileBytes` (POLYTASK_MAX_IMAGES, POLYTASK_MAX_IMAGE_BYTES), an empty class folder and
 * fewer than two classes are errors naming the folder.
 *
 * @example
 * const f = scanImageFolder('photos');
 * f.classNames;        // ['cat', 'dog']
 * f.train[0];          // { path: '/abs/photos/cat/1.jpg', label: 0, size: 20480, mtimeMs: 1.7e12 }
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { ValueError } from '../../core/errors.js';
import { formatBytes, parseByteCount } from '../read-limits.js';
import { MAX_CLASSES } from '../sources/pool.js';
import { IMAGE_EXTENSIONS } from './decode.js';

/** One image file and its class. */
export interface ImageEntry {
  /** Resolved path. */
  path: string;
  label: number;
  /** Bytes and modification time when scanned: with the path, the key of the decoded cache. */
  size: number;
  mtimeMs: number;
}

/** What was skipped while scanning, by kind. */
export interface Skipped {
  hidden: number;
  /** Files whose extension is not an image's. */
  other: number;
  /** Folders inside class folders (not read: only `<class>/*` is). */
  folders: number;
}

/** A scanned image folder. */
export interface ScannedFolder {
  dir: string;
  layout: 'flat' | 'split';
  classNames: string[];
  /** Every image of the flat layout, or of `train/`. */
  train: ImageEntry[];
  val?: ImageEntry[];
  test?: ImageEntry[];
  skipped: Skipped;
}

/** Bounds on what a folder may make polytask read. */
export interface ScanLimits {
  maxFiles: number;
  maxFileBytes: number;
}

/** The defaults: 1,000,000 images, 64 MiB each. */
export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxFiles: 1_000_000,
  maxFileBytes: 64 * 1024 * 1024,
});

/**
 * The scan limits in force: the defaults, each replaced by its environment variable when set.
 *
 * @example
 * scanLimits({ POLYTASK_MAX_IMAGES: '5000' }).maxFiles; // 5000
 */
export function scanLimits(env: NodeJS.ProcessEnv = process.env): ScanLimits {
  const files = env.POLYTASK_MAX_IMAGES;
  const bytes = env.POLYTASK_MAX_IMAGE_BYTES;
  if (files !== undefined && files !== '' && !/^\s*[1-9]\d{0,8}\s*$/.test(files))
    throw new ValueError(
      'POLYTASK_MAX_IMAGES',
      `expected a positive whole number, got ${JSON.stringify(files.slice(0, 40))}`,
    );
  return {
    maxFiles: files === undefined || files === '' ? DEFAULT_SCAN_LIMITS.maxFiles : Number(files),
    maxFileBytes:
      bytes === undefined || bytes === ''
        ? DEFAULT_SCAN_LIMITS.maxFileBytes
        : parseByteCount(bytes, 'POLYTASK_MAX_IMAGE_BYTES'),
  };
}

/** The entries of a directory, or a ValueError naming it. */
function list(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : `cannot be read (${code})`;
    throw new ValueError(dir, why);
  }
}

/** What an entry is, a symbolic link followed once (a broken one is neither). */
function kindOf(dir: string, e: fs.Dirent): { kind: 'file' | 'dir' | 'none'; stat?: fs.Stats } {
  if (e.isDirectory()) return { kind: 'dir' };
  if (!e.isFile() && !e.isSymbolicLink()) return { kind: 'none' };
  try {
    const stat = fs.statSync(path.join(dir, e.name));
    return stat.isDirectory() ? { kind: 'dir' } : stat.isFile() ? { kind: 'file', stat } : { kind: 'none' };
  } catch {
    return { kind: 'none' };
  }
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The class folders of `dir`, sorted by name. */
function classFolders(dir: string, skipped: Skipped): string[] {
  const names: string[] = [];
  for (const e of list(dir)) {
    if (e.name.startsWith('.')) skipped.hidden++;
    else if (kindOf(dir, e).kind === 'dir') names.push(e.name);
    else skipped.other++;
  }
  return names.sort(byName);
}

/** The image files of one class folder, sorted by name. */
function imagesOf(
  classDir: string,
  label: number,
  limits: ScanLimits,
  skipped: Skipped,
  counted: { n: number; root: string },
): ImageEntry[] {
  const out: ImageEntry[] = [];
  for (const e of list(classDir).sort((a, b) => byName(a.name, b.name))) {
    if (e.name.startsWith('.')) {
      skipped.hidden++;
      continue;
    }
    const { kind, stat } = kindOf(classDir, e);
    if (kind === 'dir') skipped.folders++;
    if (kind !== 'file' || stat === undefined) {
      if (kind === 'none') skipped.other++;
      continue;
    }
    if (!IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
      skipped.other++;
      continue;
    }
    const file = path.join(classDir, e.name);
    if (stat.size > limits.maxFileBytes)
      throw new ValueError(
        file,
        `is ${formatBytes(stat.size)}, larger than the ${formatBytes(limits.maxFileBytes)} an image may be (raise POLYTASK_MAX_IMAGE_BYTES to read it)`,
      );
    if (++counted.n > limits.maxFiles)
      throw new ValueError(
        counted.root,
        `holds more than ${limits.maxFiles} images (the limit; raise POLYTASK_MAX_IMAGES to read them all)`,
      );
    out.push({ path: file, label, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  if (out.length === 0)
    throw new ValueError(classDir, 'class folder holds no images (.png .jpg .jpeg .webp .gif .svg)');
  return out;
}

/** The images of every class folder of `dir`, labelled by `classNames` (or by their own sorted names). */
function scanClasses(
  dir: string,
  limits: ScanLimits,
  skipped: Skipped,
  counted: { n: number; root: string },
  classNames?: readonly string[],
): { classNames: string[]; entries: ImageEntry[] } {
  const names = classFolders(dir, skipped);
  if (classNames === undefined) {
    if (names.length < 2)
      throw new ValueError(
        dir,
        `found ${names.length} class folder${names.length === 1 ? '' : 's'}${names.length === 1 ? ` (${names[0]})` : ''}; expected at least 2 (DIR/<class>/<image>, or DIR/train/<class>/... with DIR/val or DIR/test)`,
      );
    if (names.length > MAX_CLASSES) throw new ValueError(dir, `holds more than ${MAX_CLASSES} class folders`);
  } else {
    if (names.length === 0) throw new ValueError(dir, 'holds no class folders (expected <class>/<image> as in train/)');
    const unknown = names.find((n) => !classNames.includes(n));
    if (unknown !== undefined)
      throw new ValueError(path.join(dir, unknown), `class '${unknown}' is not one of the train folder's classes`);
  }
  const index = new Map((classNames ?? names).map((n, i) => [n, i]));
  const entries = names.flatMap((n) => imagesOf(path.join(dir, n), index.get(n)!, limits, skipped, counted));
  return { classNames: [...(classNames ?? names)], entries };
}

const isDir = (p: string): boolean => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Scans an image folder (either layout).
 *
 * @example
 * scanImageFolder('flowers', { maxFiles: 10_000, maxFileBytes: 8 << 20 }).layout; // 'split'
 */
export function scanImageFolder(dir: string, limits: ScanLimits = scanLimits()): ScannedFolder {
  const root = path.resolve(dir);
  if (!isDir(root)) list(root); // names a missing folder or a file
  const skipped: Skipped = { hidden: 0, other: 0, folders: 0 };
  const counted = { n: 0, root };
  const split = isDir(path.join(root, 'train')) && (isDir(path.join(root, 'val')) || isDir(path.join(root, 'test')));
  if (!split) {
    const { classNames, entries } = scanClasses(root, limits, skipped, counted);
    return { dir: root, layout: 'flat', classNames, train: entries, skipped };
  }
  const train = scanClasses(path.join(root, 'train'), limits, skipped, counted);
  const other = (name: 'val' | 'test'): ImageEntry[] | undefined =>
    isDir(path.join(root, name))
      ? scanClasses(path.join(root, name), limits, skipped, counted, train.classNames).entries
      : undefined;
  const val = other('val');
  const test = other('test');
  return {
    dir: root,
    layout: 'split',
    classNames: train.classNames,
    train: train.entries,
    ...(val === undefined ? {} : { val }),
    ...(test === undefined ? {} : { test }),
    skipped,
  };
}
