#!/usr/bin/env node
// Writes the small synthetic data sets of examples/train-text.yaml and examples/train-audio.yaml
// (after `npm run build`): examples/data/reviews.csv, 100 sentences per class whose class shows in
// one word (committed), and examples/data/tones/{low,high}/NN.wav, 20 one-second 8 kHz clips per
// class of a 300 Hz or 1200 Hz tone under noise (not committed: run this script).
//   node scripts/make-example-data.mjs
import { fileURLToPath } from 'node:url';
import { writeTextCsv, writeToneFolders } from '../dist/test/helpers/media.js';

const data = fileURLToPath(new URL('../examples/data/', import.meta.url));
writeTextCsv(`${data}reviews.csv`, 100, 12);
writeToneFolders(`${data}tones`, 20, 12);
console.log(`wrote ${data}reviews.csv and ${data}tones/`);
