/**
 * The one zod-issue formatter: every problem names the source (file or flag), the field path
 * (`a.b[1].c`, odd keys quoted), what was found (bounded in length) and what was expected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, describeValue, formatPath, parseConfig, MAX_SHOWN } from '../../src/config/index.js';

/** The message of the ConfigError that parsing `raw` raises. */
function problem(schema: z.ZodType, raw: unknown, origin: Parameters<typeof parseConfig>[2] = 'c.yaml'): string {
  try {
    parseConfig(schema, raw, origin);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail('expected the config to be rejected');
}

test('paths: dots, list indices in brackets (nested too), odd keys quoted', () => {
  assert.equal(formatPath([]), '');
  assert.equal(formatPath(['model', 'hidden', 1]), 'model.hidden[1]');
  assert.equal(formatPath(['grid', 0, 2, 'lr']), 'grid[0][2].lr');
  assert.equal(formatPath(['tasks', 'my task', 'kind']), 'tasks["my task"].kind');
  assert.equal(formatPath(['tasks', 'a.b']), 'tasks["a.b"]');
  assert.equal(formatPath(['tasks', '0']), 'tasks["0"]');
  assert.equal(formatPath(['fashion-mnist', 'dir_2']), 'fashion-mnist.dir_2');
  const s = z.strictObject({
    runs: z.array(z.array(z.strictObject({ lr: z.number() }))),
    tasks: z.record(z.string(), z.strictObject({ n: z.int() })),
  });
  assert.equal(
    problem(s, { runs: [[], [{ lr: 1 }, { lr: 'x' }]], tasks: {} }),
    'c.yaml: runs[1][1].lr: found "x" (a string), expected a number',
  );
  assert.equal(
    problem(s, { runs: [], tasks: { 'my task': { n: 1.5 } } }),
    'c.yaml: tasks["my task"].n: found 1.5, expected an integer',
  );
});

test('wrong types show the found value, bounded in length', () => {
  const s = z.strictObject({
    n: z.number().int().min(1),
    name: z.string(),
    flag: z.boolean(),
    list: z.array(z.number()),
  });
  assert.equal(
    problem(s, { n: 'three', name: 'a', flag: true, list: [] }),
    'c.yaml: n: found "three" (a string), expected an integer',
  );
  assert.equal(problem(s, { n: 0, name: 'a', flag: true, list: [] }), 'c.yaml: n: found 0, expected a number >= 1');
  assert.equal(problem(s, { n: 1, name: 5, flag: true, list: [] }), 'c.yaml: name: found 5, expected a string');
  assert.equal(
    problem(s, { n: 1, name: 'a', flag: 'yes', list: [] }),
    'c.yaml: flag: found "yes" (a string), expected true or false',
  );
  assert.equal(
    problem(s, { n: 1, name: 'a', flag: true, list: { a: 1, b: 2 } }),
    'c.yaml: list: found a mapping with keys a, b, expected a list',
  );
  const long = problem(s, { n: 'x'.repeat(500), name: 'a', flag: true, list: [] });
  assert.ok(long.length < 120, long);
  assert.match(long, new RegExp(`^c\\.yaml: n: found "x{${MAX_SHOWN}}…" \\(a string\\), expected an integer$`));
  assert.equal(describeValue(Array.from({ length: 100 }, (_, i) => i)), 'a list of 100 items');
  assert.equal(describeValue([1, 'a', null]), '[1, "a", null]');
  assert.equal(describeValue({}), 'an empty mapping');
  assert.equal(
    describeValue({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 }),
    'a mapping with keys a, b, c, d, e and 2 more',
  );
});

test('missing fields say so and what was expected', () => {
  const s = z.strictObject({ data: z.strictObject({ file: z.string(), label: z.string() }) });
  assert.equal(problem(s, { data: { label: 'y' } }), 'c.yaml: data.file: missing, expected a string');
  assert.equal(problem(s, {}), 'c.yaml: data: missing, expected a mapping');
});

test('unions: the values of a discriminator, the kinds of the members, or the allowed forms', () => {
  const tagged = z.strictObject({
    model: z.discriminatedUnion('arch', [
      z.strictObject({ arch: z.literal('mlp') }),
      z.strictObject({ arch: z.literal('cnn'), channels: z.number() }),
    ]),
  });
  assert.equal(
    problem(tagged, { model: { arch: 'rnn' } }),
    'c.yaml: model.arch: found "rnn" (a string), expected one of "mlp", "cnn"',
  );
  const either = z.strictObject({ hidden: z.union([z.number(), z.array(z.number())]) });
  assert.equal(
    problem(either, { hidden: 'wide' }),
    'c.yaml: hidden: found "wide" (a string), expected a number or a list',
  );
  const forms = z.strictObject({ size: z.union([z.number().min(1), z.strictObject({ w: z.number() })]) });
  assert.equal(problem(forms, { size: true }), 'c.yaml: size: found true, expected a number or a mapping');
  assert.equal(
    problem(forms, { size: { w: 'x' } }),
    'c.yaml: size: found a mapping with keys w, expected one of the allowed forms',
  );
  const choice = z.strictObject({ name: z.enum(['adam', 'sgd']) });
  assert.equal(
    problem(choice, { name: 'adamax' }),
    'c.yaml: name: found "adamax" (a string), expected one of "adam", "sgd"',
  );
});

test('unknown keys: "did you mean" when a known key is close, the allowed keys otherwise', () => {
  const s = z.strictObject({
    epochs: z.number().optional(),
    batchSize: z.number().optional(),
    training: z.strictObject({ lr: z.number().optional(), momentum: z.number().optional() }).optional(),
  });
  assert.equal(problem(s, { epoch: 3 }), 'c.yaml: unknown key "epoch"; did you mean "epochs"?');
  assert.equal(problem(s, { batchsize: 3 }), 'c.yaml: unknown key "batchsize"; did you mean "batchSize"?');
  assert.equal(
    problem(s, { training: { momentun: 0.9 } }),
    'c.yaml: training: unknown key "momentun"; did you mean "momentum"?',
  );
  assert.equal(problem(s, { colour: 'red' }), 'c.yaml: unknown key "colour"; allowed: epochs, batchSize, training');
  assert.equal(problem(s, { training: { gamma: 1 } }), 'c.yaml: training: unknown key "gamma"; allowed: lr, momentum');
  const two = problem(s, { epoch: 1, colour: 2 });
  assert.equal(
    two,
    'c.yaml: unknown key "epoch"; did you mean "epochs"?; c.yaml: unknown key "colour"; allowed: epochs, batchSize, training',
  );
});

test('custom checks, formats and record keys say what is expected', () => {
  const s = z.strictObject({
    sizes: z
      .array(z.number())
      .refine((v) => v.every((x, i) => i === 0 || x > v[i - 1]!), 'strictly increasing sizes')
      .optional(),
    task: z
      .string()
      .regex(/^[a-z]+$/)
      .optional(),
    tasks: z.record(z.string().regex(/^[a-z]+$/, 'a lower-case name'), z.number()).optional(),
  });
  assert.equal(problem(s, { sizes: [100, 50] }), 'c.yaml: sizes: found [100, 50], expected strictly increasing sizes');
  assert.equal(problem(s, { task: 'a b' }), 'c.yaml: task: found "a b" (a string), expected text matching /^[a-z]+$/');
  assert.equal(
    problem(s, { tasks: { 'bad.name': 1 } }),
    'c.yaml: tasks["bad.name"]: found the key "bad.name", expected a lower-case name',
  );
});

test('a problem in a key set by a flag names the flag; several problems stay on one line, beyond three counted', () => {
  const s = z.strictObject({
    a: z.number(),
    b: z.number(),
    c: z.number(),
    d: z.number(),
    m: z.strictObject({ k: z.number() }).optional(),
  });
  const overrides = [
    { path: 'a', source: '--a' },
    { path: 'm', source: '--set m' },
  ];
  assert.equal(
    problem(s, { a: 'x', b: 1, c: 1, d: 1, m: { k: 1, kk: 1 } }, { file: 'f.yaml', overrides }),
    '--a: a: found "x" (a string), expected a number; --set m: m: unknown key "kk"; did you mean "k"?',
  );
  assert.equal(
    problem(s, {}, { file: 'f.yaml' }),
    'f.yaml: a: missing, expected a number; f.yaml: b: missing, expected a number; f.yaml: c: missing, expected a number (and 1 more)',
  );
  assert.equal(problem(s, { a: 1, b: 1, c: 1, d: 'x' }, {}), 'config: d: found "x" (a string), expected a number');
  try {
    parseConfig(s, {}, 'f.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.file, 'f.yaml');
    assert.deepEqual(
      err.problems.map((p) => p.path),
      [['a'], ['b'], ['c'], ['d']],
    );
  }
});

test('hand-made problems read the same', () => {
  assert.equal(
    new ConfigError('t.yaml', ['tasks', 'a', 'columns', 1], '"wide"', 'a column of labels.csv').message,
    't.yaml: tasks.a.columns[1]: found "wide", expected a column of labels.csv',
  );
});
