/** The one config file reader: YAML or JSON by extension, errors naming the file (and line). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfigText, parseValueText, readConfigFile } from '../../src/config/index.js';

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
function inTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-config-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The message of the ConfigError `fn` throws. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

test('YAML and JSON files read into mappings', () =>
  inTempDir((dir) => {
    writeFileSync(join(dir, 'a.yaml'), 'training:\n  epochs: 3\nhidden: [64, 32]\n');
    assert.deepEqual(readConfigFile(join(dir, 'a.yaml')), { training: { epochs: 3 }, hidden: [64, 32] });
    writeFileSync(join(dir, 'a.yml'), 'seed: 1\n');
    assert.deepEqual(readConfigFile(join(dir, 'a.yml')), { seed: 1 });
    writeFileSync(join(dir, 'a.json'), '{ "training": { "epochs": 3 } }');
    assert.deepEqual(readConfigFile(join(dir, 'a.json')), { training: { epochs: 3 } });
  }));

test('an empty file is an empty mapping', () =>
  inTempDir((dir) => {
    writeFileSync(join(dir, 'e.yaml'), '');
    assert.deepEqual(readConfigFile(join(dir, 'e.yaml')), {});
    writeFileSync(join(dir, 'c.yaml'), '# only a comment\n');
    assert.deepEqual(readConfigFile(join(dir, 'c.yaml')), {});
  }));

test('syntax errors name the file, line and column', () =>
  inTempDir((dir) => {
    const y = join(dir, 'bad.yaml');
    writeFileSync(y, 'training:\n  epochs: 3\n   batchSize: 4\n');
    assert.match(
      failure(() => readConfigFile(y)),
      new RegExp(`^${y.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:11: not valid YAML: Nested mappings`),
    );
    const dup = join(dir, 'dup.yaml');
    writeFileSync(dup, 'seed: 1\nseed: 2\n');
    assert.match(
      failure(() => readConfigFile(dup)),
      /dup\.yaml:2:1: not valid YAML: Map keys must be unique/,
    );
    const j = join(dir, 'bad.json');
    writeFileSync(j, '{\n  "training": { "epochs": 3, }\n}\n');
    assert.match(
      failure(() => readConfigFile(j)),
      /bad\.json:2:\d+: not valid JSON: /,
    );
    assert.match(
      failure(() => parseConfigText('a: [1, 2\n', 'inline.yaml')),
      /^inline\.yaml:\d+:\d+: not valid YAML/,
    );
  }));

test('a top level that is not a mapping, a missing file and an unknown extension name the file', () =>
  inTempDir((dir) => {
    writeFileSync(join(dir, 'list.yaml'), '- 1\n- 2\n');
    assert.match(
      failure(() => readConfigFile(join(dir, 'list.yaml'))),
      /list\.yaml: the top level must be a mapping of keys to values, found a list$/,
    );
    writeFileSync(join(dir, 'n.json'), '42');
    assert.match(
      failure(() => readConfigFile(join(dir, 'n.json'))),
      /n\.json: the top level must be a mapping of keys to values, found 42$/,
    );
    assert.match(
      failure(() => parseConfigText('just text', 's.yaml')),
      /s\.yaml: the top level must be a mapping of keys to values, found "just text" \(a string\)$/,
    );
    assert.match(
      failure(() => readConfigFile(join(dir, 'none.yaml'))),
      /none\.yaml: cannot read the config file \(no such file\)$/,
    );
    assert.match(
      failure(() => readConfigFile(join(dir, 'a.toml'))),
      /a\.toml: unknown config format '\.toml', expected \.yaml, \.yml or \.json$/,
    );
  }));

test('command-line values are typed as YAML reads them', () => {
  assert.equal(parseValueText('3e-4'), 3e-4);
  assert.deepEqual(parseValueText('[64, 32]'), [64, 32]);
  assert.equal(parseValueText('true'), true);
  assert.equal(parseValueText('abc'), 'abc');
  assert.equal(parseValueText(''), '');
  assert.equal(parseValueText('a: b: c'), 'a: b: c');
});
