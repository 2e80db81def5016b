/**
 * What an architecture is to the registry, and what a checkpoint says about its model: plain JSON
 * `{ arch, config, tasks }`.
 *
 * @example
 * const desc: ArchDescription = { arch: 'cnn', config: { hidden: 128 }, tasks: [{ name: 'fashion', classes: 10 }] };
 */
import type { Module } from '../../nn/index.js';

/** A classification task of a checkpoint: its head has `classes` outputs. */
export interface TaskDescription {
  name: string;
  classes: number;
  /** Class names, when known (for reports). */
  classNames?: string[];
}

/** Plain JSON that fixes an architecture's sizes. */
export type ArchConfig = Record<string, unknown>;

/** What a checkpoint says about its model. */
export interface ArchDescription {
  arch: string;
  config: ArchConfig;
  tasks: TaskDescription[];
}

/** A trunk and the width of the representation it produces. */
export interface BuiltTrunk {
  trunk: Module;
  featureDim: number;
}

/**
 * One architecture: how to complete and check its config, and how to build its trunk.
 *
 * @example
 * const tiny: Architecture = { resolve: (c) => c, trunk: () => ({ trunk: new Flatten(), featureDim: 784 }), inputShape: () => [784] };
 */
export interface Architecture {
  /** The config with every default filled in, checked; throws a ValueError naming the bad field. */
  resolve(config: ArchConfig): ArchConfig;
  /** A freshly initialised trunk for a resolved config. */
  trunk(config: ArchConfig): BuiltTrunk;
  /** The shape of one input example for a resolved config ([inputs], [C, H, W], [maxLength], [C, samples]). */
  inputShape(config: ArchConfig): number[];
}
