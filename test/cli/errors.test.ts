import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { polytask, withTempDir } from './helpers.js';

/** The error contract: a non-zero status, exactly one line on stderr, nothing on stdout. */
function assertOneLine(r: { code: number; stdout: string; stderr: string }, pattern: RegExp, code = 2): void {
  assert.equal(r.code, code, `exit status (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^polytask: /);
  assert.match(lines[0]!, pattern);
}

test('config errors: one line naming file, field, found and allowed; exit 2; no run directory', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const cases: [string, string, RegExp][] = [
      [
        'types.yaml',
        'training:\n  epochs: three\n',
        /types\.yaml: training\.epochs: found "three" \(a string\), expected an integer$/,
      ],
      [
        'unknown.yaml',
        'model:\n  arch: mlp\n  hiden: [64]\n',
        /unknown\.yaml: model: unknown key "hiden"; did you mean "hidden"\?$/,
      ],
      [
        'missing.json',
        '{ "data": { "source": "idx", "labels": "l.idx" } }',
        /missing\.json: data\.images: missing, expected a string$/,
      ],
      ['syntax.yaml', 'training: [1, 2\n', /syntax\.yaml:\d+:\d+: not valid YAML/],
    ];
    for (const [name, text, pattern] of cases) {
      writeFileSync(join(dir, name), text);
      assertOneLine(await polytask(['train', '-c', join(dir, name)], { runsDir: runs }), pattern);
    }
    assert.equal(existsSync(runs), false, 'nothing written for a bad config');
  }));

test('a bad flag value names the flag; usage errors are one line too', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    assertOneLine(
      await polytask(['train', '--epochs', 'x', '--lr', '-1'], { runsDir: runs }),
      /^polytask: --lr: optimizer\.lr: found -1, expected a number > 0; --epochs: training\.epochs: found "x" \(a string\), expected an integer$/,
    );
    assertOneLine(
      await polytask(['finetune', '--strategy', 'all'], { runsDir: runs }),
      /--strategy: finetune\.strategy: found "all" \(a string\), expected one of "scratch", "linear-probe", "full", "lp-ft", "gradual", "discriminative", "lora"/,
    );
    assertOneLine(await polytask(['train', '--bogus'], { runsDir: runs }), /unknown option '--bogus' \(see --help\)$/);
    assertOneLine(await polytask(['fly'], { runsDir: runs }), /unknown command 'fly'/);
    assertOneLine(await polytask(['eval', 'nosuchrun'], { runsDir: runs }), /no run 'nosuchrun'/);
    assertOneLine(await polytask(['study', 'mtl', '--epochs', '0'], { runsDir: runs }), /--epochs: epochs: found 0/);
    assertOneLine(
      await polytask(['train', '--data', 'fashion-mnist', '--set', 'data.dir=/nonexistent'], { runsDir: runs }),
      /Fashion-MNIST: .* not found in \/nonexistent/,
      1,
    );
    assert.equal(existsSync(runs), false, 'nothing written for a bad flag');
  }));

test('a failure inside polytask is one line and exit 1; --debug adds the stack', () =>
  withTempDir(async (dir) => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'a,b,label\n1,2,0\n3,oops,1\n');
    const args = ['train', '--data', 'csv', '--set', `data.file=${csv}`, '--set', 'data.label=label'];
    assertOneLine(await polytask(args, { runsDir: join(dir, 'runs') }), /bad\.csv/, 1);
    const debug = await polytask([...args, '--debug'], { runsDir: join(dir, 'runs') });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /^polytask: .*bad\.csv.*\n.*Error.*\n\s+at /);
  }));

test('--help and --version succeed on stdout', async () => {
  for (const args of [
    ['--help'],
    ['train', '--help'],
    ['study', 'e2e', '--help'],
    ['runs', 'compare', '--help'],
    ['--version'],
  ]) {
    const r = await polytask(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.notEqual(r.stdout, '');
    assert.equal(r.stderr, '');
  }
});
