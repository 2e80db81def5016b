/**
 * WAV files as model inputs: decoded by `wavefile` (PCM of 8 to 32 bits, 32/64-bit float,
 * mu-law and A-law, any number of channels; not IMA ADPCM, which wavefile decodes shifted),
 * scaled to [-1, 1], mixed to mono (the mean of the channels), resampled to one rate, cut or padded to one length and optionally
 * peak-normalised.
 *
 * Resampling is wavefile's windowed-sinc interpolation ("sinc", its best of point, linear, cubic
 * and sinc); when the rate goes down, its FIR low-pass filter runs first, so a tone above the new
 * Nyquist frequency is removed rather than folded back as a false lower tone. Length: a clip
 * longer than `seconds` keeps its beginning; a shorter one is padded with silence at its end.
 *
 * @example
 * const x = readClip('dog/001.wav', { sampleRate: 8000, seconds: 1, normalize: 'peak' }); // Float32Array(8000)
 */
import * as fs from 'node:fs';
import wavefile from 'wavefile';
import { FormatError, ValueError } from '../../core/errors.js';
import { snippet } from '../../io/untrusted.js';
import { checkFileSize, readLimits } from '../read-limits.js';

/** How every clip is brought to one shape. */
export interface ClipOptions {
  /** Samples per second after resampling. */
  sampleRate: number;
  /** Length after cutting or padding. */
  seconds: number;
  /** 'peak': divide by the largest magnitude (a silent clip stays silent). */
  normalize: 'peak' | 'none';
}

/** A decoded WAV: its rate and each channel's samples in [-1, 1]. */
export interface DecodedWav {
  sampleRate: number;
  channels: Float64Array[];
}

/** Bytes of float64 samples (read, then scaled) per byte of a WAV file, at most (8-bit PCM). */
const DECODE_BYTES_PER_BYTE = 16;

/** The samples a clip of `o` holds. */
export const clipLength = (o: Pick<ClipOptions, 'sampleRate' | 'seconds'>): number =>
  Math.round(o.sampleRate * o.seconds);

/**
 * The channels of a WAV file's bytes, scaled to [-1, 1]; `file` names it in errors.
 *
 * @example
 * decodeWav(fs.readFileSync('a.wav'), 'a.wav').channels.length; // 2 for stereo
 */
export function decodeWav(bytes: Uint8Array, file: string): DecodedWav {
  let wav: wavefile.WaveFile;
  try {
    wav = new wavefile.WaveFile(bytes);
    if (wav.bitDepth === '8m') wav.fromMuLaw();
    else if (wav.bitDepth === '8a') wav.fromALaw();
  } catch (e) {
    throw new FormatError(file, `not a WAV file polytask can read (${snippet((e as Error).message, 80)})`);
  }
  const fmt = wav.fmt as { numChannels?: number; sampleRate?: number };
  const rate = fmt.sampleRate ?? 0;
  const count = fmt.numChannels ?? 0;
  if (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000)
    throw new FormatError(file, `sample rate ${rate} is not a rate from 1 to 1000000 Hz`);
  if (!Number.isInteger(count) || count < 1 || count > 256)
    throw new FormatError(file, `channel count ${count} is not from 1 to 256`);
  const depth = wav.bitDepth;
  let scale: (v: number) => number;
  if (depth === '32f' || depth === '64') scale = (v) => v;
  else if (depth === '8') scale = (v) => (v - 128) / 128;
  else {
    const bits = Number(depth);
    if (!Number.isInteger(bits) || bits < 8 || bits > 32)
      throw new FormatError(
        file,
        `bit depth "${snippet(depth, 10)}" is not supported (PCM of 8 to 32 bits, float, mu-law or A-law; convert IMA ADPCM to PCM)`,
      );
    const full = 2 ** (bits - 1);
    scale = (v) => v / full;
  }
  let raw: Float64Array | Float64Array[];
  try {
    raw = wav.getSamples(false, Float64Array) as Float64Array | Float64Array[];
  } catch (e) {
    throw new FormatError(file, `its samples cannot be decoded (${snippet((e as Error).message, 80)})`);
  }
  const channels = (count === 1 ? [raw as Float64Array] : (raw as Float64Array[])).map((c) => c.map(scale));
  if (channels.length !== count || channels[0]!.length === 0)
    throw new FormatError(file, 'holds no samples (its data chunk is empty or cut short)');
  for (const c of channels) {
    for (let i = 0; i < c.length; i++)
      if (!Number.isFinite(c[i]!)) throw new FormatError(file, `sample ${i} is ${c[i]}, not a finite number`);
  }
  return { sampleRate: rate, channels };
}

/**
 * The mean of the channels.
 *
 * @example
 * toMono([Float64Array.of(1, 0), Float64Array.of(0, 0)]); // Float64Array [0.5, 0]
 */
export function toMono(channels: readonly Float64Array[]): Float64Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float64Array(channels[0]!.length);
  for (const c of channels) for (let i = 0; i < out.length; i++) out[i] += c[i]! / channels.length;
  return out;
}

/**
 * `x` at `to` samples per second instead of `from`: wavefile's sinc interpolation, with its FIR
 * low-pass filter first when the rate goes down.
 *
 * @example
 * resample(oneSecondAt44k, 44100, 8000).length; // 8000
 */
export function resample(x: Float64Array, from: number, to: number): Float64Array {
  if (from === to) return x;
  const w = new wavefile.WaveFile();
  w.fromScratch(1, from, '64', x);
  w.toSampleRate(to, to < from ? { method: 'sinc', LPF: true, LPFType: 'FIR' } : { method: 'sinc', LPF: false });
  return w.getSamples(false, Float64Array) as Float64Array;
}

/**
 * `x` cut to its first `length` samples, or padded with zeros at its end, as float32.
 *
 * @example
 * fitLength(Float64Array.of(1, 2, 3), 2); // Float32Array [1, 2]
 * fitLength(Float64Array.of(1), 3);       // Float32Array [1, 0, 0]
 */
export function fitLength(x: Float64Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(x.length > length ? x.subarray(0, length) : x);
  return out;
}

/**
 * Scales `x` in place so its largest magnitude is 1 (a silent clip is left as it is).
 *
 * @example
 * peakNormalize(Float32Array.of(0.25, -0.5)); // [0.5, -1]
 */
export function peakNormalize(x: Float32Array): Float32Array {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  if (peak > 0) for (let i = 0; i < x.length; i++) x[i]! /= peak;
  return x;
}

/**
 * A WAV file as one mono clip of `o`'s rate and length.
 *
 * @example
 * readClip('yes/0a7c2a8d.wav', { sampleRate: 16000, seconds: 1, normalize: 'none' }).length; // 16000
 */
export function readClip(file: string, o: ClipOptions): Float32Array {
  checkFileSize(file, readLimits(), DECODE_BYTES_PER_BYTE, 'a WAV file');
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(file, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`);
  }
  const wav = decodeWav(bytes, file);
  // only the part that is kept is resampled (with 10 ms more, so the filter sees past the cut)
  const mono = toMono(wav.channels);
  const kept = mono.subarray(0, Math.ceil(wav.sampleRate * (o.seconds + 0.01)));
  const clip = fitLength(resample(kept, wav.sampleRate, o.sampleRate), clipLength(o));
  return o.normalize === 'peak' ? peakNormalize(clip) : clip;
}
