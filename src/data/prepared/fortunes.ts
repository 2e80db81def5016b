/**
 * `fortunes`: the quotes of BSD fortune(6) (Debian `fortunes`, /usr/share/games/fortunes), one
 * file per category (computers, politics, zippy, …), quotes separated by lines holding `%`. A
 * quote's category is its file (a quote in two files is kept once, under the first); categories with fewer than MIN_QUOTES quotes (ascii-art,
 * translate-me, …) are left out, so every class has something to learn from and test on.
 *
 * @example
 * // polytask data prepare fortunes
 * // data: { source: prepared, name: fortunes, view: category }
 * await buildFortunes(dir, { seed: 0, limit: 400 });
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { registerPreparable } from './registry.js';
import { capRows, oneLine, splitFiles, UNLABELLED_FILE, writeTextSplit, type TextRow } from './text-files.js';
import type { BuildOptions, BuiltData } from './types.js';

/** Where Debian's fortunes package puts the quote files. */
export const FORTUNES_DIR = '/usr/share/games/fortunes';

/** A category with fewer quotes than this is left out. */
export const MIN_QUOTES = 50;

/**
 * The quotes of one fortune file (separated by `%` lines), each on one line.
 *
 * @example
 * parseFortunes('A.\n%\nB\n  -- C\n%\n'); // ['A.', 'B -- C']
 */
export function parseFortunes(content: string): string[] {
  return content
    .split(/^%\s*$/m)
    .map(oneLine)
    .filter((q) => q !== '');
}

/** The category files of `root`: plain files without an extension (not the .dat indexes nor .u8 links). */
function categoryFiles(root: string): string[] {
  return readdirSync(root)
    .filter((f) => /^[a-z][a-z0-9_-]*$/i.test(f) && statSync(join(root, f)).isFile())
    .sort();
}

/**
 * Builds the data set from `root` (default the Debian location) into `dir`; `limit` keeps a seeded
 * sample of that many quotes (tests).
 *
 * @example
 * (await buildFortunes(dir, { seed: 0, limit: 300 })).counts.quotes; // 300
 */
export async function buildFortunes(
  dir: string,
  o: BuildOptions & { limit?: number; root?: string },
): Promise<BuiltData> {
  const root = o.root ?? FORTUNES_DIR;
  const all: TextRow[] = [];
  const left: string[] = [];
  const files = categoryFiles(root);
  files.forEach((f, i) => {
    const quotes = parseFortunes(readFileSync(join(root, f), 'utf8'));
    if (quotes.length < MIN_QUOTES) left.push(`${f} (${quotes.length})`);
    else for (const text of quotes) all.push({ text, category: f });
    o.progress?.(i + 1, files.length);
  });
  // a quote filed under two categories (or twice in one) is kept once, under its first
  const seen = new Set<string>();
  const unique = all.filter((r) => !seen.has(r.text) && seen.add(r.text) !== undefined);
  const rows = capRows(unique, o.limit, o.seed);
  const sizes = writeTextSplit(dir, 'quotes', rows, ['category'], {
    seed: o.seed,
    testFraction: 0.2,
    stratify: 'category',
  });
  const categories = new Set(rows.map((r) => r.category)).size;
  return {
    summary: `${rows.length} fortune quotes (${all.length - unique.length} duplicates dropped; ${sizes.train} train, ${sizes.test} test) in ${categories} categories${left.length > 0 ? `; left out, under ${MIN_QUOTES} quotes: ${left.join(', ')}` : ''}; ${UNLABELLED_FILE}: every quote`,
    views: {
      category: {
        description: "a quote's fortune file (computers, politics, zippy, …)",
        data: { source: 'text', ...splitFiles('quotes'), textColumn: 'text', label: 'category', maxLength: 48 },
      },
    },
    defaultView: 'category',
    counts: { quotes: rows.length, train: sizes.train, test: sizes.test, categories },
  };
}

registerPreparable({
  name: 'fortunes',
  summary: 'fortune(6) quotes by category (computers, politics, zippy, … about 40)',
  licence: 'BSD (fortune-mod, The Regents of the University of California; see /usr/share/doc/fortunes/copyright)',
  requires: 'Debian package fortunes',
  version: 2,
  missing: () =>
    existsSync(join(FORTUNES_DIR, 'computers'))
      ? undefined
      : `${FORTUNES_DIR}/computers not found: install Debian's fortunes (apt-get install fortunes)`,
  build: (dir, o) => buildFortunes(dir, o),
});
