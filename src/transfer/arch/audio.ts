/**
 * A trunk for raw audio: the M5 waveform CNN of models/zoo/audio.ts (a strided 80-sample
 * convolution, then four conv-BN-ReLU-maxpool(4) stages, averaged over time) without its
 * classifier, so a task's head reads its [N, 2·channels] features. Inputs are [N, 1, samples]
 * (the audio source's clips); the names are M5's (`trunk.conv1.weight`, `trunk.bn4.running_mean`).
 *
 * @example
 * const { trunk, featureDim } = audioArch.trunk(audioArch.resolve({ samples: 8000 }));
 * trunk.forward(clips).shape; // [N, 64]
 */
import { z } from 'zod';
import { ValueError } from '../../core/errors.js';
import { RawAudioCnn } from '../../models/zoo/audio.js';
import { parseConfig } from '../../config/index.js';
import type { Architecture, ArchConfig } from './types.js';

const positive = z.number().int().min(1);

/**
 * The audio trunk's config: the clips' shape and M5's widths.
 *
 * @example
 * audioConfigSchema.parse({ samples: 8000 }); // { inChannels: 1, samples: 8000, channels: 32, stride: 16 }
 */
export const audioConfigSchema = z.strictObject({
  inChannels: positive.max(256).default(1),
  /** Samples per clip. */
  samples: positive.max(10_000_000),
  /** Channels of the first two convolutions (the last two have twice as many). */
  channels: positive.max(1024).default(32),
  /** Stride of the first, 80-sample convolution. */
  stride: positive.max(1024).default(16),
});

export type AudioConfig = z.output<typeof audioConfigSchema>;

/**
 * The time steps left after M5's layers for a clip of `samples` (below 1: too short).
 *
 * @example
 * m5Steps(8000, 16); // 1
 */
export function m5Steps(samples: number, stride: number): number {
  let t = Math.floor((samples - 80) / stride) + 1;
  t = Math.floor(t / 4);
  for (let i = 0; i < 3; i++) t = Math.floor((t - 2) / 4);
  return t;
}

/** The registry entry of 'audio'. @example buildModel({ arch: 'audio', config: { samples: 8000 }, tasks }); */
export const audioArch: Architecture = {
  resolve: (config: ArchConfig) => {
    const c = parseConfig(audioConfigSchema, config, "arch 'audio' config");
    if (m5Steps(c.samples, c.stride) < 1) {
      let need = 80;
      while (m5Steps(need, c.stride) < 1) need += c.stride;
      throw new ValueError(
        "arch 'audio' config",
        `clips of ${c.samples} samples are too short for the audio CNN at stride ${c.stride}: it needs at least ${need} (raise data.seconds or data.sampleRate, or lower model.stride)`,
      );
    }
    return c;
  },
  trunk: (config: ArchConfig) => {
    const c = config as AudioConfig;
    const trunk = new RawAudioCnn({ numClasses: 0, inChannels: c.inChannels, channels: c.channels, stride: c.stride });
    return { trunk, featureDim: trunk.featureDim };
  },
  inputShape: (config: ArchConfig) => [(config as AudioConfig).inChannels, (config as AudioConfig).samples],
};
