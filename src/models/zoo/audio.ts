/**
 * Audio classifiers. `rawAudioCnn` reads the waveform itself: M5 of Dai et al., "Very deep
 * convolutional neural networks for raw waveforms" (2017), as in PyTorch's speech-command tutorial
 * (names `conv1`..`conv4`, `bn1`..`bn4`, `fc1`). `spectrogramCnn` reads a (log-mel) spectrogram
 * [N, 1, mels, frames] through conv-BN-ReLU-maxpool blocks (`features.<i>.0.weight`) and a linear
 * `classifier`. Both end in global average pooling, so any length works above the minimum.
 *
 * @example
 * rawAudioCnn({ numClasses: 10 }).forward(randn([4, 1, 8000])).shape;       // [4, 10]
 * rawAudioCnn({ numClasses: 0 }).forward(randn([4, 1, 8000])).shape;        // [4, 64]: features only
 * spectrogramCnn({ numClasses: 10 }).forward(randn([4, 1, 40, 101])).shape; // [4, 10]
 */
import { ShapeError } from '../../core/errors.js';
import {
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Dropout,
  Linear,
  MaxPool1d,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
} from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import { positiveInt } from './common.js';

export interface RawAudioCnnOptions {
  /** Classes of `fc1`. Default 35 (the speech-commands words). 0: no `fc1`, forward gives the pooled features [N, 2·channels]. */
  numClasses?: number;
  /** Audio channels. Default 1. */
  inChannels?: number;
  /** Channels of the first two convolutions (the last two have twice as many). Default 32. */
  channels?: number;
  /** Stride of the first, 80-sample convolution. Default 16. */
  stride?: number;
}

/**
 * M5 over raw audio: x [N, C, T] -> logits [N, numClasses]. Four 4× poolings follow the strided
 * first convolution, so T needs about 16·4⁴·1.5 ≈ 6000 samples at the default stride (1 s at 8 kHz,
 * 8000 samples, works).
 *
 * @example
 * const m = rawAudioCnn({ numClasses: 10, channels: 16 });
 * m.forward(randn([2, 1, 8000])).shape; // [2, 10]
 */
export class RawAudioCnn extends Module {
  readonly conv1: Conv1d;
  readonly bn1: BatchNorm1d;
  readonly pool1 = new MaxPool1d(4);
  readonly conv2: Conv1d;
  readonly bn2: BatchNorm1d;
  readonly pool2 = new MaxPool1d(4);
  readonly conv3: Conv1d;
  readonly bn3: BatchNorm1d;
  readonly pool3 = new MaxPool1d(4);
  readonly conv4: Conv1d;
  readonly bn4: BatchNorm1d;
  readonly pool4 = new MaxPool1d(4);
  readonly fc1: Linear | null;
  readonly inChannels: number;
  /** Width of the pooled features that `fc1` reads. */
  readonly featureDim: number;

  constructor(opts: RawAudioCnnOptions = {}) {
    super();
    this.inChannels = positiveInt('rawAudioCnn', 'inChannels', opts.inChannels ?? 1);
    const c = positiveInt('rawAudioCnn', 'channels', opts.channels ?? 32);
    this.conv1 = new Conv1d(this.inChannels, c, 80, {
      stride: positiveInt('rawAudioCnn', 'stride', opts.stride ?? 16),
    });
    this.bn1 = new BatchNorm1d(c);
    this.conv2 = new Conv1d(c, c, 3);
    this.bn2 = new BatchNorm1d(c);
    this.conv3 = new Conv1d(c, 2 * c, 3);
    this.bn3 = new BatchNorm1d(2 * c);
    this.conv4 = new Conv1d(2 * c, 2 * c, 3);
    this.bn4 = new BatchNorm1d(2 * c);
    this.featureDim = 2 * c;
    this.fc1 =
      opts.numClasses === 0 ? null : new Linear(2 * c, positiveInt('rawAudioCnn', 'numClasses', opts.numClasses ?? 35));
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[1] !== this.inChannels)
      throw new ShapeError('rawAudioCnn', `expects [N, ${this.inChannels}, T], got [${x.shape.join(',')}]`);
    let h = this.pool1.forward(this.bn1.forward(this.conv1.forward(x)).relu());
    h = this.pool2.forward(this.bn2.forward(this.conv2.forward(h)).relu());
    h = this.pool3.forward(this.bn3.forward(this.conv3.forward(h)).relu());
    h = this.pool4.forward(this.bn4.forward(this.conv4.forward(h)).relu());
    const pooled = h.mean(2); // [N, 2c]
    return this.fc1 === null ? pooled : this.fc1.forward(pooled); // [N, classes]
  }
}

/**
 * The raw-waveform CNN (M5).
 *
 * @example
 * rawAudioCnn({ numClasses: 12 });
 */
export function rawAudioCnn(opts: RawAudioCnnOptions = {}): RawAudioCnn {
  return new RawAudioCnn(opts);
}

export interface SpectrogramCnnOptions {
  /** Classes of `classifier`. Default 35. */
  numClasses?: number;
  /** Input channels (1 for a spectrogram). Default 1. */
  inChannels?: number;
  /** Output channels of each conv block; each halves the height and width. Default [16, 32, 64, 128]. */
  channels?: readonly number[];
  /** Dropout before the classifier in training. Default 0.2. */
  dropout?: number;
}

/**
 * A 2-D CNN over spectrograms: x [N, C, F, T] -> logits [N, numClasses]; F and T must be at least
 * 2^blocks (16 with the default four blocks).
 *
 * @example
 * spectrogramCnn({ numClasses: 10, channels: [8, 16] }).forward(randn([2, 1, 40, 50])).shape; // [2, 10]
 */
export class SpectrogramCnn extends Module {
  readonly features: Sequential;
  readonly dropout: Dropout;
  readonly classifier: Linear;
  readonly inChannels: number;

  constructor(opts: SpectrogramCnnOptions = {}) {
    super();
    this.inChannels = positiveInt('spectrogramCnn', 'inChannels', opts.inChannels ?? 1);
    const widths = opts.channels ?? [16, 32, 64, 128];
    if (widths.length === 0) throw new ShapeError('spectrogramCnn', 'channels must list at least one block');
    this.features = new Sequential();
    let prev = this.inChannels;
    for (const w of widths) {
      positiveInt('spectrogramCnn', 'channels', w);
      this.features.append(
        new Sequential(
          new Conv2d(prev, w, 3, { padding: 1, bias: false }),
          new BatchNorm2d(w),
          new ReLU(),
          new MaxPool2d(2),
        ),
      );
      prev = w;
    }
    this.dropout = new Dropout(opts.dropout ?? 0.2);
    this.classifier = new Linear(prev, positiveInt('spectrogramCnn', 'numClasses', opts.numClasses ?? 35));
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels)
      throw new ShapeError('spectrogramCnn', `expects [N, ${this.inChannels}, F, T], got [${x.shape.join(',')}]`);
    return this.classifier.forward(this.dropout.forward(this.features.forward(x).mean([2, 3])));
  }
}

/**
 * The spectrogram CNN.
 *
 * @example
 * spectrogramCnn({ numClasses: 35 }).forward(logMel); // logMel [N, 1, 40, 101]
 */
export function spectrogramCnn(opts: SpectrogramCnnOptions = {}): SpectrogramCnn {
  return new SpectrogramCnn(opts);
}
