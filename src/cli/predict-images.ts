/**
 * Image files as `polytask predict` input: `-i` may name image files (PNG, JPEG, WebP, GIF, SVG,
 * told by extension or first bytes) and folders of them (their images, not sub-folders, sorted by
 * name). They are decoded exactly as the run's training data was: the size, resize mode, channels
 * and normalisation of its `data:` section when it read an image folder, else the shape of its
 * cnn's input (e.g. 1×28×28 grey for an MNIST run) with a centre crop; never augmented.
 *
 * @example
 * const files = imageInputs(['cat.png', 'more/']); // ['cat.png', 'more/a.jpg', 'more/b.webp']
 * const x = await imageInputTensor(files, runConfig, pre.description); // [3, C, H, W]
 */
import * as fs from 'node:fs';
import path from 'node:path';
import {
  IMAGE_EXTENSIONS,
  imageRows,
  scanLimits,
  sniffImage,
  type ImageSpec,
  type Normalize,
} from '../data/image-folder/index.js';
import { dataSchema, imageSettings } from '../data/sources/index.js';
import { Tensor } from '../tensor/index.js';
import type { ArchDescription } from '../transfer/arch/types.js';
import { CliError } from './errors.js';

/** Whether a file is an image: by its extension, else by its first bytes. */
function isImageFile(file: string): boolean {
  if (IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase())) return true;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const head = new Uint8Array(16);
    const n = fs.readSync(fd, head, 0, 16, 0);
    return sniffImage(head.subarray(0, n), false) !== null;
  } catch {
    return false; // the reader that follows names a missing or unreadable file
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The images directly inside a folder, sorted by name (hidden files and others skipped). */
function folderImages(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new CliError(`${dir}: folder cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const names = entries
    .filter((e) => !e.name.startsWith('.') && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .filter(
      (e) =>
        e.isFile() || (e.isSymbolicLink() && fs.statSync(path.join(dir, e.name), { throwIfNoEntry: false })?.isFile()),
    )
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) throw new CliError(`${dir}: folder holds no images (.png .jpg .jpeg .webp .gif .svg)`);
  return names.map((n) => path.join(dir, n));
}

/**
 * The image files `inputs` stand for, or null when they are one non-image file (NPY, CSV, IDX).
 *
 * @example
 * imageInputs(['digits.npy']); // null
 */
export function imageInputs(inputs: readonly string[]): string[] | null {
  const isDir = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
  if (inputs.length === 1 && !isDir(inputs[0]!) && !isImageFile(inputs[0]!)) return null;
  const files: string[] = [];
  const { maxFiles } = scanLimits();
  for (const input of inputs) {
    if (isDir(input)) files.push(...folderImages(input));
    else if (isImageFile(input)) files.push(input);
    else if (!fs.existsSync(input)) throw new CliError(`${input}: no such file or folder`);
    else
      throw new CliError(
        `${input}: not an image (PNG, JPEG, WebP, GIF, SVG); an NPY, CSV or IDX file must be the only input`,
      );
    if (files.length > maxFiles)
      throw new CliError(`more than ${maxFiles} images to predict (raise POLYTASK_MAX_IMAGES)`);
  }
  return files;
}

/** How the run's images were decoded: its image-folder settings, else its cnn's input shape. */
function runImageSettings(runData: unknown, d: ArchDescription): { spec: ImageSpec; normalize?: Normalize } {
  const parsed = dataSchema.safeParse(runData);
  if (parsed.success && parsed.data.source === 'images') return imageSettings(parsed.data);
  const c = d.config as { inChannels?: number; height?: number; width?: number };
  if (d.arch !== 'cnn' || (c.inChannels !== 1 && c.inChannels !== 3) || c.height === undefined || c.width === undefined)
    throw new CliError(
      `the run's ${d.arch} model does not take images (it was not trained on an image folder or 1- or 3-channel images)`,
    );
  return { spec: { height: c.height, width: c.width, resize: 'crop', channels: c.inChannels } };
}

/**
 * The images decoded as the run's model takes them: a tensor [N, C, H, W].
 *
 * @example
 * await imageInputTensor(['a.png'], readRunConfig(dir).data, pre.description);
 */
export async function imageInputTensor(
  files: readonly string[],
  runData: unknown,
  description: ArchDescription,
): Promise<Tensor> {
  const { spec, normalize } = runImageSettings(runData, description);
  const x = await imageRows(files, spec, normalize);
  return new Tensor(x, [files.length, spec.channels, spec.height, spec.width]);
}
