/**
 * A case of the main job beyond the embedded MNIST (`npm start -- --case NAME`): real data sets
 * prepared into the cache first (src/data/prepared/), then some of the three studies with presets of
 * their own. One file per case beside this one; index.ts lists them.
 *
 * @example
 * const audio: MainCase = {
 *   name: 'audio', title: 'spoken digits', summary: 'raw waveform vs log-mel pipeline',
 *   datasets: ['spoken-digits'], presets: { e2e: { main: { case: 'spoken-digits' }, quick: { case: 'spoken-digits', quick: true } } },
 * };
 */
import type { StudyKey } from '../studies/types.js';

export interface MainCase {
  /** The --case value. */
  name: string;
  /** What the studies run on, for the report title and the first line. */
  title: string;
  /** One line for --help and the README. */
  summary: string;
  /** Data sets to prepare before the first study (names of src/data/prepared/). */
  datasets: readonly string[];
  /** The studies the case runs (in the main job's order) and their presets. */
  presets: Partial<Record<StudyKey, { main: Record<string, unknown>; quick: Record<string, unknown> }>>;
}
