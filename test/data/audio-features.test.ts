import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import {
  checkFeatureOptions,
  featureShapeOf,
  frameCount,
  logMel,
  melFilterBank,
  mfcc,
  type FeatureOptions,
} from '../../src/data/audio/features.js';
import { loadData } from '../../src/data/sources/load.js';
import { dataSchema } from '../../src/data/sources/schema.js';
import { melFrontEnd } from '../../src/models/zoo/index.js';
import { noGrad, tensor } from '../../src/tensor/index.js';
import { tone, wavBytes } from '../helpers/media.js';

/** Written by scripts/golden_logmel.py: numpy's log-mel and MFCC of two tones and a chirp, by meyda's conventions. */
interface Golden {
  sampleRate: number;
  frame: number;
  hop: number;
  mels: number;
  mfccs: number;
  signal: number[];
  filterbank: number[][];
  logmel: number[][];
  mfcc: number[][];
}
const golden = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/logmel_golden.json', import.meta.url), 'utf8'),
) as Golden;
const spec = { sampleRate: golden.sampleRate, frame: golden.frame, hop: golden.hop, mels: golden.mels };
const signal = Float32Array.from(golden.signal);

/** The largest |a[b·frames + t] − ref[b][t]|, relative to max(1, |ref|). */
function worst(a: ArrayLike<number>, ref: number[][]): number {
  const frames = ref[0]!.length;
  let m = 0;
  ref.forEach((row, b) =>
    row.forEach((v, t) => (m = Math.max(m, Math.abs(a[b * frames + t]! - v) / Math.max(1, Math.abs(v))))),
  );
  return m;
}

test('log-mel, MFCC and the mel filterbank (meyda) match the numpy reference of scripts/golden_logmel.py', () => {
  assert.equal(golden.logmel[0]!.length, frameCount(signal.length, spec.frame, spec.hop));
  assert.ok(worst(logMel(signal, spec), golden.logmel) < 1e-5, 'log-mel');
  assert.ok(worst(mfcc(signal, spec, golden.mfccs), golden.mfcc) < 1e-5, 'mfcc');
  const bank = melFilterBank(spec);
  assert.equal(bank.length, golden.mels);
  assert.ok(
    worst(
      bank.flatMap((r) => [...r]),
      [golden.filterbank.flat()],
    ) < 1e-6,
    'filterbank',
  );
});

test('a pure tone puts its energy in the mel band whose centre is nearest its frequency', () => {
  const o = { sampleRate: 8000, frame: 256, hop: 128, mels: 40 };
  const melOf = (f: number): number => 1125 * Math.log(1 + f / 700);
  for (const hz of [300, 1000, 2500]) {
    const x = Float32Array.from(tone(hz, 8000, 0.25, 0.8, 0, new Rng(1)));
    const s = logMel(x, o);
    const frames = frameCount(x.length, o.frame, o.hop);
    const energy = Array.from({ length: o.mels }, (_, b) => s[b * frames + 3]!);
    const loudest = energy.indexOf(Math.max(...energy));
    // band j's centre is mel (j + 1)·top/(mels + 1)
    const expected = Math.round((melOf(hz) / melOf(4000)) * (o.mels + 1)) - 1;
    assert.ok(Math.abs(loudest - expected) <= 1, `${hz} Hz: loudest band ${loudest}, expected about ${expected}`);
    const far = energy.filter((_, b) => Math.abs(b - loudest) > 3);
    assert.ok(Math.max(...far) < energy[loudest]! / 2, `${hz} Hz: energy leaks far from its band`);
  }
});

test('the learnable mel front end computes meyda’s log-mel at its start, and its filterbank gets gradients', () => {
  const fe = melFrontEnd(spec);
  const x = tensor(signal, [1, 1, signal.length]);
  const y = noGrad(() => fe.forward(x));
  assert.deepEqual(y.shape, [1, 1, golden.mels, golden.logmel[0]!.length]);
  assert.ok(worst(y.data, golden.logmel) < 1e-4, 'front end = numpy log-mel');
  const out = fe.forward(x).sum();
  out.backward();
  const g = Array.from(fe.filterbank.grad!.data);
  assert.ok(
    g.some((v) => v !== 0),
    'the filterbank is learned',
  );
  assert.deepEqual(
    fe.namedParameters().map(([n]) => n),
    ['filterbank'],
    'only the filterbank is a parameter; the DFT kernels are fixed',
  );
});

test('source audio: features logmel / mfcc give [1, bands, frames]; a test CSV is the test split, one class numbering for both', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-audio-features-'));
  try {
    const r = new Rng(3);
    const row = (name: string, hz: number): string => {
      writeFileSync(join(dir, name), wavBytes([tone(hz, 8000, 0.5, 0.7, 0.01, r)], 8000, '16'));
      return `${name},${hz === 300 ? 'low' : hz === 1200 ? 'high' : 'mid'}`;
    };
    const train = ['a.wav', 'b.wav', 'c.wav', 'd.wav'].map((f, i) => row(f, i % 2 === 0 ? 300 : 1200));
    // the test file holds a class the training file lacks: numbered with the others (high, low, mid)
    const held = [row('e.wav', 300), row('f.wav', 1200), row('g.wav', 700)];
    writeFileSync(join(dir, 'train.csv'), `file,label\n${train.join('\n')}\n`);
    writeFileSync(join(dir, 'test.csv'), `file,label\n${held.join('\n')}\n`);
    const base = { source: 'audio', file: join(dir, 'train.csv'), testFile: join(dir, 'test.csv'), seconds: 0.5 };
    await assert.rejects(
      loadData(dataSchema.parse(base), 0),
      /class .*mid|mid.*training/i,
      'a test class never trained on',
    );
    writeFileSync(join(dir, 'train.csv'), `file,label\n${[...train, row('h.wav', 700)].join('\n')}\n`);
    const d = await loadData(dataSchema.parse({ ...base, features: 'logmel', mels: 20 }), 0);
    assert.deepEqual(d.classNames, ['high', 'low', 'mid']);
    assert.equal(d.train.length, 5);
    assert.equal(d.test.length, 3);
    assert.deepEqual(Array.from(d.test.labels), [1, 0, 2]);
    assert.deepEqual(d.featureShape, [1, 20, frameCount(4000, 256, 128)]);
    const m = await loadData(dataSchema.parse({ ...base, features: 'mfcc', mfccs: 12 }), 0);
    assert.deepEqual(m.featureShape, [1, 12, 30]);
    await assert.rejects(
      loadData(dataSchema.parse({ ...base, features: 'logmel', frame: 200 }), 0),
      /data\.frame: 200: expected a power of two/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('feature settings are checked in one line naming the setting', () => {
  const o: FeatureOptions = { kind: 'mfcc', sampleRate: 8000, frame: 256, hop: 128, mels: 10, mfccs: 13 };
  assert.throws(() => checkFeatureOptions(o, 8000, 'data'), /data\.mfccs: 13: expected 1 to 10/);
  assert.throws(
    () => checkFeatureOptions({ ...o, mfccs: 5 }, 100, 'data'),
    /data\.frame: 256 samples is longer than the clip/,
  );
  assert.deepEqual(featureShapeOf({ ...o, kind: 'waveform' }, 8000), [1, 8000]);
});
