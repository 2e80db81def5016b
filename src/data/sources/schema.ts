/**
 * The `data:` section of a config: where the examples come from (one entry per source kind),
 * which classes, how many examples, the held-out share. Every mapping is strict, so a misspelt
 * key is an error; a mapping without `source` means the embedded MNIST. A new source kind is one
 * schema here and one file beside this one (see load.ts).
 *
 * @example
 * dataSchema.parse({ source: 'table', file: 'iris.csv', label: 'species' });
 * dataSchema.parse({ limit: 500 }); // { source: 'mnist', limit: 500, testFraction: 0.2 }
 */
import { z } from 'zod';

const positiveInt = z.number().int().min(1);
const classList = z.array(z.number().int().min(0)).min(2);

/** Options every data source shares: which classes, how many examples, the held-out share. */
export const commonDataOptions = {
  /** Keep only these classes, relabelled 0..k-1 in the order given (e.g. digits 0-4 for a source task). */
  classes: classList.optional(),
  /** Use at most this many training examples (a label budget); stratified by class. */
  limit: positiveInt.optional(),
  /** Share held out for testing when the source has no test split of its own. */
  testFraction: z.number().gt(0).lt(1).default(0.2),
};

const mnistSchema = z.strictObject({ source: z.literal('mnist'), ...commonDataOptions });
const fashionSchema = z.strictObject({
  source: z.literal('fashion-mnist'),
  dir: z.string().min(1).optional(),
  ...commonDataOptions,
});
const idxSchema = z.strictObject({
  source: z.literal('idx'),
  images: z.string().min(1),
  labels: z.string().min(1),
  testImages: z.string().min(1).optional(),
  testLabels: z.string().min(1).optional(),
  ...commonDataOptions,
});
const npySchema = z.strictObject({
  source: z.literal('npy'),
  features: z.string().min(1),
  labels: z.string().min(1),
  testFeatures: z.string().min(1).optional(),
  testLabels: z.string().min(1).optional(),
  ...commonDataOptions,
});
/**
 * A table with named columns: CSV, TSV or JSONL, chosen by the file's extension (`source: csv` is
 * the older name of the same thing). Classes are declared as names or a count, or inferred.
 */
const tableSchema = z.strictObject({
  source: z.literal(['table', 'csv']),
  file: z.string().min(1),
  /** The column of class labels. */
  label: z.string().min(1),
  /** The feature columns, in this order; default every column but the label and `ignore`. */
  features: z.array(z.string().min(1)).min(1).optional(),
  /** Columns left out of the default features. */
  ignore: z.array(z.string().min(1)).optional(),
  /** Label tokens that mean "no label": such rows are dropped (and counted). */
  missing: z.array(z.string()).optional(),
  /** Field separator of CSV/TSV; default from the extension (.tsv: tab, else comma). */
  delimiter: z.string().length(1).optional(),
  /** The classes, by name, in class-index order; a label outside them is an error. */
  classNames: z.array(z.coerce.string().min(1)).min(2).optional(),
  /** The number of classes, for integer labels 0..numClasses-1; a label outside is an error. */
  numClasses: z.number().int().min(2).optional(),
  /** A table of test examples with the same columns (default: `testFraction` of `file` is held out). */
  testFile: z.string().min(1).optional(),
  ...commonDataOptions,
});

const side = z.number().int().min(1).max(4096);
const range01 = z.tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)]);
/** A folder of images, one sub-folder per class (see image-folder.ts and the README's "Image folders"). */
const imagesSchema = z.strictObject({
  source: z.literal('images'),
  /** DIR/<class>/<image>, or DIR/train/<class>/... with DIR/val/... and/or DIR/test/... */
  dir: z.string().min(1),
  /** Height and width the images are brought to: one number for a square, or [height, width]. */
  size: z.union([side, z.tuple([side, side])]).default(32),
  /** crop: shorter side to size then centre crop (torchvision Resize + CenterCrop); fit: inside, padded black; stretch. */
  resize: z.enum(['crop', 'fit', 'stretch']).default('crop'),
  /** 3 for RGB, 1 for grey. */
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  /** Per-channel (value - mean) / std on values in 0..1, as torchvision's Normalize; none by default. */
  normalize: z.strictObject({ mean: z.array(z.number()).min(1), std: z.array(z.number().gt(0)).min(1) }).optional(),
  /** Training-time augmentation, off by default. */
  augment: z
    .strictObject({
      /** RandomResizedCrop: share of the area and aspect-ratio range (torchvision's defaults). */
      resizedCrop: z
        .strictObject({
          scale: range01.default([0.08, 1]),
          ratio: z.tuple([z.number().gt(0), z.number().gt(0)]).default([3 / 4, 4 / 3]),
        })
        .optional(),
      /** RandomHorizontalFlip (p = 0.5). */
      flip: z.boolean().default(false),
      /** ColorJitter strengths, each from 0 (off) to 1. */
      jitter: z
        .strictObject({
          brightness: z.number().min(0).max(1).default(0),
          contrast: z.number().min(0).max(1).default(0),
          saturation: z.number().min(0).max(1).default(0),
        })
        .optional(),
    })
    .optional(),
  /** With train/ and val/ or test/ folders: the one held out as the test split (default val when present). */
  heldOut: z.enum(['val', 'test']).optional(),
  /** Keep the decoded images in the cache folder (POLYTASK_CACHE, default ~/.cache/polytask) to skip decoding next time. */
  cache: z.boolean().default(false),
  ...commonDataOptions,
});
const textSchema = z.strictObject({
  source: z.literal('text'),
  /** A .csv, .tsv or .jsonl file with a column of texts and one of labels (give file or dir). */
  file: z.string().min(1).optional(),
  /** A folder with one folder per class of .txt files, one example each, or train/ with val/ and/or test/ of them (give file or dir). */
  dir: z.string().min(1).optional(),
  /** With train/ and val/ or test/ folders: the one held out as the test split (default val when present). */
  heldOut: z.enum(['val', 'test']).optional(),
  /** With file: a second table of the same columns, held out as the test split (testFraction is then unused). */
  testFile: z.string().min(1).optional(),
  /** The column (CSV header or JSONL field) of the texts. */
  textColumn: z.string().min(1).default('text'),
  /** The column of the class labels (any strings; class names are them, sorted). */
  label: z.string().min(1).default('label'),
  /** A Hugging Face tokenizer.json; without it a word vocabulary is built from the training split. */
  tokenizer: z.string().min(1).optional(),
  /** Lower-case (and strip accents) before building the vocabulary. */
  lowercase: z.boolean().default(true),
  /** The built vocabulary's most entries, [PAD] and [UNK] included. */
  vocabSize: z.number().int().min(3).max(1_000_000).default(10_000),
  /** The built vocabulary keeps words seen at least this often in the training split. */
  minCount: positiveInt.default(1),
  /** Tokens per example: longer texts are cut, shorter ones padded. */
  maxLength: z.number().int().min(1).max(4096).default(64),
  ...commonDataOptions,
});
const audioSchema = z.strictObject({
  source: z.literal('audio'),
  /** A folder with one folder per class of .wav files (give dir or file). */
  dir: z.string().min(1).optional(),
  /** A CSV with columns file (a .wav path, relative to the CSV's folder) and label (give dir or file). */
  file: z.string().min(1).optional(),
  /** Samples per second every clip is resampled to. */
  sampleRate: z.number().int().min(1000).max(192_000).default(8000),
  /** Every clip is cut to, or padded with silence at its end to, this length. */
  seconds: z.number().gt(0).max(60).default(1),
  /** 'peak': scale each clip so its largest magnitude is 1; 'none': keep the recorded level. */
  normalize: z.enum(['peak', 'none']).default('peak'),
  /** A CSV of test clips with the same columns (default: `testFraction` of `file` is held out). */
  testFile: z.string().min(1).optional(),
  /** What a clip becomes: its waveform [1, samples], or (computed by meyda) its log-mel spectrogram [1, mels, frames] or MFCCs [1, mfccs, frames]. */
  features: z.enum(['waveform', 'logmel', 'mfcc']).default('waveform'),
  /** Spectrogram frame (FFT size) in samples: a power of two. */
  frame: z.number().int().min(16).max(65_536).default(256),
  /** Samples from one frame to the next. */
  hop: z.number().int().min(1).max(65_536).default(128),
  /** Mel bands of logmel and mfcc. */
  mels: z.number().int().min(1).max(512).default(40),
  /** MFCC coefficients kept (at most mels, and 40). */
  mfccs: z.number().int().min(1).max(40).default(13),
  ...commonDataOptions,
});

/**
 * A data set built once into the cache from installed raw material (`polytask data prepare NAME`;
 * src/data/prepared/): one of its views, read through the source the view names.
 */
const preparedSchema = z.strictObject({
  source: z.literal('prepared'),
  /** The data set: `polytask data list` shows those that can be prepared. */
  name: z.string().min(1),
  /** Which of its tasks (views); default its first. */
  view: z.string().min(1).optional(),
  /** Keys of the view's own source to set (an image size, a text's maxLength, …). */
  options: z.record(z.string(), z.unknown()).optional(),
  ...commonDataOptions,
});

/** Where the examples come from. */
export const dataSourcesSchema = z.discriminatedUnion('source', [
  mnistSchema,
  fashionSchema,
  idxSchema,
  npySchema,
  tableSchema,
  imagesSchema,
  textSchema,
  audioSchema,
  preparedSchema,
]);

/** The data config; a mapping without a source means the embedded MNIST (`data: { limit: 500 }`). */
export const dataSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && !('source' in v) ? { source: 'mnist', ...v } : v),
  dataSourcesSchema,
);

export type DataConfig = z.output<typeof dataSourcesSchema>;
export type PreparedDataConfig = z.output<typeof preparedSchema>;
export type MnistDataConfig = z.output<typeof mnistSchema>;
export type FashionDataConfig = z.output<typeof fashionSchema>;
export type IdxDataConfig = z.output<typeof idxSchema>;
export type NpyDataConfig = z.output<typeof npySchema>;
export type TableDataConfig = z.output<typeof tableSchema>;
export type ImagesDataConfig = z.output<typeof imagesSchema>;
export type TextDataConfig = z.output<typeof textSchema>;
export type AudioDataConfig = z.output<typeof audioSchema>;
