/**
 * The user's own end-to-end case through the real `polytask study e2e --case`: the JS module of
 * examples/e2e-case.mjs (a digit → its parity: a digit classifier and a hand-written parity rule
 * against an end-to-end parity model) and the YAML case of examples/e2e-case.yaml give results of
 * the same shape as a built-in case, with their headline numbers checked; malformed cases end in
 * one line naming the file and what is wrong, a non-zero exit, and no run directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { polytask, withTempDir, type Ran } from './helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ENDTOEND = new URL('../../src/endtoend/index.js', import.meta.url).href;

const TINY = [
  '--sizes',
  '20,40,80,160',
  '--seeds',
  '1',
  '--set',
  'testExamples=200',
  '--set',
  'bootstrap=10',
  '--set',
  'training.lr=0.01',
  '--set',
  'training.maxSteps=60',
  '--set',
  'training.minSteps=30',
  '--set',
  'hidden=16',
  '--no-report',
  '-q',
  '--json',
];

interface Entry {
  size: number;
  mean: number;
  n: number;
  values: number[];
}
interface Result {
  case: string;
  description: string;
  metric: string;
  sizes: number[];
  seeds: number;
  subtaskExamples: number;
  testExamples: number;
  curves: { pipeline: Entry[]; endToEnd: Entry[]; hybrid?: Entry[] };
  fits: Record<string, { status: string }>;
  crossover: { status: string };
  verdict: { outcome: string; checks: unknown[] };
  advice: string;
}

function resultOf(r: Ran): Result {
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { result: Result }).result;
}

/** The keys of a result, two levels down (the config: its own keys only, as given): what "the same shape" compares. */
function shapeOf(r: Result): string[] {
  return Object.entries(r)
    .flatMap(([k, v]) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && k !== 'config'
        ? Object.keys(v).map((c) => `${k}.${c}`)
        : [k],
    )
    .sort();
}

/** What every case's result holds, checked on a built-in one and on the user's. */
function checkHeadline(r: Result, name: string): void {
  assert.equal(r.case, name);
  assert.equal(r.metric, 'error rate');
  assert.deepEqual(r.sizes, [20, 40, 80, 160]);
  assert.equal(r.seeds, 1);
  for (const approach of ['pipeline', 'endToEnd', 'hybrid'] as const) {
    const curve = r.curves[approach]!;
    assert.deepEqual(
      curve.map((e) => e.size),
      r.sizes,
    );
    for (const e of curve) {
      assert.equal(e.n, 1);
      assert.ok(e.mean >= 0 && e.mean <= 1, `${approach} ${e.mean}`);
    }
  }
  // the pipeline never sees (x, y) pairs: one error, at every size
  assert.equal(new Set(r.curves.pipeline.map((e) => e.mean)).size, 1);
  assert.equal(r.fits.pipeline!.status, 'constant');
  assert.ok(['ok', 'too-few-points', 'not-decreasing', 'failed'].includes(r.fits.endToEnd!.status));
  assert.ok(['pipeline', 'end-to-end', 'hybrid', 'inconclusive'].includes(r.verdict.outcome));
  assert.match(r.advice, /^With 160 \(x, y\) examples: pipeline /);
}

test('a JS module case runs as a built-in one does: same result shape, its own headline numbers', () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const mine = resultOf(
      await polytask(['study', 'e2e', '--case', join(REPO, 'examples/e2e-case.mjs'), ...TINY], { runsDir }),
    );
    checkHeadline(mine, 'digit-parity');
    assert.equal(mine.description, 'a handwritten digit → whether it is odd');
    assert.equal(mine.subtaskExamples, 300);
    assert.equal(mine.testExamples, 200);
    // a digit classifier on 300 labelled digits and the parity rule beat an end-to-end model on 20 pairs
    const pipeline = mine.curves.pipeline[0]!.mean;
    assert.ok(pipeline < 0.2, `pipeline error ${pipeline}`);
    assert.ok(mine.curves.endToEnd[0]!.mean > pipeline, JSON.stringify(mine.curves.endToEnd));

    const builtin = resultOf(
      await polytask(['study', 'e2e', '--case', 'digit-sum', ...TINY, '--set', 'subtaskExamples=100'], { runsDir }),
    );
    checkHeadline(builtin, 'digit-sum');
    assert.deepEqual(shapeOf(mine), shapeOf(builtin));
  }));

test('a YAML case (a data: source, a learned stage, a rule from a JS module) runs from the repository', async () => {
  await withTempDir(async (dir) => {
    const r = resultOf(
      await polytask(['study', 'e2e', '--case', 'examples/e2e-case.yaml', ...TINY], {
        runsDir: join(dir, 'runs'),
        cwd: REPO,
      }),
    );
    checkHeadline(r, 'quadrant-diagonal');
    assert.equal(r.description, 'a point (x1, x2) → whether x1 and x2 have opposite signs');
    assert.equal(r.subtaskExamples, 200);
    // the quadrant classifier and the rule: nearly no mistakes on well separated quadrants
    assert.ok(r.curves.pipeline[0]!.mean < 0.1, JSON.stringify(r.curves.pipeline));
  });
});

/** A JS case module: the parity case with `change` applied to the object literal's source. */
function jsCase(change: (body: string) => string): string {
  const body = `{
  name: 'bad-case',
  input: DIGIT,
  output: PARITY,
  pools: (seed) => digitPools(loadMnist(), { seed }),
  examples: (pools, part, n, seed) => digitSample(pools[part], Math.min(n, pools[part].n), seed),
  pipeline: (hidden) => new Pipeline([
    learnedStage({ name: 'c', input: DIGIT, output: PARITY, create: () => mlp(784, hidden, 2) }),
  ]),
  subtaskData: (pools, n, seed) => ({ c: digitSample(pools.train, n, seed) }),
  endToEnd: (hidden) => new EndToEndModel(mlp(784, hidden, 2), PARITY),
}`;
  return `import { Pipeline, EndToEndModel, digitPools, digitSample, learnedStage, loadMnist, mlp } from '${ENDTOEND}';
const DIGIT = { kind: 'image', shape: [1, 28, 28] };
const PARITY = { kind: 'classes', n: 2 };
${change(`export default ${body};`)}
`;
}

const goodYaml = (dir: string, change: (text: string) => string = (t) => t): string => {
  writeFileSync(join(dir, 'rules.mjs'), `export const keep = (p) => p;\n`);
  writeFileSync(join(dir, 'xy.csv'), 'a,b,y\n0,0,0\n1,1,1\n0,1,0\n1,0,1\n0,0,0\n1,1,1\n0,1,0\n1,0,1\n0,0,0\n1,1,1\n');
  writeFileSync(join(dir, 'three.csv'), 'a,b,c,y\n0,0,0,0\n1,1,1,1\n0,1,0,0\n1,0,1,1\n0,0,1,0\n1,1,0,1\n');
  return change(
    [
      'name: bad-yaml',
      `data: { source: csv, file: ${join(dir, 'xy.csv')}, label: y }`,
      'stages:',
      `  - { name: classify, data: { source: csv, file: ${join(dir, 'xy.csv')}, label: y } }`,
      '  - { name: keep, rule: { module: rules.mjs, export: keep, output: { kind: classes, n: 2 } } }',
    ].join('\n'),
  );
};

interface Bad {
  name: string;
  file: string;
  text: (dir: string) => string;
  pattern: RegExp;
}

const BAD: Bad[] = [
  {
    name: 'a member missing',
    file: 'case.mjs',
    text: () => jsCase((s) => s.replace(/ {2}pipeline: [\s\S]*?\]\),\n/, '')),
    pattern: /case\.mjs: case\.pipeline: expected a function \(hidden\) => Pipeline, found nothing$/,
  },
  {
    name: 'a misspelt member',
    file: 'case.mjs',
    text: () => jsCase((s) => s.replace('endToEnd:', 'endToend:')),
    pattern: /case\.mjs: case: unknown key "endToend"; did you mean "endToEnd"\?$/,
  },
  {
    name: 'no case exported',
    file: 'case.mjs',
    text: () => jsCase((s) => s.replace('export default', 'const unused =')),
    pattern: /case\.mjs: exports no case: expected a default export .* or an export named "case"/,
  },
  {
    name: 'a module that throws when loaded',
    file: 'case.mjs',
    text: () => jsCase((s) => `throw new Error('boom');\n${s}`),
    pattern: /case\.mjs: cannot be loaded as a JS module \(boom\)$/,
  },
  {
    name: 'a wrong value type',
    file: 'case.mjs',
    text: () => jsCase((s) => s.replace('output: PARITY,', "output: { kind: 'classes', n: 1 },")),
    pattern: /case\.mjs: case\.output: n: expected an integer of at least 2, found 1$/,
  },
  {
    name: 'a pipeline whose output is not the case output',
    file: 'case.mjs',
    text: () => jsCase((s) => s.replace('output: PARITY,\n', "output: { kind: 'classes', n: 3 },\n")),
    pattern:
      /case\.mjs: case\.pipeline\(hidden\): the pipeline takes image \[1,28,28\] and gives classes \(2\), but the case's input is image \[1,28,28\] and its output classes \(3\)$/,
  },
  {
    name: 'examples of the wrong shape',
    file: 'case.mjs',
    text: () =>
      jsCase((s) =>
        s
          .replace('input: DIGIT,', "input: { kind: 'image', shape: [1, 28, 56] },")
          .replace(
            /input: DIGIT, output: PARITY, create: \(\) => mlp\(784/,
            "input: { kind: 'image', shape: [1, 28, 56] }, output: PARITY, create: () => mlp(1568",
          ),
      ),
    pattern:
      /case\.mjs: case\.examples\(pools, 'train', 1, seed\): its examples have shape \[1,28,28\], but image \[1,28,56\] needs \[1,28,56\] \(the case's input\)$/,
  },
  {
    name: 'a YAML case with a misspelt key',
    file: 'case.yaml',
    text: (dir) => goodYaml(dir, (t) => t.replace('stages:', 'stage:')),
    pattern: /case\.yaml: .*unknown key "stage"; did you mean "stages"\?/,
  },
  {
    name: 'a YAML stage both learned and a rule',
    file: 'case.yaml',
    text: (dir) =>
      goodYaml(dir, (t) => t.replace('{ name: keep, rule:', `{ name: keep, data: { source: mnist }, rule:`)),
    pattern: /case\.yaml: stages\[1\]: .*a stage with `data` \(learned\) or `rule` \(hand-written\), not both/,
  },
  {
    name: 'a hybrid through a rule not marked differentiable',
    file: 'case.yaml',
    text: (dir) => goodYaml(dir),
    pattern:
      /case 'bad-yaml': no hybrid: stage 'keep' is not differentiable, .* \(set hybrid: false, or mark the rule differentiable\)$/,
  },
  {
    name: 'a rule module without the export',
    file: 'case.yaml',
    text: (dir) => goodYaml(dir, (t) => t.replace('export: keep', 'export: kept')),
    pattern: /case\.yaml: stages\[1\] 'keep': rule\.module .*rules\.mjs has no function export 'kept'$/,
  },
  {
    name: 'sub-task data of the wrong shape',
    file: 'case.yaml',
    text: (dir) =>
      goodYaml(dir, (t) =>
        t.replace(/(name: classify, data: \{ source: csv, file: )[^,]*xy\.csv/, `$1${join(dir, 'three.csv')}`),
      ),
    pattern:
      /case\.yaml: stages\[0\] 'classify': its data has examples of shape \[3\], but the stage takes \[2\] \(what the stage before it gives\)$/,
  },
  {
    name: 'a missing case file',
    file: 'absent.yaml',
    text: () => '',
    pattern: /nothing\.yaml: no such case file$/,
  },
];

test('malformed cases: one line naming the file and what is wrong, a non-zero exit, no run directory', () =>
  withTempDir(async (dir) => {
    for (const [i, c] of BAD.entries()) {
      const caseDir = join(dir, `c${i}`);
      const runsDir = join(caseDir, 'runs');
      mkdirSync(caseDir);
      const file = join(caseDir, c.file === 'absent.yaml' ? 'nothing.yaml' : c.file);
      if (c.file !== 'absent.yaml') writeFileSync(file, c.text(caseDir));
      const r = await polytask(['study', 'e2e', '--case', file, ...TINY], { runsDir, cwd: caseDir });
      assert.notEqual(r.code, 0, c.name);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${c.name}: ${r.stderr}`);
      assert.match(lines[0]!, /^polytask: /, c.name);
      assert.match(lines[0]!, c.pattern, c.name);
      const runs = existsSync(runsDir) ? readdirSync(runsDir).filter((n) => n.includes('study-e2e')) : [];
      assert.deepEqual(runs, [], c.name);
    }
    const notACase = await polytask(['study', 'e2e', '--case', 'digit-product', ...TINY], {
      runsDir: join(dir, 'runs'),
    });
    assert.equal(notACase.code, 2);
    assert.match(
      notACase.stderr.trim(),
      /case: found "digit-product" .*expected a built-in case \(digit-sum, read-number, spoken-digits\) or a case file/,
    );
    assert.equal(
      existsSync(join(dir, 'runs')) ? readdirSync(join(dir, 'runs')).filter((n) => n.includes('study')).length : 0,
      0,
    );
  }));
