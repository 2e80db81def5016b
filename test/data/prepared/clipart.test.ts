import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataSchema, loadData } from '../../../src/data/sources/index.js';
import { ensurePrepared, registerPreparable } from '../../../src/data/prepared/index.js';
import {
  buildClipart,
  clipartDataset,
  CLIPART_DEFAULTS,
  CLIPART_VIEWS,
  OPENCLIPART_ROOT,
  withSvgNamespace,
} from '../../../src/data/prepared/clipart.js';
import { scanImageFolder } from '../../../src/data/image-folder/scan.js';
import { loadTaskDescription } from '../../../src/multitask/config/load-task-description.js';

const svg = (i: number, ns = true): string =>
  `<svg ${ns ? 'xmlns="http://www.w3.org/2000/svg" ' : ''}width="8" height="8"><rect width="8" height="${1 + (i % 7)}" fill="#${(i * 40503).toString(16).padStart(6, '0').slice(-6)}"/></svg>`;

/**
 * A tree shaped like the package's: categories alpha (4 direct, sub1 ×3, sub2 ×1: rare), beta
 * (3 direct, sub1 ×2, deep/er ×2: its subcategory is "deep"), delta and epsilon (4 direct each),
 * gamma (1 file: a rare category), unsorted (excluded); plus a link, a duplicate, a refused SVG
 * (external href), one that does not parse and one without the SVG namespace (repaired).
 */
function fixture(): string {
  const root = fs.mkdtempSync(join(tmpdir(), 'polytask-clipart-svg-'));
  let n = 0;
  const put = (rel: string, text = svg(n++)): void => {
    fs.mkdirSync(join(root, rel, '..'), { recursive: true });
    fs.writeFileSync(join(root, rel), text);
  };
  for (let i = 0; i < 4; i++) put(`alpha/a${i}.svg`);
  for (let i = 0; i < 3; i++) put(`alpha/sub1/s${i}.svg`);
  put('alpha/sub2/lonely.svg');
  for (let i = 0; i < 3; i++) put(`beta/b${i}.svg`);
  for (let i = 0; i < 2; i++) put(`beta/sub1/t${i}.svg`);
  put('beta/deep/er/d0.svg');
  put('beta/deep/er/d1 + x.svg', svg(n++, false)); // no namespace: repaired; its name is made safe
  for (let i = 0; i < 4; i++) put(`delta/c${i}.svg`);
  for (let i = 0; i < 4; i++) put(`epsilon/e${i}.svg`);
  put('gamma/g0.svg');
  put('unsorted/u0.svg');
  put('delta/refused.svg', '<svg xmlns="http://www.w3.org/2000/svg"><image href="/etc/x.png"/></svg>');
  put('epsilon/broken.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect');
  put('epsilon/copy.svg', fs.readFileSync(join(root, 'epsilon/e0.svg'), 'utf8'));
  fs.symlinkSync('../alpha/a0.svg', join(root, 'delta/link.svg'));
  return root;
}

const options = (root: string) => ({
  ...CLIPART_DEFAULTS,
  root,
  minCategory: 3,
  minSubcategory: 2,
  hideSubcategory: 0.5,
  testFraction: 0.25,
  targetCategories: ['alpha', 'beta'],
  side: 16,
});

async function withCache<T>(body: (cache: string) => Promise<T>): Promise<T> {
  const cache = fs.mkdtempSync(join(tmpdir(), 'polytask-clipart-cache-'));
  const before = process.env.POLYTASK_CACHE;
  process.env.POLYTASK_CACHE = cache;
  try {
    return await body(cache);
  } finally {
    if (before === undefined) delete process.env.POLYTASK_CACHE;
    else process.env.POLYTASK_CACHE = before;
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

const root = fixture();
registerPreparable(clipartDataset(options(root), 'clipart-fixture'));
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

test('withSvgNamespace adds the SVG namespace (and XLink when used) to a root without one, and only then', () => {
  const plain = withSvgNamespace('<?xml version="1.0"?><svg width="4"><use xlink:href="#a"/></svg>');
  assert.equal(plain.added, true);
  assert.match(plain.text, /^<\?xml version="1.0"\?><svg xmlns="http:\/\/www.w3.org\/2000\/svg" xmlns:xlink=/);
  const fine = '<svg xmlns="http://www.w3.org/2000/svg"/>';
  assert.deepEqual(withSvgNamespace(fine), { text: fine, added: false });
});

test('the clip-art build labels a package-shaped tree: categories, subcategories, drops and the multi-task table', async () => {
  await withCache(async (cache) => {
    const { dir, manifest } = await ensurePrepared('clipart-fixture', { seed: 3 });
    assert.equal(dir, join(cache, 'prepared', 'clipart-fixture'));
    const c = manifest.counts;
    assert.equal(c.links, 1);
    assert.equal(c.duplicates, 1);
    assert.equal(c.excludedCategoryFiles, 1);
    assert.equal(c.refused, 1);
    assert.equal(c.doNotRender, 1);
    assert.equal(c.namespaceAdded, 1);
    assert.equal(c.rareCategoryImages, 1, 'gamma has one drawing');
    assert.equal(c.rareSubcategoryImages, 1, 'alpha.sub2 has one drawing');
    // alpha 8, beta 7, delta 4, epsilon 4 (the refused, broken, copied and linked ones left out)
    assert.equal(c.images, 23);
    assert.equal(c.categories, 4);
    assert.equal(c.withSubcategory, 7, 'alpha.sub1 ×3, beta.sub1 ×2, beta.deep ×2');
    assert.equal(c.subcategoryPartial, 7 - Math.round(7 * 0.5));
    assert.equal(c.test, 2 + 2 + 1 + 1, 'a quarter of each category, rounded');
    assert.deepEqual(Object.keys(manifest.views).sort(), [...CLIPART_VIEWS].sort());
    const dropped = fs.readFileSync(join(dir, 'dropped.csv'), 'utf8');
    assert.match(dropped, /^delta\/refused\.svg,"SVG refers to ""\/etc\/x\.png""/m);
    assert.match(dropped, /^epsilon\/broken\.svg,not a valid SVG/m);
    assert.match(dropped, /^gamma\/g0\.svg,rare category/m);

    const category = await loadData(dataSchema.parse({ source: 'prepared', name: 'clipart-fixture' }), 0);
    assert.deepEqual(category.classNames, ['alpha', 'beta', 'delta', 'epsilon']);
    assert.equal(category.train.length + category.test.length, 23);
    assert.deepEqual(category.train.featureShape, [3, 32, 32]);
    const sub = await loadData(
      dataSchema.parse({ source: 'prepared', name: 'clipart-fixture', view: 'subcategory', options: { size: 8 } }),
      0,
    );
    assert.deepEqual(sub.classNames, ['alpha.sub1', 'beta.deep', 'beta.sub1']);
    assert.deepEqual(sub.train.featureShape, [3, 8, 8]);
    const target = await loadData(
      dataSchema.parse({ source: 'prepared', name: 'clipart-fixture', view: 'transfer-target' }),
      0,
    );
    assert.deepEqual(target.classNames, ['alpha', 'beta']);
    const source = await loadData(
      dataSchema.parse({ source: 'prepared', name: 'clipart-fixture', view: 'transfer-source' }),
      0,
    );
    assert.deepEqual(source.classNames, ['delta', 'epsilon']);

    // multitask.csv follows the category view's order (train, then test) and labels each file by its folders
    const rows = fs
      .readFileSync(join(dir, 'multitask.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((r) => r.split(','));
    assert.deepEqual(rows[0], ['file', 'category', 'subcategory', 'subcategory_partial']);
    const scan = scanImageFolder(join(dir, 'views', 'category'));
    const inOrder = [...scan.train, ...(scan.test ?? [])].map((e) =>
      e.path.slice(join(dir, 'views', 'category').length + 1),
    );
    assert.deepEqual(
      rows.slice(1).map((r) => r[0]),
      inOrder,
    );
    const byFile = new Map(rows.slice(1).map((r) => [r[0]!.split('/').slice(1).join('/'), r]));
    assert.deepEqual(byFile.get('alpha/sub1__s0.png')?.slice(1, 3), ['alpha', 'alpha.sub1']);
    assert.deepEqual(byFile.get('alpha/a0.png')?.slice(1, 3), ['alpha', '']);
    assert.deepEqual(
      byFile.get('alpha/sub2__lonely.png')?.slice(1, 3),
      ['alpha', ''],
      'a rare subcategory is no label',
    );
    assert.deepEqual(byFile.get('beta/deep__er__d1___x.png')?.slice(1, 3), ['beta', 'beta.deep']);
    for (const r of rows.slice(1)) assert.ok(r[3] === '' || r[3] === r[2], 'the partial column only hides labels');
  });
});

test('a task description reads the prepared input and its labels with `prepared:` file references', async () => {
  await withCache(async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'polytask-clipart-tasks-'));
    try {
      const file = join(dir, 'tasks.yaml');
      fs.writeFileSync(
        file,
        [
          'input: { source: prepared, name: clipart-fixture, view: multitask, options: { size: 8 } }',
          'tasks:',
          '  category: { kind: multiclass, targets: { prepared: clipart-fixture, file: multitask.csv, column: category } }',
          '  subcategory: { kind: multiclass, targets: { prepared: clipart-fixture, file: multitask.csv, column: subcategory } }',
          '',
        ].join('\n'),
      );
      const d = await loadTaskDescription(file);
      assert.deepEqual(
        d.tasks.map((t) => [t.name, t.outputs]),
        [
          ['category', 4],
          ['subcategory', 3],
        ],
      );
      const ds = d.sources.shared!;
      assert.equal(ds.length, 23);
      const all = Int32Array.from({ length: ds.length }, (_, i) => i);
      const labels = ds.batch(all).y.subcategory!.toArray() as number[];
      assert.equal(labels.filter((v) => v >= 0).length, 7, 'the others are missing labels');
      assert.ok(d.files.some((f) => f.endsWith('multitask.csv')));

      fs.writeFileSync(
        file,
        'input: { source: prepared, name: clipart-fixture }\ntasks:\n  a: { kind: binary, targets: { prepared: clipart-fixture, file: ../../etc/passwd } }\n',
      );
      await assert.rejects(loadTaskDescription(file), /tasks\.a\.targets\.file.*inside the prepared folder/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const installed = fs.existsSync(OPENCLIPART_ROOT);
test(
  'the build on three real categories of openclipart-svg labels each drawing by its folders',
  { skip: installed ? false : 'the Debian package openclipart-svg is not installed' },
  async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'polytask-clipart-real-'));
    try {
      const built = await buildClipart(
        dir,
        {
          ...CLIPART_DEFAULTS,
          categories: ['buildings', 'education', 'electronics'],
          perCategory: 8,
          minCategory: 4,
          minSubcategory: 2,
        },
        { seed: 0 },
      );
      assert.ok(built.counts.images! >= 12, `${built.counts.images} drawings rendered of 24`);
      const scan = scanImageFolder(join(dir, 'views', 'category'));
      assert.deepEqual(scan.classNames, ['buildings', 'education', 'electronics']);
      const rows = fs.readFileSync(join(dir, 'multitask.csv'), 'utf8').trim().split('\n').slice(1);
      for (const r of rows) {
        const [file, cat, sub] = r.split(',');
        assert.equal(file!.split('/')[1], cat);
        if (sub !== '') assert.ok(sub!.startsWith(`${cat}.`), `${sub} is a subcategory of ${cat}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
