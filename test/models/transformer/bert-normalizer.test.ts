/**
 * BERT's CJK spacing and control characters where tokenizers.js 0.2.0's BertNormalizer departs from
 * BERT and the Rust tokenizers (ideographs beyond the BMP, unassigned code points); the golden of
 * tokenizer-golden.test.ts covers them through the Tokenizer.
 */
import * as hf from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { bertNormalizer, fixBertNormalizers, isCjkIdeograph, isControl, spaceCjk } from '../../../src/models/transformer/bert-normalizer.js';

type Normalizer = ((text: string) => string) & { normalizers?: unknown[] };
const lib = hf as unknown as { BertNormalizer: new (c: object) => Normalizer; SequenceNormalizer: new (c: object) => Normalizer };
const CONFIG = { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true };

describe('bert-normalizer', () => {
  it('CJK ideographs by code point, in and beyond the BMP', () => {
    expect([0x4e2d, 0x3400, 0xf900, 0x20000, 0x2a700, 0x2ceaf, 0x2f800].every(isCjkIdeograph)).toBe(true);
    expect([0x41, 0x3042, 0xac00, 0x3002, 0x2a6e0, 0x2fa20].some(isCjkIdeograph)).toBe(false);
    expect(spaceCjk('a中b\u{20000}c')).toBe('a 中 b \u{20000} c');
  });

  it('control characters: every category C* (unassigned included) but tab, newline, carriage return', () => {
    for (const ch of ['\u0000', '\u0007', '\u200b', '\ufeff', '\ue000', '\ud800', '\u0378', '\uffff']) expect(isControl(ch)).toBe(true);
    for (const ch of ['\t', '\n', '\r', ' ', 'a', '\u00a0', '中', '😀']) expect(isControl(ch)).toBe(false);
  });

  it('bertNormalizer and fixBertNormalizers (a Sequence too) normalize as BERT; the library class is left as it was', () => {
    expect(bertNormalizer(CONFIG)('A\u{20000}B\u0378C')).toBe('a \u{20000} bc');
    const seq = new lib.SequenceNormalizer({ type: 'Sequence', normalizers: [CONFIG] });
    expect(fixBertNormalizers(seq)('X\u{2A700}')).toBe('x \u{2A700} ');
    const plain = new lib.BertNormalizer(CONFIG) as unknown as Record<string, unknown>;
    expect([plain.tokenize_chinese_chars === spaceCjk, plain.is_control === isControl]).toEqual([false, false]);
    expect(fixBertNormalizers(null)).toBeNull();
  });
});
