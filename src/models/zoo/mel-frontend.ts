/**
 * A log-mel front end as a layer, so that it can be learned: waveform [N, 1, T] → log-mel
 * spectrogram [N, 1, mels, frames], the same function as meyda's `melBands` (src/data/audio/
 * features.ts: Hann window, FFT power without the Nyquist bin, mel filterbank, ln(1 + energy)).
 *
 * The FFT is a 1-D convolution with fixed Hann-windowed cosine and sine kernels (a buffer, never
 * trained: the hand-written part, since no library computes a differentiable STFT here); the mel
 * filterbank is a Parameter initialised as meyda's filters, so fine-tuning it end to end learns the
 * bands (the "learnable front end" of Sainath et al. 2015, and of Dieleman & Schrauwen's question).
 * A filter pushed below zero is clipped to zero energy (ReLU) before the logarithm.
 *
 * @example
 * const fe = melFrontEnd({ sampleRate: 8000, frame: 256, hop: 128, mels: 32 });
 * fe.forward(wave).shape; // wave [4, 1, 8000] → [4, 1, 32, 61]
 * fe.filterbank.shape;    // [32, 128]: learnable
 */
import { ShapeError } from '../../core/errors.js';
import { hannWindow, melFilterBank, type SpectrogramOptions } from '../../data/audio/features.js';
import { Module, Parameter } from '../../nn/index.js';
import { conv1d, linear, tensor, type Tensor } from '../../tensor/index.js';

/** meyda's mel filters as one [mels, frame/2] row-major array. */
function melFilters(o: SpectrogramOptions): Float32Array {
  const bins = o.frame / 2;
  const fb = new Float32Array(o.mels * bins);
  melFilterBank(o).forEach((row, m) => fb.set(row, m * bins));
  return fb;
}

/**
 * The log-mel front end (see the module comment).
 *
 * @example
 * new MelFrontEnd({ sampleRate: 22050, frame: 256, hop: 128, mels: 32 });
 */
export class MelFrontEnd extends Module {
  /** [mels, frame/2], initialised as meyda's mel filters. */
  readonly filterbank: Parameter;
  readonly options: Readonly<SpectrogramOptions>;
  readonly #dft: Tensor;

  constructor(o: SpectrogramOptions) {
    super();
    this.options = Object.freeze({ ...o });
    const bins = o.frame / 2;
    this.filterbank = new Parameter(tensor(melFilters(o), [o.mels, bins]));
    // rows 0..bins-1: w[n]·cos(2πkn/N); rows bins..2·bins-1: w[n]·sin(2πkn/N)
    const w = hannWindow(o.frame);
    const dft = new Float32Array(2 * bins * o.frame);
    for (let k = 0; k < bins; k++)
      for (let n = 0; n < o.frame; n++) {
        const a = (2 * Math.PI * k * n) / o.frame;
        dft[k * o.frame + n] = w[n]! * Math.cos(a);
        dft[(bins + k) * o.frame + n] = w[n]! * Math.sin(a);
      }
    this.#dft = this.registerBuffer('dft', tensor(dft, [2 * bins, 1, o.frame]), { persistent: false });
  }

  /** The filterbank back to meyda's mel filters (the DFT table is fixed). */
  resetParameters(): void {
    this.filterbank.data.set(melFilters(this.options));
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[1] !== 1)
      throw new ShapeError('melFrontEnd', `expects a waveform [N, 1, T], got [${x.shape.join(',')}]`);
    const [n] = x.shape as [number];
    const bins = this.options.frame / 2;
    const spec = conv1d(x, this.#dft, null, { stride: this.options.hop }); // [N, 2·bins, F]
    const frames = spec.shape[2]!;
    const power = spec.square().reshape([n, 2, bins, frames]).sum(1); // [N, bins, F]
    const mel = linear(power.transpose(1, 2), this.filterbank); // [N, F, mels]
    return mel.relu().add(1).log().transpose(1, 2).reshape([n, 1, this.options.mels, frames]);
  }
}

/**
 * The log-mel front end.
 *
 * @example
 * melFrontEnd({ sampleRate: 8000, frame: 256, hop: 128, mels: 40 });
 */
export function melFrontEnd(o: SpectrogramOptions): MelFrontEnd {
  return new MelFrontEnd(o);
}
