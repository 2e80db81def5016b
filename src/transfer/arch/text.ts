/**
 * The 'text' architecture of transfer: its config, and the trunk of models/text-trunk.ts. A trunk for text: token ids [N, maxLength] (float32, as a TensorDataset holds them) become one
 * vector per text. 'mean' (the default): a word embedding averaged over the tokens that are not
 * padding, a bag of embeddings that trains in seconds. 'transformer': a small BERT encoder
 * (models/zoo/bert.ts, Hugging Face's names under `trunk.bert.`) whose last hidden states are
 * averaged over the same tokens. An optional hidden linear layer with ReLU follows.
 *
 * @example
 * const { trunk, featureDim } = textArch.trunk(textArch.resolve({ vocabSize: 5000, maxLength: 32 }));
 * trunk.forward(ids).shape; // [N, 64]
 */
import { z } from 'zod';
import { ValueError } from '../../core/errors.js';
import { TextTrunk } from '../../models/text-trunk.js';
import { parseConfig } from '../../config/index.js';
import type { Architecture, ArchConfig } from './types.js';

const positive = z.number().int().min(1);

/**
 * The text trunk's config: the tokenizer's sizes (vocabSize, padId, maxLength) and the model's.
 *
 * @example
 * textConfigSchema.parse({ vocabSize: 100, maxLength: 16 }).embedDim; // 64
 */
export const textConfigSchema = z.strictObject({
  vocabSize: positive.max(10_000_000),
  maxLength: positive.max(4096),
  /** The padding id: those positions are left out of the average (and masked in attention). */
  padId: z.number().int().min(0).default(0),
  /** 'mean': averaged embeddings; 'transformer': a BERT encoder, then the average. */
  encoder: z.enum(['mean', 'transformer']).default('mean'),
  /** Width of the embedding (and of the transformer). */
  embedDim: positive.max(4096).default(64),
  /** Transformer layers ('transformer' only). */
  layers: positive.max(48).default(2),
  /** Attention heads; must divide embedDim ('transformer' only). */
  heads: positive.default(4),
  /** Width of a hidden linear layer with ReLU after the average; 0 for none. */
  hidden: z.number().int().min(0).default(0),
});

export type TextConfig = z.output<typeof textConfigSchema>;

/** The registry entry of 'text'. @example buildModel({ arch: 'text', config: { vocabSize: 5000, maxLength: 32 }, tasks }); */
export const textArch: Architecture = {
  resolve: (config: ArchConfig) => {
    const c = parseConfig(textConfigSchema, config, "arch 'text' config");
    if (c.padId >= c.vocabSize)
      throw new ValueError("arch 'text' config", `padId ${c.padId} is outside the vocabulary of ${c.vocabSize}`);
    if (c.encoder === 'transformer' && c.embedDim % c.heads !== 0)
      throw new ValueError("arch 'text' config", `embedDim ${c.embedDim} must be a multiple of heads ${c.heads}`);
    return c;
  },
  trunk: (config: ArchConfig) => {
    const c = config as TextConfig;
    return { trunk: new TextTrunk(c), featureDim: c.hidden > 0 ? c.hidden : c.embedDim };
  },
  inputShape: (config: ArchConfig) => [(config as TextConfig).maxLength],
};
