/**
 * One image file to the pixels a model takes: PNG, JPEG, WebP and GIF (its first frame) decoded
 * with sharp, SVG rendered with resvg first; then resized to the target size (`crop`: cover then
 * centre-crop, as torchvision's Resize + CenterCrop; `fit`: inside, padded with black; `stretch`:
 * to the exact size), transparency flattened onto white, converted to 8-bit RGB or grey (PIL's
 * `convert('L')` weights) and laid out channels-first (CHW), as uint8. The format is told by the
 * file's first bytes (and `.svg` for SVG), never by a name alone; anything else is a FormatError
 * naming the file.
 *
 * @example
 * const spec = { height: 32, width: 32, resize: 'crop', channels: 3 } as const;
 * const px = await decodeImage('cat.png', spec); // Uint8Array of 3 × 32 × 32
 */
import * as fsp from 'node:fs/promises';
import { FormatError } from '../../core/errors.js';

// sharp (libvips) and resvg are native libraries that take a while to load: loaded on the first
// decode only, so a command that reads no images never pays for them
let sharpModule: Promise<typeof import('sharp')> | undefined;
let resvgModule: Promise<typeof import('@resvg/resvg-js')> | undefined;
const loadSharp = async (): Promise<typeof import('sharp').default> =>
  (await (sharpModule ??= import('sharp'))).default;
const loadResvg = async (): Promise<typeof import('@resvg/resvg-js').Resvg> =>
  (await (resvgModule ??= import('@resvg/resvg-js'))).Resvg;

/** How decoded images are sized and coloured. */
export interface ImageSpec {
  height: number;
  width: number;
  /** crop: cover then centre-crop; fit: inside, padded with black; stretch: to the exact size. */
  resize: 'crop' | 'fit' | 'stretch';
  channels: 1 | 3;
}

/** The formats read, as told by their first bytes. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'svg';

/** The file extensions of the formats read (lower case, with the dot). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.svg']);

/** The most pixels a source image (or a rendered SVG) may have: 16384 × 16384. */
export const MAX_INPUT_PIXELS = 16384 * 16384;

const startsWith = (b: Uint8Array, bytes: readonly number[], at = 0): boolean =>
  b.length >= at + bytes.length && bytes.every((v, i) => b[at + i] === v);

/**
 * The format of an image file's bytes, or null: PNG, JPEG, GIF and WebP by their magic bytes,
 * SVG by text that opens with `<` (after a byte-order mark and white space) when `svgAllowed`.
 *
 * @example
 * sniffImage(readFileSync('a.png'), false); // 'png'
 */
export function sniffImage(b: Uint8Array, svgAllowed: boolean): ImageFormat | null {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38]) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61) return 'gif';
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (svgAllowed) {
    let i = startsWith(b, [0xef, 0xbb, 0xbf]) ? 3 : 0;
    while (i < b.length && i < 4096 && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
    if (b[i] === 0x3c) return 'svg';
  }
  return null;
}

/**
 * Refuses an SVG that could make the renderer read another file: resvg loads the local path an
 * `<image href>` names (a FIFO or /dev/zero would hang it), so every `href` must be a fragment
 * (`#id`) or embedded data (`data:`), with no entity in it; and a DTD may not declare attribute
 * defaults or entities holding markup (which could produce such an `href` unseen).
 *
 * @example
 * checkSvgReferences('<svg><image href="/etc/x.png"/></svg>', 'a.svg'); // throws a FormatError
 */
export function checkSvgReferences(text: string, file: string): void {
  if (/<!ATTLIST/i.test(text)) throw new FormatError(file, 'SVG declares attribute defaults (<!ATTLIST), refused');
  for (const m of text.matchAll(/<!ENTITY\s+(%?)\s*[^\s>]*\s+(SYSTEM|PUBLIC)?\s*("[^"]*"|'[^']*')?/gi)) {
    if (m[1] === '%' || m[2] !== undefined || m[3] === undefined || /[<&%]/.test(m[3]))
      throw new FormatError(file, 'SVG declares an entity that is external or holds markup, refused');
  }
  for (const m of text.matchAll(/href\s*=\s*("[^"]*"|'[^']*'|[^\s>]*)/gi)) {
    const value = m[1]!.replace(/^["']|["']$/g, '');
    if ((!value.startsWith('#') && !value.startsWith('data:')) || value.includes('&'))
      throw new FormatError(
        file,
        `SVG refers to ${JSON.stringify(value.slice(0, 60))}; only #fragments and embedded data: images are read`,
      );
  }
}

/** An SVG rendered to PNG bytes so that its shorter side covers the target (at most 4× its own size). */
async function renderSvg(bytes: Uint8Array, spec: ImageSpec, file: string): Promise<Buffer> {
  checkSvgReferences(Buffer.from(bytes).toString('utf8'), file);
  const Resvg = await loadResvg();
  let svg: InstanceType<typeof Resvg>;
  try {
    svg = new Resvg(Buffer.from(bytes), { font: { loadSystemFonts: false } });
  } catch (err) {
    throw new FormatError(file, `not a valid SVG (${oneLine(err)})`);
  }
  const w = svg.width;
  const h = svg.height;
  if (!(w > 0 && h > 0)) throw new FormatError(file, `SVG has no size (width ${w}, height ${h})`);
  const zoom = Math.min(Math.max(spec.height / h, spec.width / w, 1), 4);
  if (w * zoom * h * zoom > MAX_INPUT_PIXELS)
    throw new FormatError(file, `SVG of ${w}×${h} is larger than ${MAX_INPUT_PIXELS} pixels`);
  try {
    return new Resvg(Buffer.from(bytes), zoomed(zoom)).render().asPng();
  } catch (err) {
    throw new FormatError(file, `SVG does not render (${oneLine(err)})`);
  }
}

const zoomed = (zoom: number): import('@resvg/resvg-js').ResvgRenderOptions => ({
  fitTo: { mode: 'zoom', value: zoom },
  font: { loadSystemFonts: false },
});

/** A library error on one line, short. */
export const oneLine = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim().slice(0, 120);

const FIT: Record<ImageSpec['resize'], 'cover' | 'contain' | 'fill'> = {
  crop: 'cover',
  fit: 'contain',
  stretch: 'fill',
};

/**
 * Decodes image bytes (the contents of `file`) to uint8 CHW pixels at the spec's size.
 *
 * @example
 * await decodeImageBytes(readFileSync('a.gif'), 'a.gif', spec); // first frame only
 */
export async function decodeImageBytes(bytes: Uint8Array, file: string, spec: ImageSpec): Promise<Uint8Array> {
  const format = sniffImage(bytes, file.toLowerCase().endsWith('.svg'));
  if (format === null) throw new FormatError(file, 'not a PNG, JPEG, WebP, GIF or SVG image (unknown first bytes)');
  const input = format === 'svg' ? await renderSvg(bytes, spec, file) : bytes;
  const sharp = await loadSharp();
  let rgb: Buffer;
  try {
    // the first bytes chose the format, and libvips picks its loader by the same bytes
    rgb = await sharp(input, { pages: 1, limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .resize(spec.width, spec.height, {
        fit: FIT[spec.resize],
        position: 'centre',
        kernel: 'linear',
        background: '#000000',
      })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer();
  } catch (err) {
    throw new FormatError(file, `${format.toUpperCase()} does not decode (${oneLine(err)})`);
  }
  const plane = spec.height * spec.width;
  if (rgb.length !== plane * 3)
    throw new FormatError(
      file,
      `decoded to ${rgb.length} bytes, expected ${plane * 3} (${spec.width}×${spec.height} RGB)`,
    );
  return toChw(rgb, plane, spec.channels);
}

/**
 * Interleaved RGB (HWC) to planes (CHW); one channel is PIL's luma, (19595 R + 38470 G + 7471 B + 2^15) >> 16.
 *
 * @example
 * toChw(Uint8Array.of(255, 0, 0), 1, 1); // Uint8Array [76]
 */
export function toChw(rgb: Uint8Array, plane: number, channels: 1 | 3): Uint8Array {
  const out = new Uint8Array(plane * channels);
  for (let p = 0; p < plane; p++) {
    const r = rgb[3 * p]!;
    const g = rgb[3 * p + 1]!;
    const b = rgb[3 * p + 2]!;
    if (channels === 1) out[p] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
    else {
      out[p] = r;
      out[plane + p] = g;
      out[2 * plane + p] = b;
    }
  }
  return out;
}

/**
 * Reads and decodes one image file.
 *
 * @example
 * await decodeImage('photos/cat/1.jpg', { height: 64, width: 64, resize: 'crop', channels: 3 });
 */
export async function decodeImage(file: string, spec: ImageSpec): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (err) {
    throw new FormatError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? oneLine(err)})`);
  }
  return decodeImageBytes(bytes, file, spec);
}
