/**
 * The files of an image folder: `DIR/<class>/*` or `DIR/train|val|test/<class>/*`, scanned by the
 * one class-folder scanner (../class-folders.ts) with the image extensions (.png .jpg .jpeg .webp
 * .gif .svg, any case) and the image limits, POLYTASK_MAX_IMAGES and POLYTASK_MAX_IMAGE_BYTES.
 *
 * @example
 * const f = scanImageFolder('photos');
 * f.classNames;        // ['cat', 'dog']
 * f.train[0];          // { path: '/abs/photos/cat/1.jpg', label: 0, size: 20480, mtimeMs: 1.7e12 }
 */
import {
  classFolderLimits,
  scanClassFolders,
  type ClassFile,
  type FileKind,
  type ScanLimits,
  type ScannedFolder,
} from '../class-folders.js';
import { IMAGE_EXTENSIONS } from './decode.js';

export { DEFAULT_SCAN_LIMITS, type ScanLimits, type ScannedFolder, type Skipped } from '../class-folders.js';

/** One image file and its class. */
export type ImageEntry = ClassFile;

/** Image files, either layout, with their own limits. */
export const IMAGE_FILES: Readonly<FileKind> = Object.freeze({
  extensions: [...IMAGE_EXTENSIONS],
  name: 'images',
  one: 'an image',
  env: { maxFiles: 'POLYTASK_MAX_IMAGES', maxFileBytes: 'POLYTASK_MAX_IMAGE_BYTES' },
  splitLayout: true,
});

/**
 * The image scan limits in force: the defaults, each replaced by its environment variable when set.
 *
 * @example
 * scanLimits({ POLYTASK_MAX_IMAGES: '5000' }).maxFiles; // 5000
 */
export function scanLimits(env: NodeJS.ProcessEnv = process.env): ScanLimits {
  return classFolderLimits(IMAGE_FILES, env);
}

/**
 * Scans an image folder (either layout).
 *
 * @example
 * scanImageFolder('flowers', { maxFiles: 10_000, maxFileBytes: 8 << 20 }).layout; // 'split'
 */
export function scanImageFolder(dir: string, limits: ScanLimits = scanLimits()): ScannedFolder {
  return scanClassFolders(dir, IMAGE_FILES, limits);
}
