#!/usr/bin/env node
// The image folder of examples/train-images.yaml: circles, squares and triangles drawn as small
// SVG files (any colour, size and place, on a pale background, so only the shape tells the class),
// seeded, in the train/val layout: examples/data/shapes/{train,val}/{circle,square,triangle}/NN.svg.
// Usage: node scripts/make-example-shapes.mjs [train-per-class=100] [val-per-class=20]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [perTrain = 100, perVal = 20] = process.argv.slice(2).map(Number);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../examples/data/shapes');

// mulberry32: a small seeded stream, so the committed files come back identical
let state = 12345;
const rand = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const between = (lo, hi) => lo + rand() * (hi - lo);
const hsl = (l) => `hsl(${Math.round(between(0, 360))},${Math.round(between(40, 90))}%,${l}%)`;
const r1 = (v) => Math.round(v * 10) / 10;

function shape(kind) {
  const size = between(22, 48);
  const cx = between(size / 2 + 2, 62 - size / 2);
  const cy = between(size / 2 + 2, 62 - size / 2);
  const fill = hsl(Math.round(between(25, 50)));
  if (kind === 'circle') return `<circle cx="${r1(cx)}" cy="${r1(cy)}" r="${r1(size / 2)}" fill="${fill}"/>`;
  if (kind === 'square')
    return `<rect x="${r1(cx - size / 2)}" y="${r1(cy - size / 2)}" width="${r1(size)}" height="${r1(size)}" fill="${fill}"/>`;
  const h = (size * Math.sqrt(3)) / 2;
  const pts = [
    [cx, cy - h / 2],
    [cx - size / 2, cy + h / 2],
    [cx + size / 2, cy + h / 2],
  ];
  return `<polygon points="${pts.map(([x, y]) => `${r1(x)},${r1(y)}`).join(' ')}" fill="${fill}"/>`;
}

rmSync(root, { recursive: true, force: true });
for (const [split, n] of [
  ['train', perTrain],
  ['val', perVal],
]) {
  for (const kind of ['circle', 'square', 'triangle']) {
    const dir = path.join(root, split, kind);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < n; i++) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="${hsl(Math.round(between(80, 95)))}"/>${shape(kind)}</svg>\n`;
      writeFileSync(path.join(dir, `${String(i).padStart(2, '0')}.svg`), svg);
    }
  }
}
console.log(`wrote ${3 * (perTrain + perVal)} SVG files under ${path.relative(process.cwd(), root) || '.'}`);
