import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCase } from '../../src/cli/cases/index.js';
import { parseE2eConfig } from '../../src/endtoend/config.js';
import { buildSpokenDigits, espeakMissing, SPOKEN_DIGITS_PLAN } from '../../src/data/prepared/spoken-digits.js';
import { preparable } from '../../src/data/prepared/index.js';
import { MAIN, polytask, withTempDir } from './helpers.js';

const missing = espeakMissing();

test('--case audio: its presets are valid e2e configs of the spoken-digits case', () => {
  const c = findCase('audio');
  assert.deepEqual(c.datasets, ['spoken-digits']);
  for (const which of ['main', 'quick'] as const) {
    const config = parseE2eConfig(c.presets.e2e![which]);
    assert.equal(config.case, 'spoken-digits');
    assert.ok(config.sizes!.length >= (which === 'main' ? 4 : 2));
  }
  assert.equal(parseE2eConfig(c.presets.e2e!.quick).smokeTest, true);
});

test('--case audio: the main preset reaches the study as the README measured it (3 seeds, early stopping up to 2000 steps)', () => {
  const main = parseE2eConfig(findCase('audio').presets.e2e!.main);
  assert.equal(main.smokeTest, false);
  assert.deepEqual(main.sizes, [50, 100, 200, 400, 800]);
  assert.equal(main.seeds, 3);
  assert.equal(main.subtaskExamples, 800);
  assert.equal(main.testExamples, 800);
  assert.equal(main.hidden, 128, 'the width at which the pipeline classifier is about as large as M5');
  assert.equal(main.training.maxSteps, 2000);
  assert.ok(main.training.validation !== false && main.training.validation.patience === 15);
});

test(
  '--case audio --quick runs through the real CLI on a small spoken-digits build and reports its three curves',
  { skip: missing === undefined ? false : `espeak-ng is not installed (${missing})` },
  () =>
    withTempDir(async (root) => {
      // a small build in the place `data prepare spoken-digits` would put the full one
      const dir = join(root, 'cache', 'prepared', 'spoken-digits');
      mkdirSync(dir, { recursive: true });
      const variants = ['f1', 'f2', 'm1', 'm2', 'm3', 'klatt'];
      const built = await buildSpokenDigits(dir, { ...SPOKEN_DIGITS_PLAN, variants, takes: 1 }, { seed: 0 });
      assert.equal(built.counts.test, 10, 'one held-out voice');
      const d = preparable('spoken-digits');
      const manifest = { name: d.name, version: d.version, seed: 0, licence: d.licence, created: '', ...built };
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const ran = await polytask(['--case', 'audio', '--quick', '--set', 'e2e.testExamples=10'], {
        script: MAIN,
        runsDir: join(root, 'runs'),
        env: { POLYTASK_CACHE: join(root, 'cache') },
      });
      assert.equal(ran.code, 0, ran.stderr);
      assert.match(ran.stdout, /Inconclusive \(smoke test\)/);
      const [run] = readdirSync(join(root, 'runs')).filter((f) => f.includes('main'));
      const result = JSON.parse(readFileSync(join(root, 'runs', run!, 'results-e2e.json'), 'utf8')) as {
        case: string;
        testExamples: number;
        curves: Record<string, { size: number; values: number[] }[]>;
      };
      assert.equal(result.case, 'spoken-digits');
      assert.equal(result.testExamples, 10);
      assert.deepEqual(Object.keys(result.curves).sort(), ['endToEnd', 'hybrid', 'pipeline']);
      for (const curve of Object.values(result.curves)) {
        assert.deepEqual(
          curve.map((p) => p.size),
          [20, 40],
        );
        // an error rate over 10 test clips is a multiple of 0.1
        for (const p of curve)
          assert.ok(p.values.every((v) => v >= 0 && v <= 1 && Math.abs(v * 10 - Math.round(v * 10)) < 1e-9));
      }
    }),
);
