/**
 * Examples stored one file per example in one folder per class, in one of two layouts:
 * `DIR/<class>/<file>` (one pool, split by `loadData`) or `DIR/train/<class>/<file>` with
 * `DIR/val/<class>/<file>` and/or `DIR/test/<class>/<file>` (the folder's own splits; chosen when
 * DIR holds a `train` folder and a `val` or `test` one, and the caller allows it). The one scanner
 * behind image, text and audio folders. Class folders are sorted by name; a class's index is its
 * position, its name the folder's name (the train folder's classes in the split layout; val and
 * test may hold fewer, not others). Inside a class folder only files with one of the kind's
 * extensions (any case) are taken, sorted by name; hidden entries, other files and sub-folders
 * are skipped and counted. Only these fixed depths are read, so a symbolic link (to a class folder
 * or a file) is followed once and can never loop. Nothing is trusted: at most `maxFiles` files,
 * each at most `maxFileBytes` (the kind's environment variables), an empty class folder and fewer
 * than two classes are errors naming the folder. `classesOf` (class names from label values
 * written in a file) lives here too.
 *
 * @example
 * const f = scanClassFolders('reviews', TEXT_FILES);
 * f.classNames; // ['negative', 'positive']
 * f.train[0];   // { path: '/abs/reviews/negative/001.txt', label: 0, size: 812, mtimeMs: 1.7e12 }
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { ValueError } from '../core/errors.js';
import { formatBytes, parseByteCount } from './read-limits.js';
import { MAX_CLASSES } from './sources/pool.js';

/** A kind of example file: what a class folder's files must end with, and how errors name them. */
export interface FileKind {
  /** Lower-case extensions with their dot, e.g. `['.txt']`. */
  extensions: readonly string[];
  /** The files in words, plural: 'images', '.txt files', 'WAV files'. */
  name: string;
  /** One file in words: 'an image', 'a .txt file'. */
  one: string;
  /** The environment variables that raise the limits. */
  env: { maxFiles: string; maxFileBytes: string };
  /** Whether `DIR/train|val|test/<class>/*` is read as the folder's own splits (else flat only). */
  splitLayout: boolean;
}

/** The generic limits of text and audio folders (images have their own, see image-folder/scan.ts). */
const FILE_ENV = { maxFiles: 'POLYTASK_MAX_FILES', maxFileBytes: 'POLYTASK_MAX_FILE_BYTES' } as const;

/** `.txt` files, one example each (either layout). */
export const TEXT_FILES: Readonly<FileKind> = Object.freeze({
  extensions: ['.txt'],
  name: '.txt files',
  one: 'a .txt file',
  env: FILE_ENV,
  splitLayout: true,
});

/** WAV files, one clip each (flat layout). */
export const WAV_FILES: Readonly<FileKind> = Object.freeze({
  extensions: ['.wav'],
  name: 'WAV files',
  one: 'a WAV file',
  env: FILE_ENV,
  splitLayout: false,
});

/** One example file and its class. */
export interface ClassFile {
  /** Resolved path. */
  path: string;
  label: number;
  /** Bytes and modification time when scanned (with the path, the key of the image cache). */
  size: number;
  mtimeMs: number;
}

/** What was skipped while scanning, by kind. */
export interface Skipped {
  hidden: number;
  /** Files whose extension is not one of the kind's. */
  other: number;
  /** Folders inside class folders (not read: only `<class>/*` is). */
  folders: number;
}

/** A scanned folder of class folders. */
export interface ScannedFolder {
  dir: string;
  layout: 'flat' | 'split';
  classNames: string[];
  /** Every file of the flat layout, or of `train/`. */
  train: ClassFile[];
  val?: ClassFile[];
  test?: ClassFile[];
  skipped: Skipped;
}

/** Bounds on what a folder may make polytask read. */
export interface ScanLimits {
  maxFiles: number;
  maxFileBytes: number;
}

/** The defaults: 1,000,000 files, 64 MiB each. */
export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxFiles: 1_000_000,
  maxFileBytes: 64 * 1024 * 1024,
});

/**
 * The scan limits in force for a kind of file: the defaults, each replaced by the kind's
 * environment variable when set.
 *
 * @example
 * classFolderLimits(TEXT_FILES, { POLYTASK_MAX_FILES: '5000' }).maxFiles; // 5000
 */
export function classFolderLimits(kind: Pick<FileKind, 'env'>, env: NodeJS.ProcessEnv = process.env): ScanLimits {
  const files = env[kind.env.maxFiles];
  const bytes = env[kind.env.maxFileBytes];
  if (files !== undefined && files !== '' && !/^\s*[1-9]\d{0,8}\s*$/.test(files))
    throw new ValueError(
      kind.env.maxFiles,
      `expected a positive whole number, got ${JSON.stringify(files.slice(0, 40))}`,
    );
  return {
    maxFiles: files === undefined || files === '' ? DEFAULT_SCAN_LIMITS.maxFiles : Number(files),
    maxFileBytes:
      bytes === undefined || bytes === ''
        ? DEFAULT_SCAN_LIMITS.maxFileBytes
        : parseByteCount(bytes, kind.env.maxFileBytes),
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

/** The files of one class folder with one of the kind's extensions, sorted by name. */
function filesOf(
  classDir: string,
  label: number,
  kind: FileKind,
  limits: ScanLimits,
  skipped: Skipped,
  counted: { n: number; root: string },
): ClassFile[] {
  const out: ClassFile[] = [];
  for (const e of list(classDir).sort((a, b) => byName(a.name, b.name))) {
    if (e.name.startsWith('.')) {
      skipped.hidden++;
      continue;
    }
    const { kind: entry, stat } = kindOf(classDir, e);
    if (entry === 'dir') skipped.folders++;
    if (entry !== 'file' || stat === undefined) {
      if (entry === 'none') skipped.other++;
      continue;
    }
    if (!kind.extensions.includes(path.extname(e.name).toLowerCase())) {
      skipped.other++;
      continue;
    }
    const file = path.join(classDir, e.name);
    if (stat.size > limits.maxFileBytes)
      throw new ValueError(
        file,
        `is ${formatBytes(stat.size)}, larger than the ${formatBytes(limits.maxFileBytes)} ${kind.one} may be (raise ${kind.env.maxFileBytes} to read it)`,
      );
    if (++counted.n > limits.maxFiles)
      throw new ValueError(
        counted.root,
        `holds more than ${limits.maxFiles} ${kind.name} (the limit; raise ${kind.env.maxFiles} to read them all)`,
      );
    out.push({ path: file, label, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  if (out.length === 0)
    throw new ValueError(
      classDir,
      `class folder holds no ${kind.name}${kind.extensions.length > 1 ? ` (${kind.extensions.join(' ')})` : ''}`,
    );
  return out;
}

/** The files of every class folder of `dir`, labelled by `classNames` (or by their own sorted names). */
function scanClasses(
  dir: string,
  kind: FileKind,
  limits: ScanLimits,
  skipped: Skipped,
  counted: { n: number; root: string },
  classNames?: readonly string[],
): { classNames: string[]; entries: ClassFile[] } {
  const names = classFolders(dir, skipped);
  if (classNames === undefined) {
    if (names.length < 2)
      throw new ValueError(
        dir,
        `found ${names.length} class folder${names.length === 1 ? '' : 's'}${names.length === 1 ? ` (${names[0]})` : ''}; expected at least 2 (DIR/<class>/<file>${kind.splitLayout ? ', or DIR/train/<class>/... with DIR/val or DIR/test' : ''})`,
      );
    if (names.length > MAX_CLASSES) throw new ValueError(dir, `holds more than ${MAX_CLASSES} class folders`);
  } else {
    if (names.length === 0) throw new ValueError(dir, 'holds no class folders (expected <class>/<file> as in train/)');
    const unknown = names.find((n) => !classNames.includes(n));
    if (unknown !== undefined)
      throw new ValueError(path.join(dir, unknown), `class '${unknown}' is not one of the train folder's classes`);
  }
  const index = new Map((classNames ?? names).map((n, i) => [n, i]));
  const entries = names.flatMap((n) => filesOf(path.join(dir, n), index.get(n)!, kind, limits, skipped, counted));
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
 * Scans a folder of class folders holding one kind of file (the split layout only where the kind
 * allows it).
 *
 * @example
 * scanClassFolders('sounds', WAV_FILES).classNames; // ['cat', 'dog']
 */
export function scanClassFolders(
  dir: string,
  kind: FileKind,
  limits: ScanLimits = classFolderLimits(kind),
): ScannedFolder {
  const root = path.resolve(dir);
  if (!isDir(root)) list(root); // names a missing folder or a file
  const skipped: Skipped = { hidden: 0, other: 0, folders: 0 };
  const counted = { n: 0, root };
  const split =
    kind.splitLayout &&
    isDir(path.join(root, 'train')) &&
    (isDir(path.join(root, 'val')) || isDir(path.join(root, 'test')));
  if (!split) {
    const { classNames, entries } = scanClasses(root, kind, limits, skipped, counted);
    return { dir: root, layout: 'flat', classNames, train: entries, skipped };
  }
  const train = scanClasses(path.join(root, 'train'), kind, limits, skipped, counted);
  const other = (name: 'val' | 'test'): ClassFile[] | undefined =>
    isDir(path.join(root, name))
      ? scanClasses(path.join(root, name), kind, limits, skipped, counted, train.classNames).entries
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

/**
 * Class names from label values as written in a file: the distinct values, sorted (numerically
 * when every value is a number), and each value's class index.
 *
 * @example
 * classesOf(['spam', 'ham', 'spam']); // { classNames: ['ham', 'spam'], labels: Int32Array [1, 0, 1] }
 */
export function classesOf(values: readonly string[]): { classNames: string[]; labels: Int32Array } {
  const distinct = [...new Set(values)];
  const numeric = distinct.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(distinct.map((v, i) => [v, i]));
  return { classNames: distinct, labels: Int32Array.from(values, (v) => index.get(v)!) };
}

/**
 * The folder's own test split, in the split layout: `heldOut` (`val` or `test`), by default `val`
 * when there is one, else `test`; none in the flat layout (where `heldOut` is an error: there is
 * nothing to choose from). Errors name `data.heldOut` and the folder.
 *
 * @example
 * heldOutSplit(scanClassFolders('reviews', TEXT_FILES), undefined, 'reviews'); // { held: 'val', test: [...] }
 */
export function heldOutSplit(
  folder: ScannedFolder,
  heldOut: 'val' | 'test' | undefined,
  dir: string,
): { held: 'val' | 'test'; test: ClassFile[] } | undefined {
  if (folder.layout === 'flat') {
    if (heldOut !== undefined)
      throw new ValueError('data.heldOut', `${dir} has no train/ with val/ or test/ folders to choose from`);
    return undefined;
  }
  const held = heldOut ?? (folder.val !== undefined ? 'val' : 'test');
  const test = folder[held];
  if (test === undefined) throw new ValueError('data.heldOut', `${dir} has no ${held}/ folder`);
  return { held, test };
}
