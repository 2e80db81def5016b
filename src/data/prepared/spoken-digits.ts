/**
 * `spoken-digits`: the words "zero" to "nine" spoken by espeak-ng (Debian package `espeak-ng`)
 * in every voice variant it ships (~100: `espeak-ng --voices=variant`), each take with an English
 * accent, a speed and a pitch drawn from the seed. The variants are the speakers: a seeded fifth of
 * them is held out, and their clips are the test split, so the test is speaker-independent (no test
 * voice is heard in training).
 *
 * Files: `clips/<variant>/<digit>-<take>.wav` (espeak-ng's 22,050 Hz 16-bit mono, as it writes them),
 * `train.csv` and `test.csv` (file, label, word, variant, accent, speed, pitch). espeak-ng runs with
 * execFile (no shell; every argument is ours), a few at a time; each clip is written under a temporary
 * name and renamed, so a clip that exists is complete and an interrupted build keeps it.
 *
 * Licence: espeak-ng is GPL-3.0-or-later (/usr/share/doc/espeak-ng/copyright). The clips are its
 * output, not a copy of it: its formant synthesiser computes them from rules, and the GPL covers the
 * program, not what it produces from one's own input (GNU GPL FAQ, "Is there some way that I can GPL
 * the output people get from use of my program?"). The copyright file says nothing about output.
 *
 * @example
 * const { dir, manifest } = await ensurePrepared('spoken-digits');
 * manifest.views.digit.data; // { source: 'audio', file: 'train.csv', testFile: 'test.csv', sampleRate: 22050, seconds: 0.75, … }
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { Rng } from '../../core/rng.js';
import { ValueError } from '../../core/errors.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
import { registerPreparable } from './registry.js';
import type { BuildOptions, BuiltData } from './types.js';
import { guardedMkdirSync, guardedRemoveSync } from '../../io/run-guard.js';

const run = promisify(execFile);

/** The command that speaks. */
export const ESPEAK = 'espeak-ng';
/** The words, by digit. */
export const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;
/** English accents of espeak-ng; each take draws one. */
export const ACCENTS = [
  'en-us',
  'en',
  'en-gb-scotland',
  'en-gb-x-rp',
  'en-gb-x-gbclan',
  'en-gb-x-gbcwmd',
  'en-029',
] as const;
/** espeak-ng's output rate (samples per second). */
export const ESPEAK_RATE = 22_050;
/** Seconds every clip is cut or padded to when read: the slowest take ends by ~0.66 s. */
export const CLIP_SECONDS = 0.75;

/** What a build speaks. */
export interface SpokenDigitsPlan {
  /** Voice variants (speakers), by espeak-ng's variant name; default: every installed one. */
  variants?: readonly string[];
  /** Digits spoken (default all ten). */
  digits?: readonly number[];
  /** Takes of each digit by each variant. */
  takes: number;
  /** Share of the variants held out as test speakers (at least one, and at least one left to train on). */
  testShare: number;
  /** Words per minute, drawn uniformly from this range per take. */
  speed: readonly [number, number];
  /** espeak-ng pitch (0..99), drawn uniformly per take. */
  pitch: readonly [number, number];
  /** espeak-ng processes at a time. */
  concurrency: number;
}

/** The full data set: every variant, ten digits, four takes each (about 4,000 clips). */
export const SPOKEN_DIGITS_PLAN: SpokenDigitsPlan = Object.freeze({
  takes: 4,
  testShare: 0.2,
  speed: [120, 200] as const,
  pitch: [20, 80] as const,
  concurrency: 2,
});

/** One clip to speak. */
interface Take {
  file: string;
  digit: number;
  variant: string;
  accent: string;
  speed: number;
  pitch: number;
  test: boolean;
}

/**
 * espeak-ng's voice variants (`espeak-ng --voices=variant`: the file column, `!v/<name>`; a name with a space is left out), sorted.
 *
 * @example
 * installedVariants().slice(0, 3); // ['Alex', 'Alicia', 'Andrea']
 */
export function installedVariants(): string[] {
  const out = execFileSync(ESPEAK, ['--voices=variant'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const names = out
    .split('\n')
    .slice(1)
    .map((line) => /\s!v\/([A-Za-z0-9_-]+)\s*$/.exec(line)?.[1])
    .filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

/** Undefined when espeak-ng runs, else the line saying what to install. */
export function espeakMissing(): string | undefined {
  try {
    execFileSync(ESPEAK, ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'install the Debian package espeak-ng (apt-get install espeak-ng)';
  }
}

const between = (rng: Rng, [lo, hi]: readonly [number, number]): number => lo + rng.int(hi - lo + 1);

/** Every take of a plan, drawn from `seed`: which variants are held out, and each take's accent, speed and pitch. */
export function planTakes(plan: SpokenDigitsPlan, variants: readonly string[], seed: number): Take[] {
  for (const v of variants)
    if (!/^[A-Za-z0-9_-]+$/.test(v)) throw new ValueError('spoken-digits', `variant "${v}": expected a-z, 0-9, _ or -`);
  const digits = plan.digits ?? DIGIT_WORDS.map((_, d) => d);
  for (const d of digits)
    if (!Number.isInteger(d) || d < 0 || d > 9) throw new ValueError('spoken-digits', `digit ${d}: expected 0..9`);
  if (variants.length < 2)
    throw new ValueError(
      'spoken-digits',
      `${variants.length} voice variants: expected at least 2 (some to train on, some to test on)`,
    );
  const rng = new Rng(seed);
  const order = rng.permutation(variants.length);
  const testCount = Math.min(variants.length - 1, Math.max(1, Math.round(plan.testShare * variants.length)));
  const held = new Set(Array.from(order.subarray(0, testCount), (i) => variants[i]!));
  const takes: Take[] = [];
  for (const variant of variants)
    for (const digit of digits)
      for (let t = 0; t < plan.takes; t++)
        takes.push({
          file: `clips/${variant}/${digit}-${t}.wav`,
          digit,
          variant,
          accent: ACCENTS[rng.int(ACCENTS.length)]!,
          speed: between(rng, plan.speed),
          pitch: between(rng, plan.pitch),
          test: held.has(variant),
        });
  return takes;
}

/** Speaks one take into its file (under a temporary name, then renamed), unless the file is there. */
async function speak(dir: string, take: Take): Promise<void> {
  const file = path.join(dir, take.file);
  if (fs.existsSync(file)) return;
  guardedMkdirSync(path.dirname(file));
  const tmp = `${file}.espeak-${process.pid}.tmp`;
  try {
    await run(ESPEAK, [
      '-v',
      `${take.accent}+${take.variant}`,
      '-s',
      String(take.speed),
      '-p',
      String(take.pitch),
      '-w',
      tmp,
      DIGIT_WORDS[take.digit]!,
    ]);
    const bytes = fs.readFileSync(tmp);
    if (bytes.length <= 44 || bytes.subarray(0, 4).toString('latin1') !== 'RIFF')
      throw new ValueError(take.file, `${ESPEAK} wrote no WAV (${bytes.length} bytes)`);
    writeFileAtomicSync(file, bytes);
  } finally {
    guardedRemoveSync(tmp);
  }
}

const CSV_COLUMNS = ['file', 'label', 'word', 'variant', 'accent', 'speed', 'pitch'];
const csvOf = (takes: readonly Take[]): string =>
  stringify(
    takes.map((t) => [t.file, String(t.digit), DIGIT_WORDS[t.digit]!, t.variant, t.accent, t.speed, t.pitch]),
    { header: true, columns: CSV_COLUMNS },
  );

/**
 * Builds the data set of `plan` into `dir` (see the module comment); keeps the clips it finds.
 *
 * @example
 * await buildSpokenDigits('/tmp/sd', { ...SPOKEN_DIGITS_PLAN, variants: ['m1', 'f2'], digits: [0, 1], takes: 1 }, { seed: 0 });
 */
export async function buildSpokenDigits(
  dir: string,
  plan: SpokenDigitsPlan,
  options: BuildOptions,
): Promise<BuiltData> {
  const variants = [...(plan.variants ?? installedVariants())].sort();
  const takes = planTakes(plan, variants, options.seed);
  // temporary files of an interrupted build (its complete clips are kept)
  for (const v of variants) {
    const folder = path.join(dir, 'clips', v);
    if (fs.existsSync(folder))
      for (const f of fs.readdirSync(folder)) if (f.endsWith('.tmp')) guardedRemoveSync(path.join(folder, f));
  }
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < takes.length) {
      const take = takes[next++]!;
      await speak(dir, take);
      options.progress?.(++done, takes.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, worker));
  const train = takes.filter((t) => !t.test);
  const test = takes.filter((t) => t.test);
  writeFileAtomicSync(path.join(dir, 'train.csv'), csvOf(train));
  writeFileAtomicSync(path.join(dir, 'test.csv'), csvOf(test));
  const testVariants = new Set(test.map((t) => t.variant));
  const classes = new Set(takes.map((t) => t.digit)).size;
  return {
    summary: `${takes.length} spoken digits (${classes} words × ${variants.length} espeak-ng voices × ${plan.takes} takes); ${testVariants.size} voices held out for testing (${test.length} clips)`,
    views: {
      digit: {
        description:
          'a spoken digit (raw waveform, 22,050 Hz, 0.75 s) → which digit; test clips are of voices never heard in training',
        data: {
          source: 'audio',
          file: 'train.csv',
          testFile: 'test.csv',
          sampleRate: ESPEAK_RATE,
          seconds: CLIP_SECONDS,
          normalize: 'peak',
        },
      },
    },
    defaultView: 'digit',
    counts: {
      clips: takes.length,
      train: train.length,
      test: test.length,
      classes,
      voices: variants.length,
      testVoices: testVariants.size,
    },
  };
}

registerPreparable({
  name: 'spoken-digits',
  summary: 'the words zero..nine spoken by ~100 espeak-ng voices; held-out voices for testing',
  licence:
    'generated by espeak-ng (GPL-3.0-or-later); the clips are its output, not a copy of the program, and carry no licence of it',
  requires: 'Debian package espeak-ng',
  version: 1,
  missing: espeakMissing,
  build: (dir, options) => buildSpokenDigits(dir, SPOKEN_DIGITS_PLAN, options),
});
