import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTextCsv, writeToneFolders } from '../helpers/media.js';
import { polytask, withTempDir, type Ran } from './helpers.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

function json<T>(r: Ran): T {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** Exit 1 or 2, nothing on stdout, one line on stderr matching `pattern`. */
function assertOneLineError(r: Ran, pattern: RegExp): void {
  assert.ok(r.code === 1 || r.code === 2, `exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('(node:') && !l.startsWith('(Use `node'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^polytask: /);
  assert.doesNotMatch(lines[0]!, /\bat \S+ \(|\.js:\d+:\d+/);
  assert.match(lines[0]!, pattern);
}

const runDirs = (root: string): string[] =>
  existsSync(root) ? readdirSync(root).filter((n) => !n.startsWith('index.sqlite')) : [];

interface Trained {
  run: string;
  dir: string;
  status: string;
  accuracy: number;
}

interface Predicted {
  predictions: { index: number; name: string; probability: number; file?: string }[];
}

test(
  'text end to end: train examples/train-text.yaml on synthetic reviews, then eval and predict by class name',
  { timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const csv = join(dir, 'reviews.csv');
      writeTextCsv(csv, 100, 5);
      const trained = json<Trained>(
        await polytask(
          [
            'train',
            '-c',
            join(EXAMPLES, 'train-text.yaml'),
            '--set',
            `data.file=${csv}`,
            '--no-report',
            '-q',
            '--json',
          ],
          { runsDir },
        ),
      );
      assert.equal(trained.status, 'completed');
      assert.ok(trained.accuracy >= 0.9, `accuracy ${trained.accuracy}`);
      assert.ok(existsSync(join(trained.dir, 'tokenizer.json')), 'the vocabulary is saved with the run');
      // eval reads the run's own test split with the run's tokenizer: the same accuracy
      const evaluated = json<{ metrics: { accuracy: number } }>(
        await polytask(['eval', trained.run, '--json'], { runsDir }),
      );
      assert.equal(evaluated.metrics.accuracy, trained.accuracy);
      const lines = join(dir, 'new.txt');
      writeFileSync(
        lines,
        'What a WONDERFUL film!\nso dull, and boring\n\nthe plot was terrible\nwe loved the music\n',
      );
      const byLine = json<Predicted>(await polytask(['predict', trained.run, '--input', lines, '--json'], { runsDir }));
      assert.deepEqual(
        byLine.predictions.map((p) => p.name),
        ['positive', 'negative', 'negative', 'positive'],
      );
      const table = join(dir, 'new.jsonl');
      writeFileSync(table, '{"text": "superb acting", "id": 1}\n{"text": "I hated it", "id": 2}\n');
      const byRow = json<Predicted>(await polytask(['predict', trained.run, '--input', table, '--json'], { runsDir }));
      assert.deepEqual(
        byRow.predictions.map((p) => p.name),
        ['positive', 'negative'],
      );
      const shown = await polytask(['predict', trained.run, '--input', lines], { runsDir });
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /^0\s+1\s+positive\s/m);
    }),
);

test(
  'audio end to end: train examples/train-audio.yaml on synthetic tones, then predict a folder of WAVs',
  { timeout: 180_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      writeToneFolders(join(dir, 'tones'), 20, 5);
      const trained = json<Trained>(
        await polytask(
          [
            'train',
            '-c',
            join(EXAMPLES, 'train-audio.yaml'),
            '--set',
            `data.dir=${join(dir, 'tones')}`,
            '--no-report',
            '-q',
            '--json',
          ],
          {
            runsDir,
          },
        ),
      );
      assert.equal(trained.status, 'completed');
      assert.ok(trained.accuracy >= 0.9, `accuracy ${trained.accuracy}`);
      const evaluated = json<{ metrics: { accuracy: number } }>(
        await polytask(['eval', trained.run, '--json'], { runsDir }),
      );
      assert.equal(evaluated.metrics.accuracy, trained.accuracy);
      writeToneFolders(join(dir, 'new'), 3, 77);
      const predicted = json<Predicted>(
        await polytask(['predict', trained.run, '--input', join(dir, 'new'), '--json'], { runsDir }),
      );
      assert.equal(predicted.predictions.length, 6);
      for (const p of predicted.predictions)
        assert.ok(p.file!.includes(join('new', p.name, '')), `${p.file} predicted ${p.name}`);
      const bad = join(dir, 'bad.wav');
      writeFileSync(bad, 'RIFF');
      const out = join(dir, 'out.csv');
      assertOneLineError(
        await polytask(['predict', trained.run, '--input', bad, '--output', out], { runsDir }),
        /bad\.wav: not a WAV file polytask can read/,
      );
      assert.equal(existsSync(out), false, 'no output file for bad input');
    }),
);

test(
  'bad text and audio input: one line naming the file and what was expected, no run directory',
  { timeout: 120_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      writeToneFolders(join(dir, 'tones'), 2, 0);
      writeFileSync(join(dir, 'tones', 'low', '02.wav'), 'RIFF\x10\x00\x00\x00WAVEfmt garbage');
      const common = ['--no-report', '-q', '--epochs', '1'];
      assertOneLineError(
        await polytask(
          ['train', '--set', `data={"source":"audio","dir":"${join(dir, 'tones')}"}`, '--arch', 'audio', ...common],
          { runsDir },
        ),
        /tones\/low\/02\.wav: not a WAV file polytask can read/,
      );
      writeFileSync(join(dir, 'r.csv'), 'review,label\nfine,a\nbad,b\n');
      assertOneLineError(
        await polytask(
          ['train', '--set', `data={"source":"text","file":"${join(dir, 'r.csv')}"}`, '--arch', 'text', ...common],
          { runsDir },
        ),
        /r\.csv: no text column "text" \(columns: "review", "label"\)/,
      );
      mkdirSync(join(dir, 'short'));
      writeToneFolders(join(dir, 'short'), 2, 0);
      assertOneLineError(
        await polytask(
          [
            'train',
            '--set',
            `data={"source":"audio","dir":"${join(dir, 'short')}","sampleRate":4000}`,
            '--arch',
            'audio',
            ...common,
          ],
          { runsDir },
        ),
        /clips of 4000 samples are too short for the audio CNN/,
      );
      assertOneLineError(
        await polytask(['train', '--set', `data={"source":"mnist","limit":100}`, '--arch', 'text', ...common], {
          runsDir,
        }),
        /text needs token ids from a text source/,
      );
      assert.deepEqual(runDirs(runsDir), [], 'no run directory is started for bad input');
    }),
);
