import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadData } from '../../../src/data/sources/load.js';
import { dataSchema } from '../../../src/data/sources/schema.js';
import {
  buildSpokenDigits,
  espeakMissing,
  installedVariants,
  SPOKEN_DIGITS_PLAN,
} from '../../../src/data/prepared/spoken-digits.js';

const missing = espeakMissing();
const skip = missing === undefined ? false : `espeak-ng is not installed (${missing})`;

test(
  'spoken-digits: 3 voices × 2 digits × 2 takes: the files, labels and held-out voices, and a resumed build keeps its clips',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytask-spoken-'));
    try {
      const plan = {
        ...SPOKEN_DIGITS_PLAN,
        variants: ['m1', 'f2', 'klatt'],
        digits: [3, 7],
        takes: 2,
        testShare: 0.34,
      };
      const progress: number[] = [];
      const built = await buildSpokenDigits(dir, plan, { seed: 5, progress: (d) => progress.push(d) });
      assert.deepEqual(built.counts, { clips: 12, train: 8, test: 4, classes: 2, voices: 3, testVoices: 1 });
      assert.equal(progress.at(-1), 12);
      const rows = (f: string) =>
        readFileSync(join(dir, f), 'utf8')
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(','));
      const train = rows('train.csv');
      const held = rows('test.csv');
      const voices = (r: string[][]) => new Set(r.map((x) => x[3]));
      assert.equal(voices(held).size, 1);
      assert.ok(![...voices(held)].some((v) => voices(train).has(v)), 'no test voice is heard in training');
      for (const [file, label, word] of [...train, ...held]) {
        assert.match(file!, /^clips\/(m1|f2|klatt)\/[37]-[01]\.wav$/);
        assert.equal(word, label === '3' ? 'three' : 'seven');
        assert.equal(readFileSync(join(dir, file!)).subarray(0, 4).toString('latin1'), 'RIFF');
      }
      // the same seed draws the same split and takes; a second build keeps every clip it finds
      const first = join(dir, train[0]![0]!);
      const before = statSync(first).mtimeMs;
      writeFileSync(join(dir, 'train.csv'), 'overwritten\n');
      const stray = join(dir, 'clips', 'm1', '3-0.wav.espeak-1.tmp');
      writeFileSync(stray, 'half a clip');
      const again = await buildSpokenDigits(dir, plan, { seed: 5 });
      assert.deepEqual(again.counts, built.counts);
      assert.equal(statSync(first).mtimeMs, before, 'a clip that exists is not spoken again');
      assert.deepEqual(rows('train.csv'), train);
      assert.ok(!existsSync(stray), 'an interrupted build’s temporary file is removed');
      // read through the view: the test split is the held-out voice's clips
      const view = built.views.digit!.data;
      const d = await loadData(
        dataSchema.parse({ ...view, file: join(dir, 'train.csv'), testFile: join(dir, 'test.csv') }),
        0,
      );
      assert.deepEqual(d.classNames, ['3', '7']);
      assert.equal(d.train.length, 8);
      assert.equal(d.test.length, 4);
      assert.deepEqual(d.featureShape, [1, Math.round(22050 * 0.75)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('spoken-digits: the installed variants are espeak-ng’s, without names that have spaces', { skip }, () => {
  const v = installedVariants();
  assert.ok(v.length >= 50, `${v.length} variants`);
  assert.ok(v.includes('f2') && v.includes('m1'));
  assert.ok(v.every((n) => /^[A-Za-z0-9_-]+$/.test(n)));
});
