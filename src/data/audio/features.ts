/**
 * Hand-designed features of a clip, computed by the `meyda` library (MIT): the log-mel
 * spectrogram (meyda's `melBands`: a Hann window, the FFT's power spectrum, a triangular mel
 * filterbank on the HTK scale 1125·ln(1 + f/700), then ln(1 + energy)) and MFCCs (meyda's `mfcc`:
 * a DCT-II of those log-mel energies), frame by frame. Meyda computes one frame at a time, so
 * framing (a frame every `hop` samples, no padding) is the only part written here.
 *
 * The result is an image-like array [1, bands, frames] (band-major), what a spectrogram CNN reads.
 * `melFilterBank` hands meyda's filterbank to a differentiable front end (nn/ or models/ code that
 * starts from the same filters).
 *
 * @example
 * const x = logMel(clip, { sampleRate: 8000, frame: 256, hop: 128, mels: 32 }); // Float32Array [1·32·61]
 * featureShapeOf({ kind: 'logmel', sampleRate: 8000, frame: 256, hop: 128, mels: 32, mfccs: 13 }, 8000); // [1, 32, 61]
 */
import meydaModule from 'meyda';
import { ValueError } from '../../core/errors.js';

type MeydaApi = (typeof meydaModule)['default'];
/**
 * The Meyda object. Its types describe an ES module whose default export is the object, but Node
 * loads its CommonJS build, whose module.exports is the object itself: take whichever holds `extract`.
 */
const Meyda: MeydaApi =
  typeof Reflect.get(meydaModule, 'extract') === 'function'
    ? (meydaModule as unknown as MeydaApi)
    : meydaModule.default;

/** Framing and bands of a spectrogram. */
export interface SpectrogramOptions {
  /** Samples per second of the clip. */
  sampleRate: number;
  /** Samples per frame (the FFT size): a power of two, as meyda requires. */
  frame: number;
  /** Samples from one frame's start to the next. */
  hop: number;
  /** Mel bands. */
  mels: number;
}

/** What a clip becomes: its waveform, its log-mel spectrogram, or its MFCCs. */
export type AudioFeatures = 'waveform' | 'logmel' | 'mfcc';

/** The features of a clip, with their settings. */
export interface FeatureOptions extends SpectrogramOptions {
  kind: AudioFeatures;
  /** MFCC coefficients kept (at most `mels`, and at most 40, meyda's limit). */
  mfccs: number;
}

/**
 * Frames of a clip of `samples` samples: one every `hop`, each `frame` long, none padded.
 *
 * @example
 * frameCount(8000, 256, 128); // 61
 */
export function frameCount(samples: number, frame: number, hop: number): number {
  return samples < frame ? 0 : 1 + Math.floor((samples - frame) / hop);
}

/**
 * Checks framing and bands: one line naming the setting and what was expected.
 *
 * @example
 * checkFeatureOptions({ kind: 'mfcc', sampleRate: 8000, frame: 200, hop: 100, mels: 32, mfccs: 13 }, 8000, 'data'); // throws: frame 200 …
 */
export function checkFeatureOptions(o: FeatureOptions, samples: number, where: string): void {
  if (o.kind === 'waveform') return;
  if (!Number.isInteger(o.frame) || o.frame < 16 || (o.frame & (o.frame - 1)) !== 0)
    throw new ValueError(`${where}.frame`, `${o.frame}: expected a power of two of at least 16 (meyda's FFT size)`);
  if (!Number.isInteger(o.hop) || o.hop < 1)
    throw new ValueError(`${where}.hop`, `${o.hop}: expected a positive integer`);
  if (!Number.isInteger(o.mels) || o.mels < 1 || o.mels > o.frame / 2)
    throw new ValueError(`${where}.mels`, `${o.mels}: expected 1 to ${o.frame / 2} (half the frame)`);
  if (o.kind === 'mfcc' && (!Number.isInteger(o.mfccs) || o.mfccs < 1 || o.mfccs > Math.min(40, o.mels)))
    throw new ValueError(`${where}.mfccs`, `${o.mfccs}: expected 1 to ${Math.min(40, o.mels)} (at most mels and 40)`);
  if (frameCount(samples, o.frame, o.hop) < 1)
    throw new ValueError(`${where}.frame`, `${o.frame} samples is longer than the clip (${samples} samples)`);
}

/**
 * The shape of one example: [1, samples] for the waveform, [1, bands, frames] for a spectrogram.
 *
 * @example
 * featureShapeOf({ kind: 'mfcc', sampleRate: 8000, frame: 256, hop: 128, mels: 32, mfccs: 13 }, 8000); // [1, 13, 61]
 */
export function featureShapeOf(o: FeatureOptions, samples: number): number[] {
  if (o.kind === 'waveform') return [1, samples];
  return [1, o.kind === 'mfcc' ? o.mfccs : o.mels, frameCount(samples, o.frame, o.hop)];
}

/** Sets meyda's (global) settings for one extraction. */
function configure(o: SpectrogramOptions, mfccs = 13): void {
  Meyda.bufferSize = o.frame;
  Meyda.sampleRate = o.sampleRate;
  Meyda.melBands = o.mels;
  Meyda.numberOfMFCCCoefficients = mfccs;
  Meyda.windowingFunction = 'hanning';
}

/** Band-major [bands, frames] of meyda's `feature` per frame. */
function perFrame(
  clip: Float32Array,
  o: SpectrogramOptions,
  feature: 'melBands' | 'mfcc',
  bands: number,
): Float32Array {
  const frames = frameCount(clip.length, o.frame, o.hop);
  const out = new Float32Array(bands * frames);
  for (let t = 0; t < frames; t++) {
    const values = Meyda.extract(feature, clip.subarray(t * o.hop, t * o.hop + o.frame));
    if (!Array.isArray(values) || values.length < bands)
      throw new ValueError(
        'meyda',
        `${feature} gave ${Array.isArray(values) ? values.length : 'no'} values, expected ${bands}`,
      );
    for (let b = 0; b < bands; b++) out[b * frames + t] = values[b] as number;
  }
  return out;
}

/**
 * The log-mel spectrogram of a clip, band-major [mels, frames]: ln(1 + mel energy) of each frame.
 *
 * @example
 * logMel(clip, { sampleRate: 8000, frame: 256, hop: 128, mels: 32 }).length; // 32 · 61
 */
export function logMel(clip: Float32Array, o: SpectrogramOptions): Float32Array {
  configure(o);
  return perFrame(clip, o, 'melBands', o.mels);
}

/**
 * The MFCCs of a clip, coefficient-major [mfccs, frames].
 *
 * @example
 * mfcc(clip, { sampleRate: 8000, frame: 256, hop: 128, mels: 32 }, 13).length; // 13 · 61
 */
export function mfcc(clip: Float32Array, o: SpectrogramOptions, mfccs: number): Float32Array {
  configure(o, mfccs);
  return perFrame(clip, o, 'mfcc', mfccs);
}

/**
 * A clip's features as `o` asks: itself, its log-mel spectrogram or its MFCCs.
 *
 * @example
 * clipFeatures(clip, { kind: 'logmel', sampleRate: 8000, frame: 256, hop: 128, mels: 32, mfccs: 13 });
 */
export function clipFeatures(clip: Float32Array, o: FeatureOptions): Float32Array {
  if (o.kind === 'waveform') return clip;
  return o.kind === 'logmel' ? logMel(clip, o) : mfcc(clip, o, o.mfccs);
}

/**
 * Meyda's mel filterbank, [mels][frame/2] (the bins its melBands reads; the Nyquist bin is left
 * out as meyda leaves it out): the weights a learnable front end starts from.
 *
 * @example
 * melFilterBank({ sampleRate: 8000, frame: 256, hop: 128, mels: 32 }).length; // 32
 */
export function melFilterBank(o: SpectrogramOptions): Float32Array[] {
  configure(o);
  // meyda builds its filterbank on the first extraction with these settings and keeps it on itself
  Meyda.extract('melBands', new Float32Array(o.frame));
  const bank: unknown = Reflect.get(Meyda, 'melFilterBank');
  if (!Array.isArray(bank) || bank.length !== o.mels)
    throw new ValueError(
      'meyda',
      `kept no mel filterbank of ${o.mels} bands (a meyda version this code does not know)`,
    );
  return bank.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length < o.frame / 2)
      throw new ValueError('meyda', `mel filter ${i} has no ${o.frame / 2} weights`);
    return Float32Array.from(row.slice(0, o.frame / 2) as number[]);
  });
}

/**
 * The Hann window meyda applies before its FFT ("hanning": 0.5 − 0.5·cos(2πn/(N−1))), from meyda.
 *
 * @example
 * hannWindow(4); // [0, 0.75, 0.75, 0]
 */
export function hannWindow(n: number): Float32Array {
  return Float32Array.from(Meyda.windowing(new Float32Array(n).fill(1), 'hanning'));
}
