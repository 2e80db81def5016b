/**
 * `--arch` and `--weights` of `polytask study mtl` and `polytask study e2e`: a zoo network as the
 * multi-task study's shared trunk and as the end-to-end study's networks (its end-to-end model and
 * its image stages), through the real CLI on tiny budgets (a MobileNet at width 0.25 on 28×28
 * digits: seconds). The records name the arch, the parameter counts they report are those of the
 * zoo model's own parameters (named as torchvision names them) plus the heads, given weights load
 * by those names, and a bad arch, one that cannot take the images, or a weights file of another
 * model is refused in one line before any run directory exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { polytask, withTempDir } from './helpers.js';
import { manualSeed } from '../../src/core/rng.js';
import { saveSafetensors } from '../../src/io/safetensors.js';
import { mobilenetV2, mobilenetV3Small } from '../../src/models/zoo/index.js';
import { parseStudyConfig } from '../../src/multitask/study/config.js';
import { loadStudyData } from '../../src/multitask/study/data.js';
import { studyModel } from '../../src/multitask/study/run-one.js';
import { parseE2eConfig } from '../../src/endtoend/config.js';
import { e2eCase } from '../../src/endtoend/study-load.js';
import { zooNetwork } from '../../src/endtoend/models.js';
import { Module, type AnyModule } from '../../src/nn/index.js';

const MTL = [
  'study',
  'mtl',
  '--train',
  '64',
  '--epochs',
  '1',
  '--methods',
  'ew',
  '--seeds',
  '0',
  '--set',
  'test=32',
  '--set',
  'validation=0',
  '--set',
  'affinity.every=0',
  '--no-report',
  '-q',
];
const E2E = [
  'study',
  'e2e',
  '--sizes',
  '16,32',
  '--seeds',
  '1',
  '--set',
  'testExamples=32',
  '--set',
  'subtaskExamples=32',
  '--set',
  'hybrid=false',
  '--set',
  'bootstrap=0',
  '--set',
  'training.validation=false',
  '--set',
  'training.minSteps=2',
  '--set',
  'training.maxSteps=2',
  '--no-report',
  '-q',
];

/** The sub-run records of the one run under `runs`. */
function records(runs: string, study: string): { id: string; result: { arch?: string; params?: number } }[] {
  const [dir] = readdirSync(runs).filter((d) => d.includes(`study-${study}`));
  const at = join(runs, dir!, 'subruns', study);
  return readdirSync(at).map((f) => JSON.parse(readFileSync(join(at, f), 'utf8')) as never);
}

const runDirs = (runs: string): string[] =>
  existsSync(runs) ? readdirSync(runs).filter((d) => d.includes('study')) : [];

/** The names of a zoo model's parameters and buffers, its classifier's left out. */
const names = (m: AnyModule, classifier: string): string[] =>
  Object.keys(m.stateDict()).filter((k) => !k.startsWith(`${classifier}.`));

test('study mtl --arch mobilenet_v2: the shared trunk is the zoo model, named as torchvision names it; the records say so', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const r = await polytask([...MTL, '--arch', 'mobilenet_v2', '--set', 'trunk.widthMult=0.25'], { runsDir: runs });
    assert.equal(r.code, 0, r.stderr);
    const c = parseStudyConfig({ train: 64, test: 32, trunk: { arch: 'mobilenet_v2', widthMult: 0.25 } });
    const data = await loadStudyData(c);
    const model = studyModel(data, data.tasks, c.trunk.width, c.trunk);
    const zoo = mobilenetV2({ inChannels: 1, widthMult: 0.25 });
    const trunk = Object.keys(model.stateDict()).filter((k) => k.startsWith('trunk.'));
    assert.deepEqual(
      trunk,
      names(zoo, 'classifier').map((k) => `trunk.${k}`),
    );
    const recs = records(runs, 'mtl');
    assert.equal(recs.length, 3); // single:left, single:right, ew
    for (const rec of recs) assert.equal(rec.result.arch, 'mobilenet_v2', rec.id);
    // the multi-task run: the zoo trunk's parameters plus a 1280 → 10 head per task
    const trunkParams = zoo.numParameters() - zoo.classifier.numParameters();
    assert.equal(recs.find((x) => x.id === 'ew-seed0')!.result.params, trunkParams + 2 * (1280 * 10 + 10));
  }));

test('study mtl --weights: the trunk starts from the file by its reference names; a file of another model is refused before a run exists', () =>
  withTempDir(async (dir) => {
    manualSeed(4);
    const ref = mobilenetV2({ inChannels: 1, widthMult: 0.25, numClasses: 7 });
    const file = join(dir, 'mnv2.safetensors');
    saveSafetensors(file, ref.stateDict());
    const c = parseStudyConfig({
      train: 64,
      test: 32,
      trunk: { arch: 'mobilenet_v2', widthMult: 0.25, weights: file },
    });
    const data = await loadStudyData(c);
    const state = studyModel(data, data.tasks, c.trunk.width, c.trunk).stateDict();
    for (const [k, t] of Object.entries(ref.stateDict()))
      if (!k.startsWith('classifier.')) assert.deepEqual(state[`trunk.${k}`]!.data, t.data, k);

    const runs = join(dir, 'runs');
    const other = join(dir, 'v3.safetensors');
    saveSafetensors(other, mobilenetV3Small({ inChannels: 1, widthMult: 0.25 }).stateDict());
    const bad = await polytask(
      [...MTL, '--arch', 'mobilenet_v2', '--set', 'trunk.widthMult=0.25', '--weights', other],
      { runsDir: runs },
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /v3\.safetensors: .*(shape|not in the file)/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.deepEqual(runDirs(runs), []);
  }));

test('study e2e --arch mobilenet_v3_small: the end-to-end model and the digit classifier are the zoo network; the records say so', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const r = await polytask([...E2E, '--arch', 'mobilenet_v3_small', '--set', 'model.widthMult=0.25'], {
      runsDir: runs,
    });
    assert.equal(r.code, 0, r.stderr);
    const recs = records(runs, 'e2e');
    assert.deepEqual(recs.map((x) => x.id).sort(), ['seed0-endToEnd-n16', 'seed0-endToEnd-n32', 'seed0-pipeline']);
    for (const rec of recs) assert.equal(rec.result.arch, 'mobilenet_v3_small', rec.id);

    const c = await e2eCase(parseE2eConfig({ model: { arch: 'mobilenet_v3_small', widthMult: 0.25 } }));
    const zoo = mobilenetV3Small({ inChannels: 1, widthMult: 0.25 });
    const e2e = Object.keys(c.endToEnd(8).stateDict());
    assert.deepEqual(
      e2e.filter((k) => !k.startsWith('net.classifier.')),
      names(zoo, 'classifier').map((k) => `net.${k}`),
    );
    const [stage] = c.pipeline(8).learned();
    const net = stage!.module;
    assert.ok(net instanceof Module);
    assert.deepEqual(
      Object.keys(net.stateDict()).filter((k) => !k.startsWith('classifier.')),
      names(zoo, 'classifier'),
    );
  }));

test('study e2e --weights: the zoo network starts from the file, its classifier sized to the outputs anew', () =>
  withTempDir((dir) => {
    manualSeed(5);
    const ref = mobilenetV3Small({ inChannels: 1, widthMult: 0.25, numClasses: 10 });
    const file = join(dir, 'mnv3.safetensors');
    saveSafetensors(file, ref.stateDict());
    const net = zooNetwork({ arch: 'mobilenet_v3_small', widthMult: 0.25, weights: file })([1, 28, 56], 19);
    const state = net.stateDict();
    for (const [k, t] of Object.entries(ref.stateDict())) {
      if (k === 'classifier.3.weight' || k === 'classifier.3.bias') assert.equal(state[k]!.shape[0], 19);
      else assert.deepEqual(state[k]!.data, t.data, k);
    }
  }));

test("e2e --arch vit on digit-sum's 28×56 pairs: a rectangular ViT, the same names, a position table of (28/4)·(56/4) + 1 rows", async () => {
  const c = await e2eCase(parseE2eConfig({ model: { arch: 'vit', numLayers: 1, hiddenDim: 16, mlpDim: 16 } }));
  const state = c.endToEnd(8).stateDict();
  assert.deepEqual(state['net.encoder.pos_embedding']!.shape, [1, 7 * 14 + 1, 16]);
  assert.deepEqual(state['net.heads.head.weight']!.shape, [19, 16]);
  // the pipeline's digit classifier reads one 28×28 digit
  const [stage] = c.pipeline(8).learned();
  assert.deepEqual(stage!.module.stateDict()['encoder.pos_embedding']!.shape, [1, 7 * 7 + 1, 16]);
});

test('a bad --arch, or one that cannot take the images, is refused in one line before a run directory exists', () =>
  withTempDir(async (dir) => {
    const runs = join(dir, 'runs');
    const cases: [string[], RegExp][] = [
      [[...MTL, '--arch', 'resnet99'], /--arch: trunk\.arch: .*"resnet99".*expected one of.*"resnet18"/],
      [[...E2E, '--arch', 'resnet99'], /--arch: model\.arch: .*"resnet99".*expected one of.*"resnet18"/],
      [
        [...MTL, '--arch', 'vit', '--set', 'trunk.patchSize=8'],
        /trunk: vit: patchSize 8 must divide the image sides 28×28/,
      ],
      [
        [...E2E, '--arch', 'vit', '--set', 'model.patchSize=8'],
        /model: vit: patchSize 8 must divide the image sides 28×56/,
      ],
      [[...MTL, '--set', 'trunk.patchSize=4'], /trunk: patchSize apply to a zoo arch/],
    ];
    for (const [args, message] of cases) {
      const r = await polytask(args, { runsDir: runs });
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.deepEqual(runDirs(runs), []);
  }));
