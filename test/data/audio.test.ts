import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { Rng } from '../../src/core/rng.js';
import { decodeWav, fitLength, peakNormalize, readClip, resample, toMono } from '../../src/data/audio/wav.js';
import { loadData } from '../../src/data/sources/load.js';
import { dataSchema } from '../../src/data/sources/schema.js';
import { tone, wavBytes, writeToneFolders } from '../helpers/media.js';

function withDir<T>(body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-audio-'));
  return Promise.resolve(body(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Sign changes of x: a sine of f Hz over s seconds has about 2·f·s. */
function zeroCrossings(x: ArrayLike<number>): number {
  let n = 0;
  for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 !== x[i]! < 0) n++;
  return n;
}

const rms = (x: ArrayLike<number>, from = 0): number => {
  let s = 0;
  for (let i = from; i < x.length; i++) s += x[i]! ** 2;
  return Math.sqrt(s / (x.length - from));
};

const ramp = Float64Array.from([0, 0.5, -0.5, 0.25, -1, 0.75]);

test('WAVs of 8, 16, 24, 32-bit PCM and 32-bit float read back as the samples written, in [-1, 1]', () => {
  for (const [depth, tolerance] of [
    ['8', 1 / 128],
    ['16', 1 / 32768],
    ['24', 2 ** -23],
    ['32', 2 ** -31],
    ['32f', 1e-7],
  ] as const) {
    const w = decodeWav(wavBytes([ramp], 8000, depth), `${depth}.wav`);
    assert.equal(w.sampleRate, 8000);
    assert.equal(w.channels.length, 1);
    assert.equal(w.channels[0]!.length, ramp.length);
    ramp.forEach((v, i) =>
      assert.ok(
        Math.abs(w.channels[0]![i]! - v) <= tolerance,
        `${depth}-bit sample ${i}: ${w.channels[0]![i]} vs ${v}`,
      ),
    );
  }
});

test('stereo is mixed to mono as the mean of the channels; mu-law and A-law decode', () => {
  const left = Float64Array.from([0.5, 0.5, -0.25, 0]);
  const right = Float64Array.from([-0.5, 0.25, -0.25, 1]);
  const w = decodeWav(wavBytes([left, right], 44100, '16'), 'stereo.wav');
  assert.equal(w.sampleRate, 44100);
  assert.equal(w.channels.length, 2);
  const mono = toMono(w.channels);
  [0, 0.375, -0.25, 0.5].forEach((v, i) => assert.ok(Math.abs(mono[i]! - v) < 1e-4, `mono ${i}: ${mono[i]}`));
  const x = tone(440, 8000, 0.05, 0.5, 0, new Rng(1));
  for (const law of ['mu', 'a'] as const) {
    const src = new wavefile.WaveFile();
    src.fromScratch(
      1,
      8000,
      '16',
      Array.from(x, (v) => Math.round(v * 32767)),
    );
    if (law === 'mu') src.toMuLaw();
    else src.toALaw();
    const back = decodeWav(src.toBuffer(), `${law}.wav`).channels[0]!;
    // 8-bit companding: 4 bits of mantissa, so within half a step, about 3% of the value
    x.forEach((v, i) =>
      assert.ok(Math.abs(back[i]! - v) < 0.035 * Math.abs(v) + 2e-3, `${law}-law sample ${i}: ${back[i]} vs ${v}`),
    );
  }
});

test('resampling keeps a tone: zero crossings and energy at 44.1 kHz -> 8 kHz and 8 kHz -> 16 kHz', () => {
  const r = new Rng(0);
  for (const [from, to, hz] of [
    [44100, 8000, 440],
    [44100, 8000, 3000],
    [8000, 16000, 1000],
    [22050, 8000, 250],
  ] as const) {
    const x = tone(hz, from, 1, 0.5, 0, r);
    const y = resample(x, from, to);
    assert.equal(y.length, to);
    // away from the ends, where the filters start and stop
    const inner = y.subarray(100, to - 100);
    const crossings = zeroCrossings(inner);
    const expected = (2 * hz * inner.length) / to;
    assert.ok(
      Math.abs(crossings - expected) <= 2,
      `${from}->${to}, ${hz} Hz: ${crossings} crossings, expected ${expected}`,
    );
    const level = rms(inner);
    assert.ok(Math.abs(level - 0.5 / Math.SQRT2) < 0.01, `${from}->${to}, ${hz} Hz: rms ${level}`);
  }
  // a tone above the new Nyquist frequency (4 kHz) is filtered out, not folded back to 2 kHz
  const high = resample(tone(6000, 44100, 1, 0.5, 0, r), 44100, 8000);
  assert.ok(rms(high, 200) < 0.01, `6 kHz at 8 kHz: rms ${rms(high, 200)}`);
  assert.equal(resample(ramp, 8000, 8000), ramp);
});

test('clips are cut at their end or padded with silence, and peak-normalised on request', () =>
  withDir((dir) => {
    assert.deepEqual(Array.from(fitLength(Float64Array.of(1, 2, 3), 2)), [1, 2]);
    assert.deepEqual(Array.from(fitLength(Float64Array.of(1), 3)), [1, 0, 0]);
    assert.deepEqual(Array.from(peakNormalize(Float32Array.of(0.25, -0.5))), [0.5, -1]);
    assert.deepEqual(Array.from(peakNormalize(new Float32Array(2))), [0, 0]);
    const r = new Rng(2);
    // 0.5 s of stereo 44.1 kHz, 8-bit: padded to 1 s at 8 kHz
    const short = join(dir, 'short.wav');
    writeFileSync(short, wavBytes([tone(500, 44100, 0.5, 0.4, 0, r), tone(500, 44100, 0.5, 0.4, 0, r)], 44100, '8'));
    const a = readClip(short, { sampleRate: 8000, seconds: 1, normalize: 'none' });
    assert.equal(a.length, 8000);
    assert.ok(rms(a.subarray(100, 3900)) > 0.1, 'the first half holds the sound');
    assert.ok(
      a.subarray(4100).every((v) => v === 0),
      'the second half is silence',
    );
    // 2 s of 16 kHz: its first second kept
    const long = join(dir, 'long.wav');
    const x = tone(250, 16000, 2, 0.3, 0, r);
    x.fill(0, 16000);
    writeFileSync(long, wavBytes([x], 16000, '16'));
    const b = readClip(long, { sampleRate: 8000, seconds: 1, normalize: 'peak' });
    assert.equal(b.length, 8000);
    assert.ok(Math.abs(Math.max(...b.map(Math.abs)) - 1) < 1e-6, 'peak 1');
    assert.ok(Math.abs(zeroCrossings(b) - 500) <= 2, `${zeroCrossings(b)} crossings`);
  }));

test('a corrupt or truncated WAV is a FormatError naming the file', () =>
  withDir((dir) => {
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'RIFF1234WAVEjunk');
    assert.throws(
      () => readClip(bad, { sampleRate: 8000, seconds: 1, normalize: 'none' }),
      /^FormatError: .*bad\.wav: not a WAV file polytask can read/,
    );
    const good = wavBytes([ramp], 8000, '16');
    assert.throws(() => decodeWav(good.slice(0, 30), 'cut.wav'), /cut\.wav: not a WAV file/);
    const empty = wavBytes([new Float64Array(0)], 8000, '16');
    assert.throws(() => decodeWav(empty, 'empty.wav'), /empty\.wav: holds no samples/);
    assert.throws(
      () => readClip(join(dir, 'none.wav'), { sampleRate: 8000, seconds: 1, normalize: 'none' }),
      /none\.wav: no such file/,
    );
  }));

test('loadData on audio: class folders or a CSV of file,label; [1, samples] features', () =>
  withDir(async (dir) => {
    writeToneFolders(join(dir, 'tones'), 4, 0);
    const d = await loadData(
      dataSchema.parse({
        source: 'audio',
        dir: join(dir, 'tones'),
        sampleRate: 4000,
        seconds: 0.5,
        testFraction: 0.25,
      }),
      0,
    );
    assert.deepEqual(d.featureShape, [1, 2000]);
    assert.deepEqual(d.classNames, ['high', 'low']);
    assert.equal(d.train.length, 6);
    assert.equal(d.test.length, 2);
    assert.equal(d.files.length, 8);
    mkdirSync(join(dir, 'list'));
    writeFileSync(
      join(dir, 'list', 'clips.csv'),
      'file,label\n../tones/low/00.wav,quiet\n../tones/high/00.wav,loud\n../tones/low/01.wav,quiet\n../tones/high/01.wav,loud\n',
    );
    const c = await loadData(
      dataSchema.parse({ source: 'audio', file: join(dir, 'list', 'clips.csv'), testFraction: 0.5 }),
      0,
    );
    assert.deepEqual(c.classNames, ['loud', 'quiet']);
    assert.deepEqual(c.featureShape, [1, 8000]);
    writeFileSync(join(dir, 'list', 'bad.csv'), 'path,label\nx.wav,a\n');
    await assert.rejects(
      loadData(dataSchema.parse({ source: 'audio', file: join(dir, 'list', 'bad.csv') }), 0),
      /bad\.csv: expected a header with columns "file" and "label", got "path", "label"/,
    );
    writeFileSync(join(dir, 'list', 'missing.csv'), 'file,label\nnowhere.wav,a\n../tones/low/00.wav,b\n');
    await assert.rejects(
      loadData(dataSchema.parse({ source: 'audio', file: join(dir, 'list', 'missing.csv'), testFraction: 0.5 }), 0),
      /nowhere\.wav: no such file/,
    );
  }));

test('IMA ADPCM is refused with what to do, naming the file', () => {
  const w = new wavefile.WaveFile();
  w.fromScratch(
    1,
    8000,
    '16',
    Array.from({ length: 1000 }, (_, i) => Math.round(8000 * Math.sin(i / 3))),
  );
  w.toIMAADPCM();
  assert.throws(
    () => decodeWav(w.toBuffer(), 'adpcm.wav'),
    /adpcm\.wav: bit depth "4" is not supported .*convert IMA ADPCM to PCM/,
  );
});
