/**
 * `clipart`: colour drawings with labels at two levels, from the Debian package `openclipart-svg`
 * (public domain). clipart-plan.ts says what is taken and how it is labelled: the category is an
 * SVG's first folder, the subcategory its second. Each drawing is rendered once, at build time,
 * through the images reader (its SVG safety checks and resvg; `fit`, so the whole drawing shows)
 * to a 64×64 PNG, because rendering the SVGs on every run takes 30-80 ms a file here against well
 * under 1 ms for a small PNG. SVGs without the SVG namespace on their root (a fifth of the package,
 * written before renderers required it) get it added first; the ones the reader refuses (external
 * hrefs, attribute-default or markup entities) or resvg cannot parse are dropped and counted, as
 * are rare classes. The views are class folders of symbolic links to the PNGs, each with a seeded,
 * stratified train/ and test/ split:
 *
 * - `category`: the category of every image (the default view);
 * - `subcategory`: `category.subcategory` of the images that have one;
 * - `transfer-source` / `transfer-target`: the categories split in two (drawings of things:
 *   animals, food, people, tools, transportation, against symbols, icons, shapes and the rest);
 * - `multitask`: the category view's images; `multitask.csv` holds, in the same order (its train
 *   split, then its test split, each by class folder and name), the columns category, subcategory
 *   (empty where the drawing has none) and subcategory_partial (a seeded half of those hidden too),
 *   for a task description (`{ prepared: clipart, file: multitask.csv, column: … }`).
 *
 * @example
 * // polytask data prepare clipart
 * // data: { source: prepared, name: clipart, view: subcategory, options: { size: 32 } }
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { FormatError } from '../../core/errors.js';
import { writeFileAtomicSync } from '../../io/atomic.js';
import { decodeImageBytes } from '../image-folder/decode.js';
import {
  labelClipart,
  sampleCandidates,
  scanClipart,
  type ClipartCandidate,
  type ClipartItem,
  type LabelOptions,
} from './clipart-plan.js';
import { registerPreparable } from './registry.js';
import type { BuildOptions, BuiltData, PreparableDataset, PreparedView } from './types.js';
import { guardedMkdirSync, guardedRemoveSync, guardedSymlinkSync } from '../../io/run-guard.js';

/** Where the package puts its drawings. */
export const OPENCLIPART_ROOT = '/usr/share/openclipart/svg';

/** The choices of a build; the registered data set uses CLIPART_DEFAULTS. */
export interface ClipartOptions extends LabelOptions {
  /** The package's svg/ folder. */
  root: string;
  /** Keep only these category folders (a small build for tests); default all but `exclude`. */
  categories?: readonly string[];
  /** Category folders left out: `unsorted` is not a class. */
  exclude: readonly string[];
  /** At most this many drawings of a category are rendered (seeded draw). */
  perCategory: number;
  /** The transfer study's target categories (the others are its source). */
  targetCategories: readonly string[];
  /** Side of the rendered PNGs. */
  side: number;
}

export const CLIPART_DEFAULTS: Readonly<ClipartOptions> = Object.freeze({
  root: OPENCLIPART_ROOT,
  exclude: ['unsorted'],
  perCategory: 400,
  minCategory: 30,
  minSubcategory: 20,
  hideSubcategory: 0.5,
  testFraction: 0.2,
  targetCategories: ['animals', 'food', 'people', 'tools', 'transportation'],
  side: 64,
});

/** The views a full build offers (a build with fewer than two source or target categories has no transfer views). */
export const CLIPART_VIEWS = ['category', 'subcategory', 'transfer-source', 'transfer-target', 'multitask'] as const;

/** The columns of multitask.csv. */
export const MULTITASK_COLUMNS = ['file', 'category', 'subcategory', 'subcategory_partial'] as const;

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/**
 * SVG text with the SVG (and, when `xlink:` is used, the XLink) namespace declared on its root
 * element when it is not; `added` says whether anything was.
 *
 * @example
 * withSvgNamespace('<svg width="4">…</svg>').text; // '<svg xmlns="http://www.w3.org/2000/svg" width="4">…</svg>'
 */
export function withSvgNamespace(text: string): { text: string; added: boolean } {
  const m = /<svg\b[^>]*>/.exec(text);
  if (m === null || /\sxmlns\s*=/.test(m[0])) return { text, added: false };
  const xlink = !/\sxmlns:xlink\s*=/.test(m[0]) && text.includes('xlink:') ? ` xmlns:xlink="${XLINK_NS}"` : '';
  const at = m.index + 4;
  return { text: `${text.slice(0, at)} xmlns="${SVG_NS}"${xlink}${text.slice(at)}`, added: true };
}

/** Uint8 CHW pixels to interleaved HWC, as sharp's raw input takes them. */
function toHwc(chw: Uint8Array, plane: number): Uint8Array {
  const out = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[3 * p + c] = chw[c * plane + p]!;
  return out;
}

/** How one drawing fared: rendered (its namespace added or not), or dropped with the reason. */
type Outcome = { ok: true; repaired: boolean } | { ok: false; reason: string };

/** Renders one SVG to `png`, or writes `png.failed` with the reason; a file already there is kept. */
async function renderOne(svg: string, png: string, side: number): Promise<Outcome> {
  if (fs.existsSync(png)) return { ok: true, repaired: false };
  if (fs.existsSync(`${png}.failed`)) return { ok: false, reason: fs.readFileSync(`${png}.failed`, 'utf8').trim() };
  const { text, added } = withSvgNamespace(fs.readFileSync(svg, 'utf8'));
  let chw: Uint8Array;
  try {
    chw = await decodeImageBytes(Buffer.from(text), svg, { height: side, width: side, resize: 'fit', channels: 3 });
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    const reason = err.message.startsWith(`${svg}: `) ? err.message.slice(svg.length + 2) : err.message;
    writeFileAtomicSync(`${png}.failed`, `${reason.replace(/\s+/g, ' ')}\n`);
    return { ok: false, reason };
  }
  const sharp = (await import('sharp')).default;
  const bytes = await sharp(toHwc(chw, side * side), { raw: { width: side, height: side, channels: 3 } })
    .png()
    .toBuffer();
  writeFileAtomicSync(png, bytes);
  return { ok: true, repaired: added };
}

/** A refused SVG (the reader's safety checks) or one that does not render. */
const refused = (reason: string): boolean => /refused|refers to/.test(reason);

/** One CSV field, quoted when it must be. */
const field = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Writes a view's class folders: links `<view>/<split>/<class>/<id>` to `png/<category>/<id>`. */
function linkView(dir: string, view: string, items: readonly ClipartItem[], classOf: (it: ClipartItem) => string) {
  for (const it of items) {
    const folder = path.join(dir, 'views', view, it.split, classOf(it));
    guardedMkdirSync(folder);
    guardedSymlinkSync(path.join('..', '..', '..', '..', 'png', it.category, it.id), path.join(folder, it.id));
  }
}

/** The images mapping of a view folder. */
const imagesView = (view: string): Record<string, unknown> => ({
  source: 'images',
  dir: `views/${view}`,
  size: 32,
  channels: 3,
  cache: true,
});

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Builds the clip-art data set into `dir` (see the module comment) with the given choices.
 *
 * @example
 * await buildClipart('/tmp/c', { ...CLIPART_DEFAULTS, categories: ['food', 'tools'], perCategory: 30 }, { seed: 0 });
 */
export async function buildClipart(
  dir: string,
  o: ClipartOptions,
  { seed, progress }: BuildOptions,
): Promise<BuiltData> {
  const scan = scanClipart(o.root, {
    ...(o.categories === undefined ? {} : { categories: o.categories }),
    exclude: o.exclude,
  });
  const candidates = sampleCandidates(scan.files, o.perCategory, seed);
  const rendered: ClipartCandidate[] = [];
  const dropped: string[] = ['file,reason'];
  let refusedCount = 0;
  let failedCount = 0;
  let repaired = 0;
  for (const [i, f] of candidates.entries()) {
    guardedMkdirSync(path.join(dir, 'png', f.category));
    const outcome = await renderOne(path.join(o.root, f.rel), path.join(dir, 'png', f.category, f.id), o.side);
    if (outcome.ok) {
      rendered.push(f);
      if (outcome.repaired) repaired++;
    } else {
      if (refused(outcome.reason)) refusedCount++;
      else failedCount++;
      dropped.push(`${field(f.rel)},${field(outcome.reason)}`);
    }
    progress?.(i + 1, candidates.length);
  }
  const plan = labelClipart(rendered, o, seed);
  for (const f of rendered)
    if (plan.rareCategories.includes(f.category))
      dropped.push(`${field(f.rel)},rare category (< ${o.minCategory} images)`);
  writeFileAtomicSync(path.join(dir, 'dropped.csv'), `${dropped.join('\n')}\n`);

  guardedRemoveSync(path.join(dir, 'views'));
  const items = plan.items;
  const withSub = items.filter((it) => it.subcategory !== undefined);
  linkView(dir, 'category', items, (it) => it.category);
  linkView(dir, 'subcategory', withSub, (it) => it.subcategory!);
  const views: Record<string, PreparedView> = {
    category: {
      description: `the category of a drawing (${plan.categories.length} classes)`,
      data: imagesView('category'),
    },
    subcategory: {
      description: `the subcategory of a drawing that has one (${plan.subcategories.length} classes)`,
      data: imagesView('subcategory'),
    },
  };
  const target = plan.categories.filter((c) => o.targetCategories.includes(c));
  const source = plan.categories.filter((c) => !o.targetCategories.includes(c));
  if (target.length >= 2 && source.length >= 2) {
    linkView(
      dir,
      'transfer-source',
      items.filter((it) => source.includes(it.category)),
      (it) => it.category,
    );
    linkView(
      dir,
      'transfer-target',
      items.filter((it) => target.includes(it.category)),
      (it) => it.category,
    );
    views['transfer-source'] = {
      description: `the category, among ${source.join(', ')} (transfer from)`,
      data: imagesView('transfer-source'),
    };
    views['transfer-target'] = {
      description: `the category, among ${target.join(', ')} (transfer to)`,
      data: imagesView('transfer-target'),
    };
  }
  // the category view's scan order: its train split, then its test split, each by class folder then name
  const order = (split: 'train' | 'test'): ClipartItem[] =>
    items.filter((it) => it.split === split).sort((a, b) => byText(a.category, b.category) || byText(a.id, b.id));
  const rows = [...order('train'), ...order('test')].map((it) =>
    [`${it.split}/${it.category}/${it.id}`, it.category, it.subcategory ?? '', it.hidden ? '' : (it.subcategory ?? '')]
      .map(field)
      .join(','),
  );
  writeFileAtomicSync(path.join(dir, 'multitask.csv'), `${MULTITASK_COLUMNS.join(',')}\n${rows.join('\n')}\n`);
  views.multitask = {
    description:
      "the category view's images; multitask.csv gives their category, subcategory and subcategory_partial, in this view's order",
    data: imagesView('category'),
  };
  const hidden = items.filter((it) => it.hidden).length;
  return {
    summary:
      `${items.length} clip-art drawings (${o.side}×${o.side} PNG), ${plan.categories.length} categories, ` +
      `${plan.subcategories.length} subcategories (${withSub.length} drawings have one); ` +
      `dropped ${refusedCount} refused SVGs, ${failedCount} that do not render, ${plan.rareCategoryImages} of rare categories` +
      (plan.rareCategories.length > 0 ? ` (${plan.rareCategories.join(', ')})` : ''),
    views,
    defaultView: 'category',
    counts: {
      svgFiles: scan.files.length + scan.links + scan.duplicates,
      excludedCategoryFiles: scan.excluded,
      links: scan.links,
      duplicates: scan.duplicates,
      candidates: candidates.length,
      namespaceAdded: repaired,
      refused: refusedCount,
      doNotRender: failedCount,
      rareCategoryImages: plan.rareCategoryImages,
      rareSubcategoryImages: plan.rareSubcategoryImages,
      images: items.length,
      train: items.filter((it) => it.split === 'train').length,
      test: items.filter((it) => it.split === 'test').length,
      categories: plan.categories.length,
      subcategories: plan.subcategories.length,
      withSubcategory: withSub.length,
      subcategoryPartial: withSub.length - hidden,
    },
  };
}

/**
 * The clip-art data set with the given choices, to register (tests build small ones).
 *
 * @example
 * registerPreparable(clipartDataset({ ...CLIPART_DEFAULTS, categories: ['food', 'tools'] }, 'clipart-small'));
 */
export function clipartDataset(o: ClipartOptions = CLIPART_DEFAULTS, name = 'clipart'): PreparableDataset {
  return {
    name,
    summary: 'colour clip-art drawings: category and subcategory (two label levels), 64×64 PNG renderings',
    licence:
      'public domain (Creative Commons Public Domain Dedication/Certification; /usr/share/doc/openclipart-svg/copyright)',
    requires: 'Debian package openclipart-svg',
    version: 1,
    missing: () =>
      fs.existsSync(o.root)
        ? undefined
        : `the Debian package openclipart-svg is not installed (no ${o.root}; apt-get install openclipart-svg)`,
    build: (dir, options) => buildClipart(dir, o, options),
  };
}

registerPreparable(clipartDataset());
