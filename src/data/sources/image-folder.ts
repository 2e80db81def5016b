/**
 * A folder of images as a source (`source: images`): one sub-folder per class, or `train/` with
 * `val/` and/or `test/` (see ../image-folder/scan.ts). Class names are the folder names, sorted.
 * In the split layout the held-out folder (`heldOut`, default `val` when there is one, else
 * `test`) becomes the run's test split: what training evaluates on and `eval` reports;
 * `polytask eval RUN --set data.heldOut=test` scores the other one. `testFraction` applies to the
 * flat layout only. Only the images `loadData` keeps are decoded (to the target size, as uint8,
 * then float32); with `cache: true` every image is decoded once into the cache folder and later
 * runs read only the kept rows from there.
 *
 * @example
 * const pool = await imagesPool(dataSchema.parse({ source: 'images', dir: 'shapes', size: 32 }));
 * pool.classNames;  // ['blue', 'red']
 * pool.set.featureShape; // [3, 32, 32]
 */
import { ValueError } from '../../core/errors.js';
import { heldOutSplit } from '../class-folders.js';
import { imageAugmentation } from '../image-folder/augment.js';
import type { ImageSpec } from '../image-folder/decode.js';
import type { Normalize } from '../image-folder/pixels.js';
import { cachedImageRows, imageRows } from '../image-folder/rows.js';
import { scanImageFolder, type ImageEntry, type ScannedFolder } from '../image-folder/scan.js';
import type { Pool, PoolSet } from './pool.js';
import type { ImagesDataConfig } from './schema.js';

/** The settings that shape the decoded pixels; a run's stored config gives them back to `predict`. */
export type ImageSettings = Pick<ImagesDataConfig, 'size' | 'resize' | 'channels' | 'normalize'>;

/**
 * The decoding spec and normalisation of an images config, checked (normalize has one mean and
 * one std per channel).
 *
 * @example
 * imageSettings({ size: [24, 32], resize: 'fit', channels: 1 }).spec; // { height: 24, width: 32, resize: 'fit', channels: 1 }
 */
export function imageSettings(d: ImageSettings): { spec: ImageSpec; normalize?: Normalize } {
  const [height, width] = typeof d.size === 'number' ? [d.size, d.size] : d.size;
  const spec: ImageSpec = { height, width, resize: d.resize, channels: d.channels };
  if (d.normalize === undefined) return { spec };
  const { mean, std } = d.normalize;
  if (mean.length !== d.channels || std.length !== d.channels)
    throw new ValueError(
      'data.normalize',
      `expected ${d.channels} mean and ${d.channels} std value${d.channels === 1 ? '' : 's'} (one per channel), got ${mean.length} and ${std.length}`,
    );
  return { spec, normalize: { mean, std } };
}

/** A split's images as a pool set: labels now, pixels when rows are asked for. */
function imageSet(entries: readonly ImageEntry[], d: ImagesDataConfig): PoolSet {
  const { spec, normalize } = imageSettings(d);
  return {
    labels: Int32Array.from(entries, (e) => e.label),
    featureShape: [spec.channels, spec.height, spec.width],
    rows: (indices) =>
      d.cache
        ? cachedImageRows(entries, indices, spec, normalize)
        : imageRows(
            Array.from(indices, (i) => entries[i]!.path),
            spec,
            normalize,
          ),
  };
}

/** The folder in words: layout, counts, what was skipped. */
function describe(f: ScannedFolder, d: ImagesDataConfig, held?: 'val' | 'test'): string {
  const { spec } = imageSettings(d);
  const n = f.train.length + (f.val?.length ?? 0) + (f.test?.length ?? 0);
  const skips = [
    f.skipped.hidden > 0 ? `${f.skipped.hidden} hidden` : '',
    f.skipped.other > 0 ? `${f.skipped.other} not images` : '',
    f.skipped.folders > 0 ? `${f.skipped.folders} sub-folders` : '',
  ].filter((s) => s !== '');
  return [
    `image folder ${d.dir} (${n} images, ${f.classNames.length} classes`,
    held === undefined ? '' : `, test split ${held}/`,
    `, ${spec.height}×${spec.width} ${spec.channels === 3 ? 'RGB' : 'grey'} ${spec.resize}`,
    skips.length === 0 ? '' : `; skipped ${skips.join(', ')}`,
    ')',
  ].join('');
}

/**
 * The pool of an images config.
 *
 * @example
 * await imagesPool({ source: 'images', dir: 'photos', size: 64, resize: 'crop', channels: 3, cache: false, testFraction: 0.2 });
 */
export function imagesPool(d: ImagesDataConfig): Pool {
  const crop = d.augment?.resizedCrop;
  if (crop !== undefined && (crop.scale[0] > crop.scale[1] || crop.ratio[0] > crop.ratio[1]))
    throw new ValueError('data.augment.resizedCrop', 'scale and ratio are [min, max] ranges: min must not exceed max');
  const { spec, normalize } = imageSettings(d);
  const folder = scanImageFolder(d.dir);
  const split = heldOutSplit(folder, d.heldOut, d.dir);
  const held = split?.held;
  const test = split?.test;
  const augment =
    d.augment === undefined
      ? undefined
      : imageAugmentation(
          {
            ...(crop === undefined ? {} : { resizedCrop: crop }),
            flip: d.augment.flip,
            ...(d.augment.jitter === undefined ? {} : { jitter: d.augment.jitter }),
            ...(normalize === undefined ? {} : { normalize }),
          },
          [spec.channels, spec.height, spec.width],
        );
  return {
    set: imageSet(folder.train, d),
    classNames: folder.classNames,
    ...(test === undefined ? {} : { test: imageSet(test, d) }),
    description: describe(folder, d, held),
    files: [...folder.train, ...(test ?? [])].map((e) => e.path),
    ...(augment === undefined ? {} : { augment }),
  };
}
