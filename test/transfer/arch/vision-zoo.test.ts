/**
 * The zoo's vision models and the pretrained backbone as trunks of the architecture registry:
 * reference (torchvision) names under `trunk.`, torchvision-named weights loading into the trunk,
 * and `train --arch` through the real CLI (then `predict` rebuilding the model from its checkpoint).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { saveSafetensors } from '../../../src/io/safetensors.js';
import { loadPretrained } from '../../../src/models/pretrained/index.js';
import { mobilenetV2, resnet18 } from '../../../src/models/zoo/index.js';
import { noGrad, randn, rand } from '../../../src/tensor/index.js';
import { buildModel } from '../../../src/transfer/arch/registry.js';
import { loadTrunkWeights } from '../../../src/transfer/arch/trunk-weights.js';
import { polytask, withTempDir } from '../../cli/helpers.js';
import { writeColourFolder } from '../../data/image-folder/fixtures.js';

const tasks = [{ name: 'y', classes: 3 }];
const image = { inChannels: 3, height: 32, width: 32 };

test('each vision arch builds a trunk with its reference names and a head over its features', () => {
  for (const [arch, extra, reference] of [
    ['resnet18', {}, () => resnet18()],
    ['mobilenet_v2', { widthMult: 0.5 }, () => mobilenetV2({ widthMult: 0.5 })],
    ['mobilenet_v3_small', {}, null],
    ['vit', { patchSize: 8, numLayers: 2, numHeads: 2, hiddenDim: 32, mlpDim: 64 }, null],
  ] as const) {
    const model = buildModel({ arch, config: { ...image, ...extra }, tasks });
    model.eval();
    const out = noGrad(() => model.run(randn([2, 3, 32, 32])).outputs.y!);
    assert.deepEqual(out.shape, [2, 3], arch);
    if (reference !== null) {
      const ref = Object.keys(reference().stateDict()).filter((k) => !/^(fc|classifier)\./.test(k));
      const trunk = Object.keys(model.stateDict())
        .filter((k) => k.startsWith('trunk.'))
        .map((k) => k.slice('trunk.'.length));
      assert.deepEqual(trunk, ref, `${arch}: the trunk's names are the reference's, classifier left out`);
    }
  }
});

test('torchvision-named weights load into the trunk; the classifier is left out; a wrong file is refused', () =>
  withTempDir((dir) => {
    const ref = resnet18();
    const file = join(dir, 'resnet18.safetensors');
    saveSafetensors(file, ref.stateDict());
    const model = buildModel({ arch: 'resnet18', config: image, tasks });
    const { loaded, ignored } = loadTrunkWeights(model, file);
    assert.deepEqual(ignored.sort(), ['fc.bias', 'fc.weight']);
    assert.equal(loaded, Object.keys(ref.stateDict()).length - 2);
    assert.deepEqual(
      Array.from(model.stateDict()['trunk.layer3.1.conv2.weight']!.data),
      Array.from(ref.stateDict()['layer3.1.conv2.weight']!.data),
    );
    const other = join(dir, 'mobilenet.safetensors');
    saveSafetensors(other, mobilenetV2().stateDict());
    assert.throws(
      () => loadTrunkWeights(buildModel({ arch: 'resnet18', config: image, tasks }), other),
      /mobilenet\.safetensors: \d+ of the trunk's weights are not in the file \(first: conv1\.weight\)/,
    );
    const grey = join(dir, 'grey.safetensors');
    saveSafetensors(grey, resnet18({ inChannels: 1 }).stateDict());
    assert.throws(
      () => loadTrunkWeights(model, grey),
      /conv1\.weight has shape \[64, 1, 7, 7\], the model's is \[64, 3, 7, 7\]/,
    );
  }));

test('the pretrained arch is the package backbone under a new head', () => {
  const model = buildModel({ arch: 'pretrained', config: { name: 'nsfw-mobilenet-v2', height: 32, width: 32 }, tasks });
  model.eval();
  const x = rand([2, 3, 32, 32]);
  const backbone = loadPretrained('nsfw-mobilenet-v2').module;
  backbone.eval();
  const features = noGrad(() => backbone.forward(x));
  const ours = noGrad(() => model.trunk.forward(x));
  assert.deepEqual(Array.from(ours.data), Array.from(features.data));
  assert.throws(
    () =>
      buildModel({
        arch: 'pretrained',
        config: { name: 'nsfw-mobilenet-v2', inChannels: 1, height: 32, width: 32 },
        tasks,
      }),
    /RGB images: set data\.channels: 3/,
  );
});

test('train --arch pretrained and --arch resnet18 --weights through the CLI; predict rebuilds the model', () =>
  withTempDir(async (dir) => {
    const data = join(dir, 'data');
    await writeColourFolder(data, { blue: [40, 40, 220], green: [40, 200, 40], red: [220, 40, 40] }, 6, { size: 32 });
    const runs = join(dir, 'runs');
    const common = [
      '--set',
      'data.source=images',
      '--set',
      `data.dir=${data}`,
      '--set',
      'data.size=32',
      '--set',
      'data.channels=3',
    ];
    const pre = await polytask(
      ['train', ...common, '--arch', 'pretrained', '--epochs', '1', '--batch-size', '6', '--no-report', '--json'],
      { runsDir: runs },
    );
    assert.equal(pre.code, 0, pre.stderr);
    const run = (JSON.parse(pre.stdout) as { run: string }).run;
    const predicted = await polytask(['predict', run, '-i', join(data, 'red'), '--json'], { runsDir: runs });
    assert.equal(predicted.code, 0, predicted.stderr);
    assert.match(predicted.stdout, /"(red|green|blue)"/);
    // a torchvision file of the wrong width is refused before any run directory exists
    const grey = join(dir, 'grey.safetensors');
    saveSafetensors(grey, resnet18({ inChannels: 1 }).stateDict());
    const bad = await polytask(
      ['train', ...common, '--arch', 'resnet18', '--weights', grey, '--epochs', '1', '--no-report'],
      {
        runsDir: join(dir, 'runs2'),
      },
    );
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /grey\.safetensors: conv1\.weight has shape \[64, 1, 7, 7\]/);
  }));
