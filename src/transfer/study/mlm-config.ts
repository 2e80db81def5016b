/**
 * The transfer study's masked-language-model source (`source.objective: mlm`): a branch of the
 * config's `source` union, beside the classification source. The encoder (the text architecture's
 * transformer, `model: { arch: text, encoder: transformer }`) is pre-trained with BERT's masking
 * recipe on unlabelled text: the `unlabelled.txt` of prepared text data sets, or a file of one text
 * a line. The word vocabulary is built from the source's training lines, and the target's text is
 * read with it (study/mlm-source.ts).
 *
 * @example
 * mlmSourceSchema.parse({ objective: 'mlm', data: { prepared: ['brown', 'fortunes'] } }).maskProbability; // 0.15
 */
import { z } from 'zod';

const positiveInt = z.number().int().min(1);

/**
 * Where the unlabelled text comes from: prepared data sets (each one's unlabelled.txt, prepared
 * first when missing) or a text file of one example a line.
 *
 * @example
 * mlmCorpusSchema.parse({ file: 'corpus.txt' });
 */
export const mlmCorpusSchema = z.union([
  z.strictObject({
    /** Names of prepared text data sets (src/data/prepared/: wordnet, fortunes, brown, spam). */
    prepared: z.array(z.string().min(1).max(64)).min(1).max(16),
  }),
  z.strictObject({
    /** A UTF-8 text file, one text a line (empty lines skipped). */
    file: z.string().min(1),
  }),
]);

export type MlmCorpus = z.output<typeof mlmCorpusSchema>;

/**
 * The MLM source branch. Everything but `objective` has a default except `data`.
 *
 * @example
 * mlmSourceSchema.parse({ objective: 'mlm', data: { file: 'lines.txt' }, samples: 500 }).epochs; // 4
 */
export const mlmSourceSchema = z.strictObject({
  /** Absent, or 'data': the study pre-trains it (the transfer study's other branch: `pretrained`). */
  from: z.literal('data').optional(),
  objective: z.literal('mlm'),
  data: mlmCorpusSchema,
  /** Lines pre-trained on (a seeded subset); 'all' for every line outside the held-out test lines. */
  samples: z.union([positiveInt, z.literal('all')]).default(20000),
  /** Lines held out to score the pre-trained model (masked-token accuracy), at most. */
  testSamples: positiveInt.default(2000),
  /** At most this many epochs: early stopping on the validation lines may end it sooner. */
  epochs: positiveInt.default(4),
  batchSize: positiveInt.default(64),
  lr: z.number().gt(0).default(1e-3),
  seed: z.number().int().default(0),
  /** Share of the training lines held out as a validation split (their loss, fixed masks). */
  validation: z.number().min(0).lt(1).default(0.1),
  patience: positiveInt.default(2),
  /** BERT's recipe: tokens chosen with this chance; of them 80% [MASK], 10% random, 10% kept. */
  maskProbability: z.number().gt(0).max(1).default(0.15),
  /** Entries of the word vocabulary built from the training lines ([PAD] and [UNK] included). */
  vocabSize: z.number().int().min(3).max(200_000).default(8000),
  /** Words seen fewer times are [UNK]. */
  minCount: positiveInt.default(2),
  lowercase: z.boolean().default(true),
  /** Also save the pre-trained model, with its tokenizer.json, as a checkpoint under this directory. */
  save: z.string().min(1).optional(),
});

export type MlmSourceConfig = z.output<typeof mlmSourceSchema>;
