/**
 * "Did you mean" through the `polytask` command: a misspelt key in a config file and in a
 * `--set` flag (of a study and of the main job) is one line naming the file or the flag and the
 * key it is close to; exit 2, nothing written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN, polytask, withTempDir, type Ran } from './helpers.js';

/** Exit 2, nothing on stdout, one line on stderr matching `pattern`. */
function assertUsageLine(r: Ran, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit status (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('(node:') && !l.startsWith('(Use `node'));
  assert.deepEqual(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
}

test('a misspelt key in a config file or a --set flag gets "did you mean"', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const mtl = join(dir, 'mtl.yaml');
    writeFileSync(mtl, 'epoch: 2\n');
    assertUsageLine(
      await polytask(['study', 'mtl', '-c', mtl], { runsDir: runs }),
      /^polytask: \S*mtl\.yaml: unknown key "epoch"; did you mean "epochs"\?$/,
    );
    const train = join(dir, 'train.yaml');
    writeFileSync(train, 'training:\n  epoch: 2\n');
    assertUsageLine(
      await polytask(['train', '-c', train], { runsDir: runs }),
      /^polytask: \S*train\.yaml: training: unknown key "epoch"; did you mean "epochs"\?$/,
    );
    assertUsageLine(
      await polytask(['study', 'mtl', '--set', 'methodz=[ew]'], { runsDir: runs }),
      /^polytask: --set methodz: unknown key "methodz"; did you mean "methods"\?$/,
    );
    assertUsageLine(
      await polytask(['--quick', '--set', 'mtl.methodz=[ew]'], { runsDir: runs, script: MAIN }),
      /^polytask: --set mtl\.methodz: unknown key "methodz"; did you mean "methods"\?$/,
    );
    assert.equal(existsSync(runs), false, 'nothing written for a misspelt key');
  }));
