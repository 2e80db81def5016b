/**
 * `wordnet`: the glosses of WordNet 3.0 (Debian `wordnet-base`, /usr/share/wordnet/data.*), each
 * with two labels: its part of speech (noun, verb, adjective, adverb; satellite adjectives count
 * as adjectives) and its lexicographer file, the "supersense" (noun.animal, verb.motion, … 45 of
 * them): two tasks on one input. Views `pos` and `supersense` read the same split files.
 *
 * @example
 * // polytask data prepare wordnet
 * // data: { source: prepared, name: wordnet, view: supersense }
 * await buildWordnet(dir, { seed: 0, limit: 500 }); // a small build, for tests
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerPreparable } from './registry.js';
import { capRows, oneLine, splitFiles, UNLABELLED_FILE, writeTextSplit, type TextRow } from './text-files.js';
import type { BuildOptions, BuiltData } from './types.js';

/** Where Debian's wordnet-base puts the database. */
export const WORDNET_DIR = '/usr/share/wordnet';

/** The lexicographer files by number (WordNet's lexnames(5)); Debian ships no lexnames file. */
export const LEXNAMES = [
  'adj.all', 'adj.pert', 'adv.all', 'noun.Tops', 'noun.act', 'noun.animal', 'noun.artifact',
  'noun.attribute', 'noun.body', 'noun.cognition', 'noun.communication', 'noun.event', 'noun.feeling',
  'noun.food', 'noun.group', 'noun.location', 'noun.motive', 'noun.object', 'noun.person',
  'noun.phenomenon', 'noun.plant', 'noun.possession', 'noun.process', 'noun.quantity', 'noun.relation',
  'noun.shape', 'noun.state', 'noun.substance', 'noun.time', 'verb.body', 'verb.change', 'verb.cognition',
  'verb.communication', 'verb.competition', 'verb.consumption', 'verb.contact', 'verb.creation',
  'verb.emotion', 'verb.motion', 'verb.perception', 'verb.possession', 'verb.social', 'verb.stative',
  'verb.weather', 'adj.ppl',
] as const; // prettier-ignore

const POS: Record<string, string> = { n: 'noun', v: 'verb', a: 'adjective', s: 'adjective', r: 'adverb' };
const FILES = ['data.noun', 'data.verb', 'data.adj', 'data.adv'];

/**
 * The glosses of one data.* file: `offset lexfile ss_type … | gloss`, license header lines (which
 * start with two spaces) skipped. A line that does not parse is skipped and counted.
 *
 * @example
 * parseWordnetData('00001740 29 v 04 breathe 0 … | draw air into, and expel out of, the lungs'); // [{ text: 'draw air…', pos: 'verb', supersense: 'verb.body', … }]
 */
export function parseWordnetData(content: string): { rows: TextRow[]; skipped: number } {
  const rows: TextRow[] = [];
  let skipped = 0;
  for (const line of content.split('\n')) {
    if (line === '' || line.startsWith('  ')) continue;
    const m = /^(\d{8}) (\d{2}) ([nvasr]) ([0-9a-f]{2}) (\S+) .*?\| (.*)$/.exec(line);
    const lex = m === null ? undefined : LEXNAMES[Number(m[2])];
    const text = m === null ? '' : oneLine(m[6]!);
    if (m === null || lex === undefined || text === '') {
      skipped++;
      continue;
    }
    rows.push({ text, pos: POS[m[3]!]!, supersense: lex, lemma: m[5]!.replace(/_/g, ' '), synset: `${m[1]}-${m[3]}` });
  }
  return { rows, skipped };
}

/**
 * Builds the data set from `root` (default the Debian location) into `dir`; `limit` keeps a seeded
 * sample of that many glosses (tests).
 *
 * @example
 * (await buildWordnet(dir, { seed: 0, limit: 300 })).counts.glosses; // 300
 */
export async function buildWordnet(
  dir: string,
  o: BuildOptions & { limit?: number; root?: string },
): Promise<BuiltData> {
  const root = o.root ?? WORDNET_DIR;
  let all: TextRow[] = [];
  let skipped = 0;
  FILES.forEach((f, i) => {
    const parsed = parseWordnetData(readFileSync(join(root, f), 'latin1'));
    all = all.concat(parsed.rows);
    skipped += parsed.skipped;
    o.progress?.(i + 1, FILES.length + 1);
  });
  const rows = capRows(all, o.limit, o.seed);
  const sizes = writeTextSplit(dir, 'glosses', rows, ['pos', 'supersense', 'lemma'], {
    seed: o.seed,
    testFraction: 0.2,
    stratify: 'supersense',
  });
  o.progress?.(FILES.length + 1, FILES.length + 1);
  const files = splitFiles('glosses');
  const view = (label: string, description: string): BuiltData['views'][string] => ({
    description,
    data: { source: 'text', ...files, textColumn: 'text', label, maxLength: 32 },
  });
  const supersenses = new Set(rows.map((r) => r.supersense)).size;
  return {
    summary: `${rows.length} WordNet 3.0 glosses (${sizes.train} train, ${sizes.test} test, split by supersense), 4 parts of speech, ${supersenses} supersenses; ${UNLABELLED_FILE}: every gloss${skipped > 0 ? `; ${skipped} lines skipped` : ''}`,
    views: {
      pos: view('pos', "a gloss's part of speech (noun, verb, adjective, adverb)"),
      supersense: view('supersense', "a gloss's lexicographer file (noun.animal, verb.motion, …)"),
    },
    defaultView: 'pos',
    counts: { glosses: rows.length, train: sizes.train, test: sizes.test, pos: 4, supersenses },
  };
}

registerPreparable({
  name: 'wordnet',
  summary: 'WordNet 3.0 glosses: part of speech (4) and supersense (45), two tasks on one input',
  licence: 'WordNet 3.0 licence (Princeton University; use, copy, modify, distribute with its notice)',
  requires: 'Debian package wordnet-base',
  version: 1,
  missing: () =>
    existsSync(join(WORDNET_DIR, 'data.noun'))
      ? undefined
      : `${WORDNET_DIR}/data.noun not found: install Debian's wordnet-base (apt-get install wordnet-base)`,
  build: (dir, o) => buildWordnet(dir, o),
});
