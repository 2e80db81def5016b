/**
 * Text to token ids. A `TextTokenizer` wraps a Hugging Face `tokenizer.json` run by
 * `@huggingface/tokenizers`: one the user gives (BERT's WordPiece, a BPE, ...), or one built here
 * from the training texts. Either way the run saves it as `tokenizer.json`, so `predict` and
 * `eval` encode new text exactly as training did, and any HF-compatible tool can read it.
 *
 * The built tokenizer is a lower-cased (optional) word vocabulary in BERT's format: BERT's
 * normalizer (clean-up, accents stripped when lower-casing) and pre-tokenizer (split on white
 * space and punctuation), and a WordPiece model whose vocabulary holds whole words only, so a
 * word not in it becomes `[UNK]`. Ids 0 and 1 are `[PAD]` and `[UNK]`; then the words seen at
 * least `minCount` times, most frequent first, ties in code-point order, up to `maxSize` entries
 * in all: the same texts always give the same ids. A word vocabulary rather than learned
 * word-pieces or bytes: it needs no merge training, its ids are readable, and for classifying
 * short texts by their words (an embedding mean-pooled over the tokens) whole words carry the
 * signal while bytes would not.
 *
 * @example
 * const tok = TextTokenizer.build(['Good film', 'bad film'], { lowercase: true, minCount: 1, maxSize: 100 });
 * // [PAD] 0, [UNK] 1, film 2 (seen twice), bad 3, good 4 (once each: code-point order)
 * tok.ids('Good, bad!');                 // [4, 1, 3, 1]: ',' and '!' are not in the vocabulary
 * tok.encode(['good film'], 4);          // Float32Array [4, 2, 0, 0]
 * writeFileAtomicSync('tokenizer.json', tok.json);
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { FormatError, ValueError } from '../../core/errors.js';
import { isJsonObject, snippet } from '../../io/untrusted.js';

/** How the vocabulary of a built tokenizer is chosen. */
export interface VocabularyOptions {
  /** Lower-case (and strip accents) before splitting into words. */
  lowercase: boolean;
  /** Keep words seen at least this many times. */
  minCount: number;
  /** The most entries, `[PAD]` and `[UNK]` included. */
  maxSize: number;
}

/** The special entries of a built vocabulary. */
export const PAD = '[PAD]';
export const UNK = '[UNK]';

/** WordPiece's longest word; a longer one is `[UNK]` whatever the vocabulary. */
const MAX_WORD_CHARS = 100;

/** A tokenizer.json of BERT's kind over `vocab` (whole words only). */
function wordTokenizerJson(vocab: Record<string, number>, lowercase: boolean): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: { pad_id: 0, pad_token: PAD },
    added_tokens: [],
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: UNK,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: MAX_WORD_CHARS,
      vocab,
    },
  };
}

/** The padding id a tokenizer.json declares: its padding's pad_id, else [PAD] or <pad>, else 0. */
function padIdOf(json: Record<string, unknown>, t: Tokenizer): number {
  const padding = json.padding;
  if (isJsonObject(padding) && Number.isInteger(padding.pad_id)) return padding.pad_id as number;
  return t.token_to_id(PAD) ?? t.token_to_id('<pad>') ?? 0;
}

/** A tokenizer.json and what a model needs to know of it. */
export class TextTokenizer {
  /** The tokenizer.json text. */
  readonly json: string;
  /** Rows the embedding table needs: the largest id plus one. */
  readonly vocabSize: number;
  /** The id that fills a text up to the model's length. */
  readonly padId: number;
  readonly #tokenizer: Tokenizer;

  private constructor(json: string, parsed: Record<string, unknown>, where: string) {
    let t: Tokenizer;
    try {
      t = new Tokenizer(parsed, {});
    } catch (e) {
      throw new FormatError(
        where,
        `not a tokenizer.json the tokenizers library can use (${snippet((e as Error).message, 100)})`,
      );
    }
    let largest = -1;
    for (const id of t.get_vocab(true).values()) {
      if (!Number.isInteger(id) || id < 0)
        throw new FormatError(where, `the vocabulary holds id ${id}, not a non-negative integer`);
      largest = Math.max(largest, id);
    }
    if (largest < 0) throw new FormatError(where, 'the vocabulary is empty');
    this.json = json;
    this.vocabSize = largest + 1;
    this.padId = padIdOf(parsed, t);
    if (!Number.isInteger(this.padId) || this.padId < 0 || this.padId >= this.vocabSize)
      throw new FormatError(where, `padding id ${this.padId} is outside the vocabulary of ${this.vocabSize}`);
    this.#tokenizer = t;
  }

  /**
   * A tokenizer from the text of a tokenizer.json; `where` names it in errors.
   *
   * @example
   * TextTokenizer.fromJson(readFileSync('tokenizer.json', 'utf8'), 'tokenizer.json').vocabSize; // 30522
   */
  static fromJson(text: string, where: string): TextTokenizer {
    // JSON.parse, not parseUntrusted: a vocabulary may hold the words 'constructor' and 'prototype',
    // and JSON.parse makes even '__proto__' an own key, never a prototype
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (e) {
      throw new FormatError(where, `not JSON (${snippet((e as Error).message, 80)})`);
    }
    if (!isJsonObject(parsed) || !isJsonObject(parsed.model))
      throw new FormatError(where, 'expected a tokenizer.json: a JSON object with a "model"');
    return new TextTokenizer(text, parsed, where);
  }

  /**
   * A word tokenizer whose vocabulary comes from `texts` (the training texts only).
   *
   * @example
   * TextTokenizer.build(texts, { lowercase: true, minCount: 2, maxSize: 5000 }).vocabSize; // at most 5000
   */
  static build(texts: readonly string[], o: VocabularyOptions): TextTokenizer {
    if (!Number.isInteger(o.maxSize) || o.maxSize < 3)
      throw new ValueError('vocabulary', `maxSize must be at least 3 ([PAD], [UNK] and one word), got ${o.maxSize}`);
    const splitter = new Tokenizer(wordTokenizerJson({ [PAD]: 0, [UNK]: 1 }, o.lowercase), {});
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const w of splitter.pre_tokenizer!(splitter.normalizer!(text))) {
        if ([...w].length <= MAX_WORD_CHARS) counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
    counts.delete(PAD);
    counts.delete(UNK);
    const words = [...counts]
      .filter(([, n]) => n >= o.minCount)
      .sort(([a, n], [b, m]) => m - n || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, o.maxSize - 2)
      .map(([w]) => w);
    const vocab: Record<string, number> = Object.create(null) as Record<string, number>;
    vocab[PAD] = 0;
    vocab[UNK] = 1;
    words.forEach((w, i) => {
      vocab[w] = i + 2;
    });
    const json = wordTokenizerJson(vocab, o.lowercase);
    return new TextTokenizer(JSON.stringify(json), json, 'built vocabulary');
  }

  /**
   * The ids of one text, special tokens included when the tokenizer adds them.
   *
   * @example
   * tok.ids('good film'); // [4, 2]
   */
  ids(text: string): number[] {
    return this.#tokenizer.encode(text).ids;
  }

  /**
   * Texts as ids [texts.length × maxLength], cut after `maxLength` tokens or filled with the
   * padding id, as float32 (exact for ids below 2^24): the features of a TensorDataset.
   *
   * @example
   * tok.encode(['good film', 'bad'], 3); // [4, 2, 0,  3, 0, 0]
   */
  encode(texts: readonly string[], maxLength: number): Float32Array {
    const out = new Float32Array(texts.length * maxLength).fill(this.padId);
    texts.forEach((text, i) => {
      const ids = this.ids(text);
      for (let j = 0; j < Math.min(maxLength, ids.length); j++) out[i * maxLength + j] = ids[j]!;
    });
    return out;
  }
}
