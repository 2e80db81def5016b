import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { dataSchema } from '../../src/data/sources/schema.js';
import {
  rawAudioWidth,
  spectrogramWidths,
  spokenDigitsCase,
  SPOKEN_RATE,
  SPOKEN_SECONDS,
} from '../../src/endtoend/cases/spoken-digits.js';
import { hybridFrom, PipelineModel } from '../../src/endtoend/pipeline-model.js';
import { noGrad, tensor } from '../../src/tensor/index.js';
import { tone, wavBytes } from '../helpers/media.js';

/** Ten tone "digits" (digit d at 200·(d+1) Hz), two training clips and one test clip each, as the prepared data set lays them out. */
function toneDigits(dir: string): void {
  const r = new Rng(7);
  const rows = (split: string, n: number): string =>
    Array.from({ length: 10 * n }, (_, i) => {
      const digit = i % 10;
      const file = `${split}-${i}.wav`;
      writeFileSync(
        join(dir, file),
        wavBytes([tone(200 * (digit + 1), SPOKEN_RATE, 0.5, 0.6, 0.01, r)], SPOKEN_RATE, '16'),
      );
      return `${file},${digit}`;
    }).join('\n');
  writeFileSync(join(dir, 'train.csv'), `file,label\n${rows('train', 2)}\n`);
  writeFileSync(join(dir, 'test.csv'), `file,label\n${rows('test', 1)}\n`);
}

test('spoken-digits case: the pipeline classifies what its mel front end computes, which is the meyda log-mel it trained on; only the hybrid learns the filters', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-spoken-case-'));
  try {
    toneDigits(dir);
    const c = spokenDigitsCase(
      dataSchema.parse({
        source: 'audio',
        file: join(dir, 'train.csv'),
        testFile: join(dir, 'test.csv'),
        sampleRate: SPOKEN_RATE,
        seconds: SPOKEN_SECONDS,
      }),
    );
    const pools = await c.pools(0);
    assert.equal(pools.train.length, 20);
    assert.equal(pools.test.length, 10);
    assert.equal(await c.pools(1), pools, 'loaded once');
    const x = c.examples(pools, 'train', 3, 4);
    assert.deepEqual(x.featureShape, [1, Math.round(SPOKEN_RATE * SPOKEN_SECONDS)]);
    assert.throws(() => c.examples(pools, 'test', 11, 0), /11 test clips asked for, expected 1 to 10/);

    const pipeline = c.pipeline(32);
    const [frontEnd, classifier] = pipeline.learned();
    const sub = c.subtaskData(pools, 20, 4);
    assert.deepEqual(
      Object.keys(sub),
      [classifier!.name],
      'no sub-task data for the front end: the pipeline keeps the mel filters',
    );
    // the same draw of clips as waveforms: the front end's output on them equals the meyda features the classifier trains on
    const waves = c.examples(pools, 'train', 20, 4);
    const spec = noGrad(() => frontEnd!.run(tensor(waves.features as Float32Array, [20, ...waves.featureShape])));
    const meyda = sub[classifier!.name]!;
    assert.deepEqual(spec.shape.slice(1), meyda.featureShape);
    assert.deepEqual(Array.from(waves.labels), Array.from(meyda.labels));
    let worst = 0;
    spec.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - meyda.features[i]!) / Math.max(1, Math.abs(v)))));
    assert.ok(worst < 1e-4, `front end vs meyda: ${worst}`);

    const trained = new PipelineModel(pipeline).namedParameters().map(([n]) => n);
    assert.ok(trained.includes('mel front end.filterbank'), 'the hybrid fine-tunes the filterbank');
    assert.ok(hybridFrom(pipeline).namedParameters().length === trained.length);
    assert.deepEqual(
      noGrad(() => c.endToEnd(32).forward(tensor(x.features as Float32Array, [3, ...x.featureShape]))).shape,
      [3, 10],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spoken-digits case: the pipeline classifier is about as large as M5, so neither approach is the smaller model', () => {
  const c = spokenDigitsCase();
  const size = (ps: readonly { size: number }[]): number => ps.reduce((a, p) => a + p.size, 0);
  // at the study's default hidden (128): M5 with 32 channels; the spectrogram CNN with blocks 16, 32, 64
  assert.deepEqual([rawAudioWidth(128), ...spectrogramWidths(128)], [32, 16, 32, 64]);
  const [frontEnd, classifier] = c.pipeline(128).learned();
  const m5 = size(c.endToEnd(128).parameters());
  const cnn = size(classifier!.module.parameters());
  // M5: conv1 80·32+32, conv2 3·32·32+32, conv3 3·32·64+64, conv4 3·64·64+64, four BNs, fc1 64·10+10
  assert.equal(m5, 25_290);
  // three 3×3 convolutions without bias (9·1·16, 9·16·32, 9·32·64), three BNs, the classifier 64·10+10
  assert.equal(cnn, 24_058);
  assert.ok(Math.abs(cnn - m5) / m5 < 0.1, `classifier ${cnn} against M5 ${m5}`);
  // the hybrid learns the mel filterbank besides: 32 bands × 128 FFT bins
  assert.equal(size(frontEnd!.module.parameters()), 32 * 128);
  // both grow with hidden alike
  assert.deepEqual([rawAudioWidth(64), ...spectrogramWidths(64)], [16, 8, 16, 32]);
});
