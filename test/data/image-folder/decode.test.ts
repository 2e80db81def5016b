import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import sharp from 'sharp';
import { FormatError } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/rng.js';
import {
  decodeImageBytes,
  decodeMany,
  imageRows,
  sniffImage,
  toChw,
  type ImageSpec,
} from '../../../src/data/image-folder/index.js';
import { corruptions } from '../../io/fuzz.js';
import { encodeRaw, FORMATS, noisySquare, svgSquare, type Rgb } from './fixtures.js';

/** A PNG of width × height whose pixel (x, y) is `f(x, y)`. */
async function png(width: number, height: number, f: (x: number, y: number) => Rgb): Promise<Buffer> {
  const px = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) px.set(f(x, y), (y * width + x) * 3);
  return encodeRaw(px, width, height, 3, 'png');
}

const spec = (height: number, width: number, resize: ImageSpec['resize'] = 'crop', channels: 1 | 3 = 3): ImageSpec => ({
  height,
  width,
  resize,
  channels,
});

/** Channel `c` of a CHW image as rows. */
function plane(px: Uint8Array, c: number, h: number, w: number): number[][] {
  return Array.from({ length: h }, (_, y) => Array.from(px.subarray(c * h * w + y * w, c * h * w + (y + 1) * w)));
}

test('the four raster formats and SVG are told by their bytes and decode to their colour', async () => {
  const colour: Rgb = [200, 60, 20];
  for (const format of FORMATS) {
    const bytes = await encodeRaw(noisySquare(6, colour, new Rng(0), 0), 6, 6, 3, format);
    assert.equal(sniffImage(bytes, false), format === 'jpg' ? 'jpeg' : format);
    const px = await decodeImageBytes(bytes, `a.${format}`, spec(3, 3));
    assert.equal(px.length, 27);
    const tol = format === 'jpg' ? 4 : 0; // JPEG is lossy
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < 9; p++)
        assert.ok(Math.abs(px[c * 9 + p]! - colour[c]!) <= tol, `${format} c${c}: ${px[c * 9 + p]}`);
  }
  const svg = Buffer.from(svgSquare(5, colour));
  assert.equal(sniffImage(svg, true), 'svg');
  assert.equal(sniffImage(svg, false), null, 'SVG only by its extension');
  assert.deepEqual(
    [...(await decodeImageBytes(svg, 'a.svg', spec(2, 2)))],
    [200, 200, 200, 200, 60, 60, 60, 60, 20, 20, 20, 20],
  );
});

test('crop takes the centre of an image already at the target height (no resampling)', async () => {
  const px = await decodeImageBytes(await png(6, 4, (x) => [x * 40, 0, 0]), 'a.png', spec(4, 4));
  for (const row of plane(px, 0, 4, 4)) assert.deepEqual(row, [40, 80, 120, 160]); // columns 1..4 of 0..5
});

test('crop after a 2× shrink: the linear kernel weighs input pixels 1/8, 3/8, 3/8, 1/8', async () => {
  // 16×8, red on the left half, blue on the right: shorter side 8 → 4 gives 8×4, the centre crop
  // takes columns 2..5, whose centres sit at input x = 4.5, 6.5, 8.5, 10.5.
  const px = await decodeImageBytes(await png(16, 8, (x) => (x < 8 ? [255, 0, 0] : [0, 0, 255])), 'a.png', spec(4, 4));
  const red = (inputs: number[]): number =>
    Math.round((255 * [1, 3, 3, 1].reduce((s, wgt, i) => s + (inputs[i]! < 8 ? wgt : 0), 0)) / 8);
  const expectedRed = [3, 5, 7, 9].map((first) => red([first, first + 1, first + 2, first + 3]));
  assert.deepEqual(expectedRed, [255, 223, 32, 0]);
  for (const row of plane(px, 0, 4, 4)) assert.deepEqual(row, expectedRed);
  for (const row of plane(px, 2, 4, 4))
    assert.deepEqual(
      row,
      expectedRed.map((v) => 255 - v),
    );
  for (const row of plane(px, 1, 4, 4)) assert.deepEqual(row, [0, 0, 0, 0]);
});

test('fit pads with black, stretch fills, one channel is PIL luma, transparency is flattened onto white', async () => {
  const green: Rgb = [10, 200, 30];
  const fit = await decodeImageBytes(await png(4, 2, () => green), 'a.png', spec(4, 4, 'fit'));
  for (let c = 0; c < 3; c++) {
    const rows = plane(fit, c, 4, 4);
    assert.deepEqual(rows[0], [0, 0, 0, 0]);
    assert.deepEqual(rows[1], [green[c], green[c], green[c], green[c]]);
    assert.deepEqual(rows[2], rows[1]);
    assert.deepEqual(rows[3], [0, 0, 0, 0]);
  }
  const luma = (10 * 19595 + 200 * 38470 + 30 * 7471 + 32768) >> 16; // 124
  const grey = await decodeImageBytes(await png(5, 3, () => green), 'a.png', spec(2, 2, 'stretch', 1));
  assert.deepEqual([...grey], [luma, luma, luma, luma]);
  assert.deepEqual([...toChw(Uint8Array.of(255, 0, 0), 1, 1)], [76]);
  const half =
    '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="2" height="4" fill="#00ff00"/></svg>';
  const px = await decodeImageBytes(Buffer.from(half), 'h.svg', spec(4, 4));
  assert.deepEqual(plane(px, 0, 4, 4)[0], [0, 0, 255, 255]);
  assert.deepEqual(plane(px, 1, 4, 4)[0], [255, 255, 255, 255]);
});

test('a GIF gives its first frame', async () => {
  const frame = (r: number, b: number): Promise<Buffer> =>
    sharp({ create: { width: 4, height: 4, channels: 3, background: { r, g: 0, b } } })
      .png()
      .toBuffer();
  const gif = await sharp([await frame(255, 0), await frame(0, 255)], { join: { animated: true } })
    .gif()
    .toBuffer();
  assert.equal((await sharp(gif).metadata()).pages, 2);
  assert.deepEqual([...(await decodeImageBytes(gif, 'a.gif', spec(1, 1)))], [255, 0, 0]);
});

test('imageRows scales to 0..1 and normalises per channel', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'polytask-rows-'));
  try {
    const file = join(dir, 'a.png');
    writeFileSync(file, await png(2, 2, () => [51, 102, 255]));
    const x = await imageRows([file], spec(1, 1), { mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1] });
    const want = [(0.2 - 0.5) / 0.25, (0.4 - 0.5) / 0.5, (1 - 0.5) / 1];
    want.forEach((v, c) => assert.ok(Math.abs(x[c]! - v) < 1e-6, `channel ${c}: ${x[c]} vs ${v}`));
    const raw = await imageRows([file], spec(1, 1));
    assert.deepEqual(
      [...raw].map((v) => Math.round(v * 255)),
      [51, 102, 255],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bytes that are no image, and broken images, fail with a FormatError naming the file', async () => {
  await assert.rejects(
    decodeImageBytes(Buffer.from('hello'), 'x.png', spec(2, 2)),
    /^FormatError: x\.png: not a PNG, JPEG/,
  );
  const good = await encodeRaw(noisySquare(8, [1, 2, 3], new Rng(1)), 8, 8, 3, 'png');
  await assert.rejects(
    decodeImageBytes(good.subarray(0, 40), 'cut.png', spec(2, 2)),
    (e: Error) => e instanceof FormatError && e.message.startsWith('cut.png: PNG does not decode'),
  );
  await assert.rejects(decodeImageBytes(Buffer.from('<svg'), 'b.svg', spec(2, 2)), /b\.svg: not a valid SVG/);
  // a TIFF (or anything else sharp could read) is refused by its first bytes
  const tiff = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } })
    .tiff()
    .toBuffer();
  await assert.rejects(decodeImageBytes(tiff, 'a.tif.png', spec(2, 2)), /not a PNG, JPEG, WebP, GIF or SVG/);
});

test('an SVG may not make the renderer read another file', async () => {
  const png1 = await png(1, 1, () => [255, 0, 0]);
  const embedded = `<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><image href="data:image/png;base64,${png1.toString('base64')}" width="2" height="2"/></svg>`;
  assert.deepEqual([...(await decodeImageBytes(Buffer.from(embedded), 'ok.svg', spec(1, 1)))], [255, 0, 0]);
  const hostile = [
    [
      '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><image href="/dev/zero" width="2" height="2"/></svg>',
      /refers to "\/dev\/zero"/,
    ],
    [
      "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'><image xlink:href = 'x.png'/></svg>",
      /refers to "x\.png"/,
    ],
    ['<svg xmlns="http://www.w3.org/2000/svg"><image href="&#47;dev/zero"/></svg>', /refers to "&#47;dev\/zero"/],
    [
      '<!DOCTYPE svg [<!ENTITY e "&#60;image h&#114;ef=\'/dev/zero\'/>">]><svg xmlns="http://www.w3.org/2000/svg">&e;</svg>',
      /entity that is external or holds markup/,
    ],
    [
      '<!DOCTYPE svg [<!ENTITY e SYSTEM "/etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&e;</svg>',
      /entity that is external/,
    ],
    [
      '<!DOCTYPE svg [<!ATTLIST image href CDATA "/dev/zero">]><svg xmlns="http://www.w3.org/2000/svg"><image/></svg>',
      /ATTLIST/,
    ],
  ] as const;
  for (const [text, pattern] of hostile)
    await assert.rejects(
      decodeImageBytes(Buffer.from(text), 'h.svg', spec(2, 2)),
      (e: Error) => e instanceof FormatError && e.message.startsWith('h.svg: ') && pattern.test(e.message),
      text,
    );
  // a plain entity (as drawing programs write for namespaces) is fine
  const ns =
    '<!DOCTYPE svg [<!ENTITY ns_svg "http://www.w3.org/2000/svg">]><svg xmlns="&ns_svg;" width="2" height="2"><rect width="2" height="2" fill="#0000ff"/></svg>';
  assert.deepEqual([...(await decodeImageBytes(Buffer.from(ns), 'ns.svg', spec(1, 1)))], [0, 0, 255]);
});

test('decodeMany names the first file that fails and counts the others', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'polytask-many-'));
  try {
    const files = ['a.png', 'b.png', 'c.png', 'd.png'].map((n) => join(dir, n));
    writeFileSync(files[0]!, await png(2, 2, () => [1, 2, 3]));
    writeFileSync(files[1]!, 'broken');
    writeFileSync(files[2]!, await png(2, 2, () => [1, 2, 3]));
    writeFileSync(files[3]!, 'also broken');
    const seen: number[] = [];
    await assert.rejects(
      decodeMany(files, spec(1, 1), (i) => seen.push(i), { workers: 0, concurrency: 2 }),
      (e: Error) =>
        e instanceof FormatError &&
        e.message.startsWith(`${files[1]}: not a PNG`) &&
        e.message.endsWith('; and 1 other file does not decode either'),
    );
    assert.deepEqual(seen.sort(), [0, 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('random and corrupted bytes never crash the decoder: pixels of the right size, or a FormatError', async () => {
  const samples = await Promise.all(
    FORMATS.map((f) => encodeRaw(noisySquare(6, [90, 10, 200], new Rng(2)), 6, 6, 3, f)),
  );
  const svg = Buffer.from(svgSquare(6, [1, 2, 3]));
  for (const [base, name] of [...samples.map((b, i) => [b, `f.${FORMATS[i]}`] as const), [svg, 'f.svg'] as const]) {
    await fc.assert(
      fc.asyncProperty(corruptions(base), async (bytes) => {
        try {
          const px = await decodeImageBytes(bytes, name, spec(3, 3));
          assert.equal(px.length, 27);
        } catch (err) {
          assert.ok(err instanceof FormatError, `${name}: expected a FormatError, got ${(err as Error)?.stack}`);
          assert.ok((err as Error).message.startsWith(`${name}: `), (err as Error).message);
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  }
});
