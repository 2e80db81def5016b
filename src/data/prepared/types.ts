/**
 * A data set polytask builds from raw material installed on the machine (a Debian or npm package)
 * into its cache, once, then reads through the ordinary `data:` sources: `polytask data prepare
 * NAME` builds it, and `data: { source: prepared, name: NAME, view: VIEW }` reads it. One file per
 * data set beside this one registers itself (registry.ts); `store.ts` builds and finds them.
 *
 * A build writes into a folder of its own and returns a manifest: what the data set is, its licence,
 * and its views. A view is a `data:` mapping of the ordinary sources (images, table, text, audio)
 * whose file paths are relative to the prepared folder, so one data set can offer several tasks
 * (a clipart image's category and its subcategory; a gloss's part of speech and its supersense).
 *
 * @example
 * registerPreparable({
 *   name: 'tiny', summary: 'two words', licence: 'CC0', requires: 'nothing', version: 1,
 *   missing: () => undefined,
 *   build: async (dir) => { writeFileSync(join(dir, 'words.csv'), 'text,label\nhi,a\nbye,b\n');
 *     return { summary: 'two words', views: { word: { description: 'which word', data: { source: 'text', file: 'words.csv' } } }, defaultView: 'word', counts: { rows: 2 } }; },
 * });
 */

/** One task a prepared data set offers: a `data:` mapping with paths relative to its folder. */
export interface PreparedView {
  /** What is predicted from what, in words. */
  description: string;
  /** A `data:` mapping of an ordinary source (images, table, text, audio); paths relative to the folder. */
  data: Record<string, unknown>;
}

/** What a build returns; the store adds name, version, seed and licence and writes it as manifest.json. */
export interface BuiltData {
  /** What was built, with its sizes, in words. */
  summary: string;
  views: Record<string, PreparedView>;
  /** The view `source: prepared` reads when none is named. */
  defaultView: string;
  /** Counts worth showing (examples, classes, voices, …). */
  counts: Record<string, number>;
}

/** manifest.json of a prepared folder. */
export interface PreparedManifest extends BuiltData {
  name: string;
  version: number;
  seed: number;
  licence: string;
  /** ISO time the build finished. */
  created: string;
}

export interface BuildOptions {
  /** Seeds every random choice of the build (splits, voices, subsets). */
  seed: number;
  /** Called now and then with the work done and the work in all, for a progress bar. */
  progress?: (done: number, total: number) => void;
}

/** A data set that can be prepared. */
export interface PreparableDataset {
  /** Lowercase name used on the command line and in configs: `clipart`, `wordnet`, `spoken-digits`. */
  readonly name: string;
  /** One line: what it is. */
  readonly summary: string;
  /** The licence of the raw material (and so of the prepared data). */
  readonly licence: string;
  /** What must be installed, in words: `Debian package openclipart-svg`. */
  readonly requires: string;
  /** Bumped whenever the build changes, so an old folder is built again. */
  readonly version: number;
  /** Undefined when the raw material is at hand, else one line naming what to install. */
  missing(): string | undefined;
  /**
   * Writes the data set into `dir` (which exists and may hold files of an interrupted build: a build
   * may keep complete files it finds, so that it resumes). Every file is written atomically.
   */
  build(dir: string, options: BuildOptions): Promise<BuiltData>;
}
