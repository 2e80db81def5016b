/**
 * Tiny image folders generated inside the tests with sharp (PNG, JPEG, WebP, GIF) and SVG text:
 * solid colour squares with a little seeded noise, one class per colour.
 *
 * @example
 * await writeColourFolder(join(dir, 'flat'), { red: [220, 30, 30], blue: [30, 30, 220] }, 8);
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../../src/core/rng.js';

export type Rgb = readonly [number, number, number];

/** The encoders of the raster formats, by file extension. */
export const FORMATS = ['png', 'jpg', 'webp', 'gif'] as const;
export type RasterFormat = (typeof FORMATS)[number];

/**
 * Encodes raw interleaved pixels (width × height × channels) as a file of `format`.
 *
 * @example
 * await encodeRaw(Uint8Array.of(255, 0, 0), 1, 1, 3, 'png');
 */
export async function encodeRaw(
  px: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
  format: RasterFormat,
): Promise<Buffer> {
  const s = sharp(Buffer.from(px), { raw: { width, height, channels } });
  if (format === 'png') return s.png().toBuffer();
  if (format === 'jpg') return s.jpeg({ quality: 95 }).toBuffer();
  if (format === 'webp') return s.webp({ lossless: true }).toBuffer();
  return s.gif().toBuffer();
}

/** A solid square of `colour` with noise of ±`noise`, as raw RGB. */
export function noisySquare(size: number, colour: Rgb, rng: Rng, noise = 20): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  for (let i = 0; i < px.length; i++) {
    const v = colour[i % 3]! + Math.round((rng.uniform() * 2 - 1) * noise);
    px[i] = Math.max(0, Math.min(255, v));
  }
  return px;
}

/** An SVG square of one colour. */
export const svgSquare = (size: number, [r, g, b]: Rgb): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="rgb(${r},${g},${b})"/></svg>`;

/**
 * Writes `dir/<class>/<i>.<ext>` for each class: `perClass` noisy squares cycling through the
 * raster formats, and one SVG when `svg` is set. Returns the files written.
 *
 * @example
 * await writeColourFolder('/tmp/x', { red: [220, 30, 30], blue: [30, 30, 220] }, 6, { seed: 1 });
 */
export async function writeColourFolder(
  dir: string,
  classes: Readonly<Record<string, Rgb>>,
  perClass: number,
  o: { seed?: number; size?: number; svg?: boolean; formats?: readonly RasterFormat[] } = {},
): Promise<string[]> {
  const rng = new Rng(o.seed ?? 0);
  const size = o.size ?? 12;
  const formats = o.formats ?? FORMATS;
  const written: string[] = [];
  for (const [name, colour] of Object.entries(classes)) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const format = formats[i % formats.length]!;
      const file = join(dir, name, `${String(i).padStart(3, '0')}.${format}`);
      writeFileSync(file, await encodeRaw(noisySquare(size, colour, rng), size, size, 3, format));
      written.push(file);
    }
    if (o.svg === true) {
      const file = join(dir, name, 'vector.svg');
      writeFileSync(file, svgSquare(size, colour));
      written.push(file);
    }
  }
  return written;
}
