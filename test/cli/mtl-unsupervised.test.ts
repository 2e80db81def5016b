/**
 * `polytask study mtl` refuses `pretrainFinetune.unsupervised` (the `mlm+ft` run) where it cannot
 * run, with one line naming the field and before any run directory exists: on the averaged-
 * embedding trunk (no context to model) and on inputs that are not text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { polytask, withTempDir } from './helpers.js';

function assertOneLine(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit status (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
}

test('pretrainFinetune.unsupervised is refused on the mean trunk and on images, before a run directory', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const mlm = ['--set', 'pretrainFinetune.unsupervised.objective=mlm', '--epochs', '2'];
    assertOneLine(
      await polytask(['study', 'mtl', ...mlm], { runsDir: runs }),
      /^polytask: study config: pretrainFinetune\.unsupervised: masked-language modelling needs a contextual encoder.*expected trunk\.encoder: transformer$/,
    );
    assertOneLine(
      await polytask(['study', 'mtl', ...mlm, '--set', 'trunk.encoder=transformer', '--set', 'train=200'], {
        runsDir: runs,
      }),
      /^polytask: pretrainFinetune\.unsupervised: masked-language modelling pre-trains on text, and the inputs of .* are not token ids$/,
    );
    assert.equal(existsSync(runs), false, 'no run directory for a refused config');
  }));
