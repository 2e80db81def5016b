/**
 * Multi-label scenes: labels are exactly the classes placed, the hidden fraction is exact, the
 * layouts, determinism, option checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSet } from '../../src/data/index.js';
import { loadScenes, makeScenes, objectTaskName, sceneTasks } from '../../src/multitask/index.js';
import { plain } from '../helpers/plain.js';

/** Class c's images are constant (c + 1)/10, so pixel values on a canvas name the classes drawn. */
function classSet(perClass: number): ImageSet {
  const n = 10 * perClass;
  const images = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    images.fill((labels[i]! + 1) / 10, i * 784, (i + 1) * 784);
  }
  return {
    images,
    labels,
    n,
    height: 28,
    width: 28,
    classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
  };
}

test('each label says whether an item of its class is in the scene', () => {
  const classes = [2, 5, 7];
  const ds = makeScenes(classSet(3), {
    n: 120,
    seed: 4,
    classes,
    objectSize: 6,
    canvas: 28,
    minObjects: 0,
    maxObjects: 3,
  });
  assert.deepEqual(ds.tasks, ['has_two', 'has_five', 'has_seven']);
  const { x, y } = ds.batch(Array.from({ length: 120 }, (_, i) => i));
  let positives = 0;
  for (let i = 0; i < 120; i++) {
    const seen = new Set<number>();
    for (const v of x.data.subarray(i * 784, (i + 1) * 784)) if (v > 0) seen.add(Math.round(v * 10) - 1);
    classes.forEach((c, k) => {
      const label = y[ds.tasks[k]!]!.data[i]!;
      assert.equal(label, seen.has(c) ? 1 : 0, `scene ${i}, class ${c}`);
      positives += label;
    });
    assert.ok(
      [...seen].every((c) => classes.includes(c)),
      'only object classes are drawn',
    );
  }
  assert.ok(positives > 60 && positives < 300, `a mix of present and absent objects (${positives} positives)`);
});

test('exactly the chosen fraction of labels is hidden as NaN, spread over tasks', () => {
  const ds = makeScenes(classSet(2), { n: 200, seed: 1, missing: 0.3 });
  let hidden = 0;
  for (const t of ds.tasks) {
    const frac = ds.presentFraction(t);
    assert.ok(frac > 0.6 && frac < 0.8, `${t}: ${frac} present`);
    hidden += Math.round((1 - frac) * 200);
  }
  assert.equal(hidden, Math.round(0.3 * 800));
  const ml = makeScenes(classSet(2), { n: 200, seed: 1, missing: 0.3, layout: 'multilabel' });
  assert.deepEqual(ml.tasks, ['objects']);
  assert.deepEqual([...ml.labelShape('objects')], [4]);
  assert.ok(Math.abs(ml.presentFraction('objects') - 0.7) < 1e-12);
  // a scene counts as labelled while any of its four labels is left
  const rows = ml.batch([...Array(200).keys()]).y['objects']!.data;
  const allHidden = [...Array(200).keys()].filter((i) =>
    [0, 1, 2, 3].every((k) => Number.isNaN(rows[4 * i + k]!)),
  ).length;
  assert.equal(ml.labelledCount('objects'), 200 - allHidden);
});

test('scenes are deterministic given the seed', () => {
  const a = makeScenes(classSet(2), { n: 30, seed: 9, missing: 0.2 });
  const b = makeScenes(classSet(2), { n: 30, seed: 9, missing: 0.2 });
  const c = makeScenes(classSet(2), { n: 30, seed: 10, missing: 0.2 });
  assert.deepEqual(a.features, b.features);
  assert.deepEqual(a.batch([0, 1, 2]).y, b.batch([0, 1, 2]).y);
  assert.notDeepEqual(a.features, c.features);
});

test('task names and kinds', () => {
  assert.equal(objectTaskName('T-shirt/top'), 'has_t_shirt_top');
  assert.equal(objectTaskName('7'), 'has_7');
  const per = sceneTasks(['0', '1']);
  assert.deepEqual(
    per.map((t) => [t.name, t.kind, t.outputs]),
    [
      ['has_0', 'binary', 1],
      ['has_1', 'binary', 1],
    ],
  );
  assert.deepEqual(plain(per[0]!.directions), { binaryAccuracy: true, averagePrecision: true });
  const ml = sceneTasks(['0', '1', '2'], 'multilabel');
  assert.deepEqual([ml[0]!.name, ml[0]!.kind, ml[0]!.outputs], ['objects', 'multilabel', 3]);
});

test('loadScenes keeps test labels whole unless asked, and checks its options', () => {
  const s = loadScenes({ train: 30, test: 20, missing: 0.5 })!;
  assert.equal(s.name, 'scene');
  assert.ok(s.train.presentFraction('has_0') < 0.9);
  assert.equal(s.test.presentFraction('has_0'), 1);
  assert.throws(() => makeScenes(classSet(1), { n: 5, missing: 1 }), /missing must be a fraction in \[0, 1\)/);
  assert.throws(() => makeScenes(classSet(1), { n: 5, classes: [3, 3] }), /distinct/);
  assert.throws(() => makeScenes(classSet(1), { n: 5, objectSize: 40 }), /objectSize/);
});
