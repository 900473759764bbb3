/**
 * BERT's normalizer where tokenizers.js 0.2.0's `BertNormalizer` departs from BERT
 * (google-research/bert `tokenization.py`) and from the Rust tokenizers (`normalizers/bert.rs`),
 * which agree with each other; found by the golden of bench/wordpiece-golden.py:
 * - CJK spacing: tokenizers.js reads UTF-16 code units, so the ideographs outside the BMP (the
 *   ranges from U+20000 on: CJK extensions B to E and the compatibility supplement) were not
 *   spaced, and "a𠀀b" stayed one word. Here: by code point, the eight ranges of BERT's
 *   `_is_chinese_char`.
 * - clean text: tokenizers.js drops the control characters of categories Cc, Cf, Co and Cs but
 *   keeps unassigned code points (Cn), which BERT (`category.startswith("C")`) and Rust
 *   (`is_other`) drop. Here: every category C* except \t, \n and \r.
 *
 * {@link fixBertNormalizers} replaces the two methods on the normalizer instances of one
 * tokenizer (the library's own class is left alone: other users of the package in the same
 * process see it unchanged); {@link bertNormalizer} makes a fixed one. Pure.
 */
import * as hf from '@huggingface/tokenizers';

/** BERT's `_is_chinese_char`: the CJK Unified Ideographs blocks and extensions, and the compatibility ideographs. */
const CJK_RANGES: readonly (readonly [number, number])[] = [
  [0x4e00, 0x9fff], [0x3400, 0x4dbf], [0x20000, 0x2a6df], [0x2a700, 0x2b73f],
  [0x2b740, 0x2b81f], [0x2b820, 0x2ceaf], [0xf900, 0xfaff], [0x2f800, 0x2fa1f],
];

/** True when the code point is a CJK ideograph in BERT's sense. */
export function isCjkIdeograph(cp: number): boolean {
  return CJK_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);
}

/** ' ' around every CJK ideograph, by code point: `spaceCjk('a中b')` is 'a 中 b'. */
export function spaceCjk(text: string): string {
  let out = '';
  for (const ch of text) out += isCjkIdeograph(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  return out;
}

/** BERT's `_is_control`: any category C* (Cc, Cf, Cs, Co, Cn), except \t, \n and \r (whitespace there). */
export function isControl(ch: string): boolean {
  return ch !== '\t' && ch !== '\n' && ch !== '\r' && /^\p{C}$/u.test(ch);
}

/** The part of a tokenizers.js normalizer this file touches. */
interface LibNormalizer {
  normalizers?: unknown;
  tokenize_chinese_chars?: (text: string) => string;
  is_control?: (ch: string) => boolean;
}
/** tokenizers.js' BertNormalizer class (exported by the package; its `export *` types do not resolve under NodeNext). */
const LibBertNormalizer = (hf as unknown as { BertNormalizer: new (config: object) => (text: string) => string }).BertNormalizer;

/**
 * Gives every BertNormalizer in a tokenizers.js normalizer (itself, or inside a Sequence) BERT's
 * CJK spacing and control characters (see the file comment). Returns the normalizer.
 */
export function fixBertNormalizers<T>(normalizer: T): T {
  const n = normalizer as LibNormalizer | null;
  if (n === null || (typeof n !== 'object' && typeof n !== 'function')) return normalizer;
  if (n instanceof LibBertNormalizer) {
    n.tokenize_chinese_chars = spaceCjk;
    n.is_control = isControl;
  }
  if (Array.isArray(n.normalizers)) for (const inner of n.normalizers) fixBertNormalizers(inner);
  return normalizer;
}

/** A tokenizers.js BertNormalizer of a tokenizer.json `normalizer` config, fixed: text -> normalized text. */
export function bertNormalizer(config: object): (text: string) => string {
  return fixBertNormalizers(new LibBertNormalizer({ ...config, type: 'BertNormalizer' }));
}
