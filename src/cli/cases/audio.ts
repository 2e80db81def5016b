/**
 * `npm start -- --case audio`: end to end vs pipeline on spoken digits (Dieleman & Schrauwen's
 * question on speech). Prepares `spoken-digits` (espeak-ng; src/data/prepared/spoken-digits.ts),
 * then runs the e2e study's `spoken-digits` case: log-mel + spectrogram CNN (pipeline), M5 on the
 * raw waveform (end to end), and the pipeline fine-tuned with its mel filterbank learnable (hybrid).
 * main: five sizes from 50 to 800 clips (the pipeline's classifier on 800), three seeds, every run
 * trained until early stopping ends it (at most 2,000 steps); the pipeline's classifier (24,058
 * parameters) about as large as M5 (25,290). quick: a smoke test of two small sizes.
 *
 * @example
 * findCase('audio').presets.e2e?.quick; // { smokeTest: true, case: 'spoken-digits', … }
 */
import type { MainCase } from './types.js';

export const audioCase: MainCase = {
  name: 'audio',
  title: 'spoken digits (espeak-ng voices; test voices held out)',
  summary: 'raw-waveform CNN vs log-mel pipeline vs learnable mel front end, on spoken digits',
  datasets: ['spoken-digits'],
  presets: {
    e2e: {
      main: {
        case: 'spoken-digits',
        sizes: [50, 100, 200, 400, 800],
        subtaskExamples: 800,
        seeds: 3,
        testExamples: 800,
        bootstrap: 100,
        // early stopping on each run's validation split ends most runs well before maxSteps; a
        // patience of 15 checks (one an epoch below 3,200 clips) lets M5's batch-norm statistics
        // settle first: with the default 5, runs on 100 clips stopped after 18 steps, untrained
        training: { maxSteps: 2000, validation: { patience: 15 } },
      },
      quick: {
        smokeTest: true,
        case: 'spoken-digits',
        sizes: [20, 40],
        subtaskExamples: 40,
        seeds: 1,
        testExamples: 100,
        bootstrap: 10,
        hidden: 64,
        training: { maxSteps: 10, minSteps: 5, epochs: 1 },
      },
    },
  },
};
