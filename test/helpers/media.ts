/**
 * Synthetic text and audio with a known answer, for tests and the examples' data: sentences whose
 * class shows in one indicative word among neutral ones, and WAV clips of one of two tones under
 * noise. Seeded, so the same call writes the same files.
 *
 * @example
 * writeTextCsv('reviews.csv', 60, 1);          // text,label rows: positive / negative
 * writeToneFolders('tones', 12, 1);            // tones/low/*.wav, tones/high/*.wav
 * wavBytes([samples], 8000, '16');             // a mono 16-bit WAV
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { Rng } from '../../src/core/rng.js';

const NEUTRAL = [
  'the',
  'film',
  'was',
  'a',
  'story',
  'with',
  'actors',
  'and',
  'music',
  'in',
  'it',
  'plot',
  'scenes',
  'long',
  'of',
];
/** The class-indicative words: one of them is in every sentence of its class. */
export const CLASS_WORDS: Readonly<Record<string, readonly string[]>> = {
  negative: ['awful', 'boring', 'terrible', 'dull', 'hated'],
  positive: ['great', 'wonderful', 'superb', 'loved', 'brilliant'],
};

/**
 * `n` sentences per class, each 5 to 9 neutral words with one class word at a random place.
 *
 * @example
 * sentences(2, 0); // [{ text: 'the Plot awful ...', label: 'negative' }, ...]
 */
export function sentences(n: number, seed: number): { text: string; label: string }[] {
  const r = new Rng(seed);
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    for (const [label, words] of Object.entries(CLASS_WORDS)) {
      const w = Array.from({ length: 5 + r.int(5) }, () => NEUTRAL[r.int(NEUTRAL.length)]!);
      const cue = words[r.int(words.length)]!;
      w.splice(r.int(w.length + 1), 0, r.int(2) === 0 ? cue : cue.toUpperCase());
      out.push({ text: `${w.join(' ')}${r.int(2) === 0 ? '.' : '!'}`, label });
    }
  }
  return out;
}

/**
 * A CSV of `text,label` rows from `sentences`.
 *
 * @example
 * writeTextCsv('reviews.csv', 40, 0);
 */
export function writeTextCsv(file: string, n: number, seed: number): void {
  writeFileSync(
    file,
    `text,label\n${sentences(n, seed)
      .map((s) => `"${s.text}",${s.label}`)
      .join('\n')}\n`,
  );
}

/**
 * A WAV file's bytes: `channels` of samples in [-1, 1] written at `bitDepth` ('8', '16', '24',
 * '32' integer PCM, or '32f').
 *
 * @example
 * wavBytes([left, right], 44100, '16');
 */
export function wavBytes(channels: readonly Float64Array[], rate: number, bitDepth: string): Uint8Array {
  const bits = Number(bitDepth);
  const scaled = channels.map((c) =>
    bitDepth === '32f'
      ? Array.from(c)
      : bitDepth === '8'
        ? Array.from(c, (v) => Math.max(0, Math.min(255, Math.round(v * 128 + 128))))
        : Array.from(c, (v) =>
            Math.max(-(2 ** (bits - 1)), Math.min(2 ** (bits - 1) - 1, Math.round(v * 2 ** (bits - 1)))),
          ),
  );
  const w = new wavefile.WaveFile();
  w.fromScratch(channels.length, rate, bitDepth, channels.length === 1 ? scaled[0]! : scaled);
  return w.toBuffer();
}

/**
 * A sine of `hz` at amplitude `amp`, `seconds` long at `rate`, plus Gaussian noise of `noise` sd.
 *
 * @example
 * tone(440, 8000, 1, 0.5, 0, new Rng(0)); // Float64Array(8000)
 */
export function tone(hz: number, rate: number, seconds: number, amp: number, noise: number, r: Rng): Float64Array {
  const phase = r.uniform() * 2 * Math.PI;
  return Float64Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate + phase) + noise * r.normal(),
  );
}

/** The two tone classes' frequencies. */
export const TONES: Readonly<Record<string, number>> = { low: 300, high: 1200 };

/**
 * `n` clips per class (`low`, `high`) in class folders: 1 s at 8 kHz, 16-bit, random phase and
 * level, noise of sd 0.1.
 *
 * @example
 * writeToneFolders('tones', 10, 0); // tones/high/00.wav ... tones/low/09.wav
 */
export function writeToneFolders(dir: string, n: number, seed: number): void {
  const r = new Rng(seed);
  for (const [name, hz] of Object.entries(TONES)) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let i = 0; i < n; i++) {
      const x = tone(hz * (0.9 + 0.2 * r.uniform()), 8000, 1, 0.2 + 0.5 * r.uniform(), 0.1, r);
      writeFileSync(join(dir, name, `${String(i).padStart(2, '0')}.wav`), wavBytes([x], 8000, '16'));
    }
  }
}
