/**
 * What the clip-art data set takes from the Debian `openclipart-svg` tree and which labels it gives
 * (clipart.ts renders and writes it). The tree is `<root>/<category>/[<subcategory>/[…/]]<name>.svg`:
 * the first folder is an image's **category** (animals, food, …), the second, when there is one,
 * its **subcategory** (animals/birds, food/fruit; deeper folders such as recreation/holiday/easter
 * count as their second-level folder). A file directly in its category folder has no subcategory.
 * Symbolic links (the package files one drawing under several folders by linking it) and files
 * whose bytes repeat an earlier file are left out, so no drawing is in two classes or in both the
 * training and the test split. Everything here is a pure function of the file list and a seed.
 *
 * @example
 * const scan = scanClipart('/usr/share/openclipart/svg', { exclude: ['unsorted'] });
 * const picked = sampleCandidates(scan.files, 400, 0);
 * const plan = labelClipart(picked, { minCategory: 30, minSubcategory: 20, hideSubcategory: 0.5, testFraction: 0.2 }, 0);
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import path from 'node:path';
import { ValueError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';

/** One SVG of the tree. */
export interface ClipartFile {
  /** Path below the root, with `/` separators: `animals/birds/owl_01.svg`. */
  rel: string;
  category: string;
  /** The second-level folder, when the file lies below one. */
  subcategory?: string;
}

/** The SVGs of the tree and what the scan left out. */
export interface ClipartScan {
  files: ClipartFile[];
  /** Files in the excluded or unselected category folders. */
  excluded: number;
  /** Symbolic links (the same drawing filed again under another folder). */
  links: number;
  /** Files whose bytes equal an earlier file's (in path order). */
  duplicates: number;
}

/** The deepest folder level read below the root (the package has five). */
const MAX_DEPTH = 8;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The SVG files of a clip-art tree in path order, with their category and subcategory.
 *
 * @example
 * scanClipart(root, { categories: ['food'], exclude: [] }).files[0]; // { rel: 'food/apple_01.svg', category: 'food' }
 */
export function scanClipart(
  root: string,
  options: { categories?: readonly string[]; exclude: readonly string[] },
): ClipartScan {
  const out: ClipartScan = { files: [], excluded: 0, links: 0, duplicates: 0 };
  const seen = new Set<string>();
  const walk = (dir: string, parts: string[], counting: boolean): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      throw new ValueError(dir, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    for (const e of entries.sort((a, b) => byText(a.name, b.name))) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (parts.length >= MAX_DEPTH) continue;
        const excluded =
          parts.length === 0 &&
          (options.exclude.includes(e.name) ||
            (options.categories !== undefined && !options.categories.includes(e.name)));
        walk(full, [...parts, e.name], counting && !excluded);
      } else if (e.name.toLowerCase().endsWith('.svg') && parts.length > 0) {
        if (!counting) out.excluded++;
        else if (e.isSymbolicLink()) out.links++;
        else if (e.isFile()) {
          const hash = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
          if (seen.has(hash)) out.duplicates++;
          else {
            seen.add(hash);
            const sub = parts[1];
            out.files.push({
              rel: [...parts, e.name].join('/'),
              category: parts[0]!,
              ...(sub === undefined ? {} : { subcategory: sub }),
            });
          }
        }
      }
    }
  };
  walk(root, [], true);
  if (options.categories !== undefined) {
    const found = new Set(out.files.map((f) => f.category));
    const absent = options.categories.filter((c) => !found.has(c));
    if (absent.length > 0) throw new ValueError(root, `has no SVGs in the category folder(s) ${absent.join(', ')}`);
  }
  return out;
}

/**
 * At most `perCategory` files of each category, drawn with the seed (all of a smaller one), in
 * path order, each with its PNG name: the large categories (computer icons, stars) would otherwise
 * outweigh the rest.
 *
 * @example
 * sampleCandidates(scan.files, 400, 0).length; // ≤ 400 × categories
 */
export function sampleCandidates(files: readonly ClipartFile[], perCategory: number, seed: number): ClipartCandidate[] {
  const rng = new Rng(seed);
  const byCategory = new Map<string, ClipartFile[]>();
  for (const f of files) {
    const members = byCategory.get(f.category);
    if (members === undefined) byCategory.set(f.category, [f]);
    else members.push(f);
  }
  const out: ClipartFile[] = [];
  for (const [, members] of [...byCategory].sort((a, b) => byText(a[0], b[0]))) {
    if (members.length <= perCategory) out.push(...members);
    else {
      const order = rng.permutation(members.length);
      for (let i = 0; i < perCategory; i++) out.push(members[order[i]!]!);
    }
  }
  const taken = new Set<string>();
  return out
    .sort((a, b) => byText(a.rel, b.rel))
    .map((f) => {
      let id = pngName(f);
      for (let k = 2; taken.has(`${f.category}/${id}`); k++) id = `${pngName(f).slice(0, -4)}_${k}.png`;
      taken.add(`${f.category}/${id}`);
      return { ...f, id };
    });
}

/** The labelling rules. */
export interface LabelOptions {
  /** A category with fewer rendered images is dropped with its images. */
  minCategory: number;
  /** A subcategory with fewer images keeps its images, without a subcategory label. */
  minSubcategory: number;
  /** Share of the subcategory labels hidden (seeded) in the multi-task table's partial column. */
  hideSubcategory: number;
  /** Share of each category held out as the test split (seeded, stratified). */
  testFraction: number;
}

/** A file to render, with the name of its PNG (unique within its category). */
export interface ClipartCandidate extends ClipartFile {
  /** The PNG's name: the path below the category, `/` as `__`, `.png` (see pngName). */
  id: string;
}

/** One kept image with its labels. */
export interface ClipartItem {
  id: string;
  rel: string;
  category: string;
  /** `category.subcategory` when the image has a subcategory of at least minSubcategory images. */
  subcategory?: string;
  /** Whether the subcategory is hidden in the partial column. */
  hidden: boolean;
  split: 'train' | 'test';
}

/** The labelled images and what labelling dropped. */
export interface ClipartPlan {
  items: ClipartItem[];
  /** Categories kept, sorted. */
  categories: string[];
  /** Subcategories kept, sorted. */
  subcategories: string[];
  /** Images dropped with a category of fewer than minCategory images. */
  rareCategoryImages: number;
  /** Categories dropped so. */
  rareCategories: string[];
  /** Images whose subcategory had fewer than minSubcategory images (kept without one). */
  rareSubcategoryImages: number;
}

/**
 * A file's PNG name: its path below the category with `/` as `__`, other characters than letters,
 * digits, `.`, `_` and `-` as `_`, and `.png` for `.svg`.
 *
 * @example
 * pngName({ rel: 'animals/birds/owl+1.svg', category: 'animals' }); // 'birds__owl_1.png'
 */
export function pngName(f: ClipartFile): string {
  const below = f.rel.slice(f.category.length + 1).replace(/\.svg$/i, '');
  return `${below.replace(/\//g, '__').replace(/[^A-Za-z0-9._-]/g, '_')}.png`;
}

/**
 * Labels the rendered files: rare categories dropped, rare subcategories unlabelled, a seeded
 * stratified train/test split per category, a seeded share of subcategory labels marked hidden.
 *
 * @example
 * labelClipart(rendered, { minCategory: 30, minSubcategory: 20, hideSubcategory: 0.5, testFraction: 0.2 }, 0).categories;
 */
export function labelClipart(files: readonly ClipartCandidate[], o: LabelOptions, seed: number): ClipartPlan {
  const count = <K>(keys: K[]): Map<K, number> => {
    const m = new Map<K, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  const perCategory = count(files.map((f) => f.category));
  const rareCategories = [...perCategory].filter(([, n]) => n < o.minCategory).map(([c]) => c);
  const kept = files.filter((f) => !rareCategories.includes(f.category));
  const subKey = (f: ClipartCandidate): string | undefined =>
    f.subcategory === undefined ? undefined : `${f.category}.${f.subcategory}`;
  const perSub = count(kept.map(subKey).filter((k): k is string => k !== undefined));
  const rng = new Rng(seed);
  const items: ClipartItem[] = [];
  let rareSubcategoryImages = 0;
  const categories = [...new Set(kept.map((f) => f.category))].sort(byText);
  for (const category of categories) {
    const members = kept.filter((f) => f.category === category);
    const order = rng.permutation(members.length);
    const inTest = new Set<number>();
    const take = Math.round(members.length * o.testFraction);
    for (let i = 0; i < take; i++) inTest.add(order[i]!);
    members.forEach((f, i) => {
      const key = subKey(f);
      const labelled = key !== undefined && (perSub.get(key) ?? 0) >= o.minSubcategory;
      if (key !== undefined && !labelled) rareSubcategoryImages++;
      items.push({
        id: f.id,
        rel: f.rel,
        category,
        ...(labelled ? { subcategory: key } : {}),
        hidden: false,
        split: inTest.has(i) ? 'test' : 'train',
      });
    });
  }
  const labelled = items.filter((it) => it.subcategory !== undefined);
  const hide = rng.permutation(labelled.length);
  const hideCount = Math.round(labelled.length * o.hideSubcategory);
  for (let i = 0; i < hideCount; i++) labelled[hide[i]!]!.hidden = true;
  return {
    items,
    categories,
    subcategories: [...new Set(labelled.map((it) => it.subcategory!))].sort(byText),
    rareCategoryImages: files.length - kept.length,
    rareCategories: rareCategories.sort(byText),
    rareSubcategoryImages,
  };
}
