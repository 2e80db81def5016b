/**
 * T5's baseline of Table 12 (Raffel et al. 2020): unsupervised pre-training, then fine-tuning on
 * each task, as the pre-training stage of the multi-task study's `mlm+ft` run
 * (`pretrainFinetune.unsupervised`). The shared text trunk's transformer (trunk.encoder:
 * transformer) is pre-trained by masked-language modelling, BERT's recipe (train/mlm-batch.ts) and
 * Hugging Face's `BertForMaskedLM` head over it (models/zoo/bert-mlm.ts), on the training inputs of
 * the study's own tasks, labels ignored: the lines are drawn by the same loader as a mixture run's,
 * over `data.train` alone (never a validation or test row), every line equally likely (mixing
 * proportional without a cap: the sources concatenated), for as many steps as the mixture phase of
 * a `+ft` run. Early stopping watches the masked-token loss of the validation rows, masked once
 * with a fixed seed, as the mixture phase watches its task losses. The trunk's hidden layer and the
 * heads are not trained here: the fine-tuning of each task (pretrain-finetune.ts) starts them.
 *
 * @example
 * const stage = await pretrainTrunkMlm(model, data, c, { seed: 0, epochs: 1, maskProbability: 0.15 }, onStep);
 * stage.steps; // epochs × the mixture's steps per epoch
 */
import { ValueError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { TextTrunk } from '../../models/text-trunk.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import { BertForMaskedLM } from '../../models/zoo/bert-mlm.js';
import { initBertWeights } from '../../models/zoo/bert.js';
import { Adam } from '../../optim/index.js';
import { noGrad, type Tensor } from '../../tensor/index.js';
import { fitUnlessAborted, maskedBatch, Trainer, type MlmVocabulary, type StepEndEvent } from '../../train/index.js';
import type { MultiTaskBatch } from '../dataset.js';
import type { MixedTaskLoader } from '../mixed-loader.js';
import type { MultiTaskLoader } from '../loader.js';
import type { MtlStudyConfig } from './config.js';
import { trainLoader, validationBatches, type StudyData } from './data.js';
import { textMaskId } from './trunk.js';

/** What the MLM stage recorded. */
export interface MlmStage {
  /** Mean masked-token loss by epoch. */
  losses: number[];
  /** The validation rows' masked-token loss by epoch (with a validation split). */
  valLosses?: number[];
  stopped?: boolean;
  /** Optimiser steps taken. */
  steps: number;
}

/**
 * The ids masking uses for the study's text: its vocabulary plus `[MASK]` (the trunk's extra id),
 * padding and `[UNK]` never chosen.
 *
 * @example
 * mlmVocabulary(data); // { vocabSize: 8001, padId: 0, maskId: 8000, special: [0, 1, 8000] }
 */
export function mlmVocabulary(data: StudyData): MlmVocabulary {
  const text = data.text;
  if (text === undefined)
    throw new ValueError(
      'pretrainFinetune.unsupervised',
      `masked-language modelling needs text inputs; ${data.name} has none`,
    );
  const maskId = textMaskId(text.vocabSize);
  return { vocabSize: maskId + 1, padId: text.padId, maskId, special: [...text.special, maskId] };
}

/**
 * The loader of the lines the trunk is pre-trained on: every training source of the study's tasks
 * (`data.train`, so no validation or test row), each line equally likely, `c.stepsPerEpoch` steps
 * an epoch (the mixture's budget) or, without it, one pass over every source's batches.
 *
 * @example
 * for (const { x } of mlmLoader(data, c, 0)) x.shape; // [batchSize, maxLength] token ids
 */
export function mlmLoader(data: StudyData, c: MtlStudyConfig, seed: number): MultiTaskLoader | MixedTaskLoader {
  return trainLoader(
    data,
    data.tasks.map((t) => t.name),
    c.batchSize,
    seed,
    {
      // every line as likely as any other: the sources concatenated, as BERT's corpus
      mixing: { strategy: 'proportional' },
      ...(c.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: c.stepsPerEpoch }),
    },
  );
}

/** The masked-token loss of `batch`'s ids. */
function batchLoss(mlm: BertForMaskedLM, x: Tensor, vocab: MlmVocabulary, rng: Rng, p: number): Tensor {
  const [n, length] = x.shape as [number, number];
  const b = maskedBatch(x.data as Float32Array, n, length, vocab, rng, p);
  return mlm.loss(b.inputs, b.labels, { attentionMask: b.attention });
}

/**
 * Pre-trains `model`'s text trunk (its transformer) by masked-language modelling for `o.epochs`
 * epochs of the mixture's steps (the module comment); the trunk's weights change in place.
 *
 * @example
 * await pretrainTrunkMlm(shared, data, c, { seed: 0, epochs: 1, maskProbability: 0.15 }, onStep, signal);
 */
export async function pretrainTrunkMlm(
  model: MultiTaskModel,
  data: StudyData,
  c: MtlStudyConfig,
  o: { seed: number; epochs: number; maskProbability: number },
  onStep: (e: StepEndEvent) => void,
  signal?: AbortSignal,
): Promise<MlmStage> {
  const trunk = model.trunk;
  if (!(trunk instanceof TextTrunk) || trunk.bert === null)
    throw new ValueError(
      'pretrainFinetune.unsupervised',
      'masked-language modelling needs the text trunk with encoder: transformer',
    );
  const vocab = mlmVocabulary(data);
  const mlm = new BertForMaskedLM(trunk.bert);
  // the prediction head as Hugging Face's (N(0, 0.02)); the encoder keeps the trunk's initial weights
  initBertWeights(mlm.getSubmodule('cls'));
  const rng = new Rng(o.seed * 1000 + 7);
  const names = data.tasks.map((t) => t.name);
  const validation = Object.keys(data.val).length > 0;
  // the validation rows masked the same way at every epoch: a fresh stream of a fixed seed
  const valLoss = (): number => {
    mlm.eval();
    const fixed = new Rng(o.seed * 1000 + 9);
    let total = 0;
    let batches = 0;
    noGrad(() => {
      for (const { x } of validationBatches(data, names)) {
        total += batchLoss(mlm, x, vocab, fixed, o.maskProbability).item();
        batches += 1;
      }
    });
    mlm.train();
    return total / Math.max(1, batches);
  };
  mlm.train();
  const trainer = new Trainer<MultiTaskBatch>({
    model: mlm,
    optimizer: new Adam(mlm.parameters(), { lr: c.lr }),
    loader: mlmLoader(data, c, o.seed),
    epochs: o.epochs,
    step: ({ x }) => ({ loss: batchLoss(mlm, x, vocab, rng, o.maskProbability) }),
    callbacks: { onStepEnd: onStep },
    ...(validation
      ? {
          earlyStopping: {
            metric: 'validation masked-token loss',
            mode: 'min' as const,
            patience: c.patience,
            score: valLoss,
          },
        }
      : {}),
  });
  const fit = await fitUnlessAborted(trainer, signal, 'mlm pre-training');
  return {
    losses: fit.history.map((h) => h.loss),
    ...(validation
      ? {
          valLosses: fit.history.map((h) => h.earlyStopping?.value ?? NaN),
          stopped: fit.history.length < o.epochs,
        }
      : {}),
    steps: fit.stepsDone,
  };
}
