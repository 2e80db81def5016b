/**
 * Examples stored one file per example in one folder per class (`DIR/<class>/<file>`): the class
 * names are the folder names, sorted, and each class's files are sorted too, so the same folder
 * always gives the same examples in the same order. Hidden entries (a leading dot) are skipped;
 * a folder without class folders, or a class folder without a file of the wanted kind, is an
 * error naming it.
 *
 * @example
 * const { classNames, examples } = listClassFolders('reviews', ['.txt']);
 * classNames;   // ['negative', 'positive']
 * examples[0];  // { path: 'reviews/negative/001.txt', label: 0 }
 */
import * as fs from 'node:fs';
import { extname, join } from 'node:path';
import { ValueError } from '../core/errors.js';
import { snippet } from '../io/untrusted.js';

/** One example file and its class index. */
export interface ClassFile {
  path: string;
  label: number;
}

/** The classes of a folder and every example file in it. */
export interface ClassFolders {
  classNames: string[];
  examples: ClassFile[];
}

function entries(dir: string): fs.Dirent[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(dir, code === 'ENOENT' ? 'no such folder' : `cannot be read as a folder (${code ?? 'error'})`);
  }
}

/**
 * The class folders of `dir` and their files whose extension (lower-cased) is one of `extensions`.
 *
 * @example
 * listClassFolders('sounds', ['.wav']).classNames; // ['cat', 'dog']
 */
export function listClassFolders(dir: string, extensions: readonly string[]): ClassFolders {
  const folders = entries(dir).filter((e) => e.isDirectory());
  if (folders.length < 2) {
    throw new ValueError(
      dir,
      `expected one folder per class (at least two), found ${folders.length === 0 ? 'none' : `only "${snippet(folders[0]!.name)}"`}`,
    );
  }
  const examples: ClassFile[] = [];
  folders.forEach((f, label) => {
    const files = entries(join(dir, f.name)).filter(
      (e) => e.isFile() && extensions.includes(extname(e.name).toLowerCase()),
    );
    if (files.length === 0)
      throw new ValueError(join(dir, f.name), `class folder has no ${extensions.join(' or ')} file`);
    for (const file of files) examples.push({ path: join(dir, f.name, file.name), label });
  });
  return { classNames: folders.map((f) => f.name), examples };
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
