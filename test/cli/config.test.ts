import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { flagOverrides } from '../../src/cli/config/flags.js';
import { loadConfig } from '../../src/cli/config/load.js';
import { applyOverrides, flagValue, parseSetFlag } from '../../src/cli/config/overrides.js';
import { readConfigFile } from '../../src/cli/config/read-file.js';
import { allowedKeys } from '../../src/config/index.js';
import { finetuneConfigSchema, trainConfigSchema } from '../../src/cli/config/train-schema.js';
import { validateConfig } from '../../src/cli/config/validate.js';
import { CliError } from '../../src/cli/errors.js';
import { withTempDir } from './helpers.js';

/** The one-line message validateConfig throws. */
function problem(raw: unknown, file = 'c.yaml', overrides = flagOverrides({}, {})): string {
  try {
    validateConfig(trainConfigSchema, raw, { file, overrides });
  } catch (err) {
    assert.ok(err instanceof CliError);
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail('expected the config to be rejected');
}

test('defaults fill a missing config: mlp on the embedded MNIST', () => {
  const c = validateConfig(trainConfigSchema, {});
  assert.deepEqual(c.data, { source: 'mnist', testFraction: 0.2 });
  assert.deepEqual(c.model, { arch: 'mlp', hidden: [128] });
  assert.equal(c.training.epochs, 3);
  assert.equal(validateConfig(trainConfigSchema, { data: { limit: 50 } }).data.source, 'mnist');
});

test('wrong types name the file, the field, what was found and what is allowed', () => {
  assert.equal(
    problem({ training: { epochs: 'three' } }),
    'c.yaml: training.epochs: found "three" (a string), expected an integer',
  );
  assert.equal(problem({ training: { epochs: 2.5 } }), 'c.yaml: training.epochs: found 2.5, expected an integer');
  assert.equal(problem({ training: { epochs: 0 } }), 'c.yaml: training.epochs: found 0, expected a number >= 1');
  assert.equal(problem({ optimizer: { lr: -1 } }), 'c.yaml: optimizer.lr: found -1, expected a number > 0');
  assert.equal(
    problem({ optimizer: { name: 'adamax' } }),
    'c.yaml: optimizer.name: found "adamax" (a string), expected one of "adam", "adamw", "sgd"',
  );
  assert.equal(
    problem({ model: { arch: 'mlp', hidden: [64, 'wide'] } }),
    'c.yaml: model.hidden[1]: found "wide" (a string), expected an integer',
  );
  assert.equal(
    problem({ model: { arch: 'rnn' } }),
    'c.yaml: model.arch: found "rnn" (a string), expected one of "mlp", "cnn", "text", "audio", "resnet18", "resnet34", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "vit", "pretrained"',
  );
  assert.equal(
    problem({ data: { source: 'cifar' } }),
    'c.yaml: data.source: found "cifar" (a string), expected one of "mnist", "fashion-mnist", "idx", "npy", "table", "csv", "images", "text", "audio", "prepared"',
  );
});

test('unknown keys are errors that suggest a close key or list the allowed keys, at every level', () => {
  assert.equal(
    problem({ epochs: 3 }),
    'c.yaml: unknown key "epochs"; allowed: task, seed, data, model, optimizer, training',
  );
  assert.equal(problem({ training: { epochz: 3 } }), 'c.yaml: training: unknown key "epochz"; did you mean "epochs"?');
  assert.match(
    problem({ model: { arch: 'cnn', depth: 3 } }),
    /model: unknown key "depth"; allowed: arch, channels, hidden, batchNorm$/,
  );
  assert.match(
    problem({ data: { source: 'csv', file: 'a.csv', label: 'y', colums: [] } }),
    /data: unknown key "colums"; allowed: source, file, label, features, ignore, missing, delimiter, classNames, numClasses, testFile, classes, limit, testFraction$/,
  );
});

test('missing fields say so', () => {
  assert.equal(problem({ data: { source: 'csv', label: 'y' } }), 'c.yaml: data.file: missing, expected a string');
  const f = (() => {
    try {
      validateConfig(finetuneConfigSchema, { finetune: { l2sp: {} } }, { file: 'f.yaml' });
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  })();
  // (a finetune without a starting model is refused by checkFinetuneConfig: --from or --weights)
  assert.equal(f, 'f.yaml: finetune.l2sp.alpha: missing, expected a number');
});

test('several problems stay on one line; beyond three they are counted', () => {
  const m = problem({ seed: -1, task: 'a b', training: { epochs: 0, batchSize: 0 }, optimizer: { lr: 0 } });
  assert.match(m, /; .*; .* \(and 2 more\)$/);
});

test('a problem in a key set by a flag names the flag', () => {
  const overrides = flagOverrides({ epochs: 'many', set: ['model.hidden=[8, x]'] }, { epochs: 'training.epochs' });
  assert.equal(
    problem(applyOverrides({}, overrides), 'c.yaml', overrides),
    '--set model.hidden: model.hidden[1]: found "x" (a string), expected a number; --epochs: training.epochs: found "many" (a string), expected an integer',
  );
});

test('flags override config keys; --set has the last word; values are typed', () =>
  withTempDir((dir) => {
    const file = join(dir, 'train.yaml');
    writeFileSync(
      file,
      'training:\n  epochs: 5\n  batchSize: 32\noptimizer:\n  lr: 0.01\ndata:\n  source: mnist\n  limit: 400\n',
    );
    const overrides = flagOverrides(
      { epochs: '2', classes: '0,1,2', set: ['optimizer.lr=3e-4', 'training.epochs=4'] },
      { epochs: 'training.epochs', classes: 'data.classes' },
      trainConfigSchema,
    );
    const { config } = loadConfig(trainConfigSchema, { file, overrides });
    assert.equal(config.training.epochs, 4);
    assert.equal(config.training.batchSize, 32);
    assert.equal(config.optimizer.lr, 3e-4);
    assert.deepEqual(config.data, { source: 'mnist', limit: 400, classes: [0, 1, 2], testFraction: 0.2 });
    assert.deepEqual(
      flagOverrides({ methods: 'ew' }, { methods: 'methods' }, z.strictObject({ methods: z.array(z.string()) }))[0]!
        .value,
      ['ew'],
    );
    assert.equal(flagValue('0.5'), 0.5);
    assert.equal(flagValue('abc'), 'abc');
    assert.deepEqual(parseSetFlag('a.b=[1, 2]'), { path: 'a.b', value: [1, 2], source: '--set a.b' });
    assert.throws(() => parseSetFlag('novalue'), /expected key.path=value/);
    assert.throws(
      () => applyOverrides({ a: 3 }, [{ path: 'a.b', value: 1, source: '--set a.b' }]),
      /--set a.b: cannot set a key inside a/,
    );
  }));

test('YAML and JSON syntax errors give the file, line and column', () =>
  withTempDir((dir) => {
    const y = join(dir, 'bad.yaml');
    writeFileSync(y, 'training:\n  epochs: 3\n   batchSize: 4\n');
    assert.throws(
      () => readConfigFile(y),
      (e: Error) =>
        e instanceof CliError &&
        /bad\.yaml:\d+:\d+: not valid YAML: Nested mappings/.test(e.message) &&
        !e.message.includes('\n'),
    );
    const j = join(dir, 'bad.json');
    writeFileSync(j, '{\n  "training": { "epochs": 3, }\n}\n');
    assert.throws(() => readConfigFile(j), /bad\.json:2:\d+: not valid JSON/);
    const dup = join(dir, 'dup.yaml');
    writeFileSync(dup, 'seed: 1\nseed: 2\n');
    assert.throws(() => readConfigFile(dup), /dup\.yaml:2:1: not valid YAML/);
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- 1\n- 2\n');
    assert.throws(
      () => readConfigFile(list),
      /list\.yaml: the top level must be a mapping of keys to values, found a list/,
    );
    assert.throws(
      () => readConfigFile(join(dir, 'none.yaml')),
      /none\.yaml: cannot read the config file \(no such file\)/,
    );
    assert.throws(() => readConfigFile(join(dir, 'a.toml')), /unknown config format '.toml'/);
    writeFileSync(join(dir, 'empty.yml'), '');
    assert.deepEqual(readConfigFile(join(dir, 'empty.yml')), {});
  }));

test('allowedKeys follows unions by their discriminator', () => {
  assert.deepEqual(allowedKeys(trainConfigSchema, ['model'], { model: { arch: 'mlp' } }), ['arch', 'hidden']);
  assert.deepEqual(allowedKeys(trainConfigSchema, ['data'], { data: { source: 'idx' } }), [
    'source',
    'images',
    'labels',
    'testImages',
    'testLabels',
    'classes',
    'limit',
    'testFraction',
  ]);
  assert.deepEqual(allowedKeys(trainConfigSchema, ['nope'], {}), []);
});
