/**
 * Spoken digits, Dieleman & Schrauwen's question ("End-to-end learning for music audio", 2014) on
 * speech: does a network learn from the raw waveform what the hand-designed spectrogram gives it?
 * x is a clip of one word, "zero" to "nine" (the `spoken-digits` data set: espeak-ng voices, the
 * test clips from voices never heard in training), y its digit.
 *
 * - Pipeline: the log-mel spectrogram (hand-designed; its learned-stage form, the "mel front end",
 *   starts as meyda's mel filters and has no sub-task data, so the pipeline keeps it as designed),
 *   then a spectrogram CNN trained on labelled clips' log-mel spectrograms computed by meyda.
 * - End to end: a 1-D CNN on the raw waveform (M5, models/zoo/audio.ts).
 * - Hybrid: the pipeline fine-tuned end to end on (x, y): the mel filterbank learns with the CNN
 *   (the learnable front end initialised as the mel filterbank).
 *
 * The networks' width follows the study's `hidden` (M5 with hidden/4 channels; the spectrogram CNN
 * with hidden/8, hidden/4, hidden/2), so both approaches grow alike and are about the same size:
 * 25,290 and 24,058 parameters at the default 128.
 *
 * @example
 * runE2eStudy({ case: 'spoken-digits', sizes: [50, 100, 200, 400, 800, 1600] });
 * const mine = spokenDigitsCase({ source: 'audio', file: 'train.csv', testFile: 'test.csv', sampleRate: 22050, seconds: 0.75 });
 */
import { ValueError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { frameCount, logMel, type SpectrogramOptions } from '../../data/audio/features.js';
import { TensorDataset } from '../../data/index.js';
import { dataSchema, loadData, poolOf, type DataConfig } from '../../data/sources/index.js';
import { melFrontEnd, rawAudioCnn, spectrogramCnn } from '../../models/zoo/index.js';
import { EndToEndModel } from '../models.js';
import { classNll, errorRate } from '../objectives.js';
import { Pipeline } from '../pipeline.js';
import { learnedStage } from '../stage.js';
import type { ValueType } from '../value-type.js';
import type { EndToEndCase } from './case.js';

/** Samples per second of the clips (espeak-ng's rate: the prepared data set keeps it). */
export const SPOKEN_RATE = 22_050;
/** Seconds of every clip. */
export const SPOKEN_SECONDS = 0.75;
/** The spectrogram both the pipeline and the hybrid's front end compute: 11.6 ms frames every 5.8 ms, 32 mel bands. */
export const SPOKEN_SPECTROGRAM: Readonly<SpectrogramOptions> = Object.freeze({
  sampleRate: SPOKEN_RATE,
  frame: 256,
  hop: 128,
  mels: 32,
});

const SAMPLES = Math.round(SPOKEN_RATE * SPOKEN_SECONDS);
const FRAMES = frameCount(SAMPLES, SPOKEN_SPECTROGRAM.frame, SPOKEN_SPECTROGRAM.hop);
const WAVE: ValueType = { kind: 'features', shape: [1, SAMPLES] };
const SPECTROGRAM: ValueType = { kind: 'image', shape: [1, SPOKEN_SPECTROGRAM.mels, FRAMES] };
const FRONT_END = 'mel front end';
const CLASSIFIER = 'spectrogram classifier';

/** The clips of the training voices and of the held-out voices. */
export interface SpokenPools {
  train: TensorDataset;
  test: TensorDataset;
}

/** The prepared data set's digit view. */
export const SPOKEN_DIGITS_DATA: DataConfig = dataSchema.parse({ source: 'prepared', name: 'spoken-digits' });

/** A map of each clip to other features, and the shape of what it gives. */
interface ClipMap {
  fn: (clip: Float32Array) => Float32Array;
  shape: readonly number[];
}

/** `n` rows of `set` drawn without replacement with `seed`, each mapped by `map` when given. */
function sample(set: TensorDataset, n: number, seed: number, what: string, map?: ClipMap): TensorDataset {
  if (!Number.isInteger(n) || n < 1 || n > set.length)
    throw new ValueError(
      'spoken-digits',
      `${n} ${what} clips asked for, expected 1 to ${set.length} (the clips there are)`,
    );
  const order = new Rng(seed).permutation(set.length).subarray(0, n);
  const size = set.features.length / set.length;
  const shape = map?.shape ?? set.featureShape;
  const outSize = shape.reduce((a, b) => a * b, 1);
  const features = set.features as Float32Array;
  const out = new Float32Array(n * outSize);
  const labels = new Int32Array(n);
  order.forEach((k, i) => {
    const x = features.subarray(k * size, (k + 1) * size);
    out.set(map === undefined ? x : map.fn(x), i * outSize);
    labels[i] = (set.labels as Int32Array)[k]!;
  });
  return new TensorDataset(out, shape, labels);
}

const width = (hidden: number, d: number): number => Math.max(1, Math.round(hidden / d));

/**
 * Channels of M5, the end-to-end model, for the study's `hidden`: hidden/4 (32 at the default 128:
 * 25,290 parameters).
 *
 * @example
 * rawAudioWidth(128); // 32
 */
export const rawAudioWidth = (hidden: number): number => width(hidden, 4);

/**
 * Channels of the spectrogram CNN's three blocks, the pipeline's classifier, for the study's
 * `hidden`: hidden/8, hidden/4, hidden/2 ([16, 32, 64] at the default 128: 24,058 parameters), so
 * that the classifier is about as large as M5 (25,290) and neither approach is the smaller model.
 * (The hybrid learns the front end's 32 × 128 filter weights besides.)
 *
 * @example
 * spectrogramWidths(128); // [16, 32, 64]
 */
export const spectrogramWidths = (hidden: number): number[] => [width(hidden, 8), width(hidden, 4), width(hidden, 2)];

/**
 * The spoken-digit case over the clips `data` names (by default the prepared `spoken-digits`); its
 * clips must be 22,050 Hz and 0.75 s long, with a test split of their own (other voices).
 *
 * @example
 * spokenDigitsCase().name; // 'spoken-digits'
 */
export function spokenDigitsCase(data: DataConfig = SPOKEN_DIGITS_DATA): EndToEndCase<SpokenPools> {
  let loaded: Promise<SpokenPools> | undefined;
  const load = async (): Promise<SpokenPools> => {
    const d = await loadData(data, 0);
    if (d.featureShape.length !== 2 || d.featureShape[1] !== SAMPLES)
      throw new ValueError(
        'spoken-digits',
        `${d.description}: clips of shape [${d.featureShape.join(',')}], expected [1, ${SAMPLES}] (${SPOKEN_RATE} Hz, ${SPOKEN_SECONDS} s, features: waveform)`,
      );
    if (d.classes !== 10)
      throw new ValueError('spoken-digits', `${d.description}: ${d.classes} classes, expected the ten digits`);
    return { train: d.train, test: d.test };
  };
  return {
    name: 'spoken-digits',
    description:
      'a spoken digit (espeak-ng, 22,050 Hz raw waveform) → which digit; tested on voices never heard in training',
    metric: 'error rate',
    input: WAVE,
    output: { kind: 'classes', n: 10 },
    defaultSizes: [50, 100, 200, 400, 800, 1600],
    defaultSubtaskExamples: 1600,
    // the clips do not depend on the seed (the held-out voices are the data set's): loaded once
    pools: () => {
      if (loaded === undefined) {
        loaded = load();
        loaded.catch(() => (loaded = undefined));
      }
      return loaded;
    },
    examples: (pools, part, n, seed) => sample(pools[part], n, seed, part),
    pipeline: (hidden) => {
      const frontEnd = learnedStage({
        name: FRONT_END,
        input: WAVE,
        output: SPECTROGRAM,
        create: () => melFrontEnd(SPOKEN_SPECTROGRAM),
      });
      const classify = learnedStage({
        name: CLASSIFIER,
        input: SPECTROGRAM,
        output: { kind: 'classes', n: 10 },
        create: () => spectrogramCnn({ numClasses: 10, channels: spectrogramWidths(hidden) }),
      });
      return new Pipeline([frontEnd, classify]);
    },
    // the front end has no sub-task data: the pipeline keeps it as designed (the mel filters)
    subtaskData: (pools, n, seed) => ({
      [CLASSIFIER]: sample(pools.train, n, seed, 'train', {
        fn: (clip) => logMel(clip, SPOKEN_SPECTROGRAM),
        shape: [1, SPOKEN_SPECTROGRAM.mels, FRAMES],
      }),
    }),
    endToEnd: (hidden) =>
      new EndToEndModel(rawAudioCnn({ numClasses: 10, channels: rawAudioWidth(hidden) }), { kind: 'classes', n: 10 }),
    loss: classNll,
    error: errorRate,
    dataInputs: async () => ({ files: [...(await poolOf(data)).files] }),
  };
}

/** The built-in spoken-digit case, over the prepared `spoken-digits` data set. */
export const spokenDigitsCaseBuiltin = spokenDigitsCase();
