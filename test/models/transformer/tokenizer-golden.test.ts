/**
 * Our BERT tokenizer (tokenizers.js + ../../../src/models/transformer/tokenizer.ts) against BERT's
 * original tokenization (google-research/bert tokenization.py + run_classifier.py), re-implemented
 * literally in bench/wordpiece-golden.py, which wrote test/fixtures/bert-tiny/tokenizer-golden.json:
 * ids, attention masks and type ids, truncated and padded to max_seq_length, of ~45 tricky strings
 * (accents, CJK, emoji, control characters, whitespace, long words, special tokens in text,
 * pairs), for the fixture's 100-token vocab.txt (uncased and cased) and for the vocabulary our
 * WordPiece trainer makes of test/fixtures/wordpiece-trained/corpus.txt.
 *
 * Where Hugging Face differs from the 2018 algorithm by design, a case holds both and names the
 * reason (`differs`, see the script's doc): we match Hugging Face there, and the list of such
 * cases is pinned below so a new disagreement cannot pass unseen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tokenizer, type TextInput } from '../../../src/models/transformer/tokenizer.js';
import { trainWordPiece, trainWordPieceVocab } from '../../../src/models/transformer/wordpiece-trainer.js';
import { parseVocab } from '../../../src/models/transformer/wordpiece-vocab.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

interface Encoded {
  tokens: string[];
  input_ids: number[];
  input_mask: number[];
  segment_ids: number[];
}
interface Case extends Encoded {
  name: string;
  text: string;
  text_b?: string;
  differs?: 'special-tokens' | 'pair-truncation';
  hf?: Encoded;
}
interface GoldenSet {
  name: string;
  vocab: string;
  do_lower_case: boolean;
  max_seq_length: number;
  cases: Case[];
}
const golden = JSON.parse(readFileSync(join(FIXTURES, 'bert-tiny', 'tokenizer-golden.json'), 'utf8')) as { sets: GoldenSet[] };
const set = (name: string) => golden.sets.find((s) => s.name === name)!;

const input = (c: Case): TextInput => (c.text_b === undefined ? c.text : [c.text, c.text_b]);
/** What we must give: Hugging Face's encoding where it differs by design, else BERT's. */
const expected = (c: Case): Encoded => c.hf ?? c;
const unpadded = (e: Encoded) => e.input_ids.slice(0, e.input_mask.indexOf(0) === -1 ? e.input_ids.length : e.input_mask.indexOf(0));

/** Every case, alone (encode with maxLength) and all together (encodeBatch padded to max_seq_length). */
function checkSet(tok: Tokenizer, s: GoldenSet): void {
  const L = s.max_seq_length;
  for (const c of s.cases) {
    const want = expected(c);
    const got = tok.encode(input(c), { maxLength: L });
    expect({ name: c.name, ids: Array.from(got.ids) }).toEqual({ name: c.name, ids: unpadded(want) });
    expect({ name: c.name, tokens: Array.from(got.ids, (id) => tok.idToToken(id)) }).toEqual({ name: c.name, tokens: want.tokens });
  }
  const b = tok.encodeBatch(s.cases.map(input), { maxLength: L, padding: 'max_length' });
  expect(b.length).toBe(L);
  s.cases.forEach((c, i) => {
    const want = expected(c);
    const row = (a: Int32Array) => Array.from(a.subarray(i * L, (i + 1) * L));
    expect({ name: c.name, ids: row(b.ids), mask: row(b.attentionMask), types: row(b.typeIds) })
      .toEqual({ name: c.name, ids: want.input_ids, mask: want.input_mask, types: want.segment_ids });
  });
}

describe('tokenizer golden: test/fixtures/bert-tiny/vocab.txt (bench/wordpiece-golden.py)', () => {
  it('uncased: the model folder as users load it (Tokenizer.fromFile; loadHfBert reads the same) gives BERT\'s ids, masks and type ids', async () => {
    const s = set('bert-tiny uncased');
    expect(s.cases.length).toBeGreaterThanOrEqual(40);
    const tok = await Tokenizer.fromFile(join(FIXTURES, 'bert-tiny'));
    expect(tok.vocabSize).toBe(100); // the model's vocab_size
    checkSet(tok, s);
  });

  it('cased (tokenizer_config do_lower_case: false): case and accents kept', async () => {
    const tok = await Tokenizer.fromFile(join(FIXTURES, 'bert-tiny', 'vocab.txt'), { config: { do_lower_case: false } });
    checkSet(tok, set('bert-tiny cased'));
  });

  it('the disagreements with the 2018 algorithm are exactly the documented ones (Hugging Face by design)', () => {
    const differs = golden.sets.flatMap((s) => s.cases.filter((c) => c.differs).map((c) => `${s.name}: ${c.name} (${c.differs})`));
    // "[MASK]" / "[SEP]" in a text: one added token each in Hugging Face, '[' 'mask' ']' in BERT.
    // A pair cut to an odd budget (13 = 16 - 3): the extra token to the longer text (B on a tie) in
    // Hugging Face, to A in BERT.
    const three = (set: string) => ['special-token-in-text (special-tokens)', 'pair-truncated-8-9 (pair-truncation)', 'pair-truncated-10-10 (pair-truncation)'].map((c) => `${set}: ${c}`);
    expect(differs).toEqual([...three('bert-tiny uncased'), ...three('bert-tiny cased'), 'wordpiece-trained: special-token-in-text (special-tokens)']);
    const uncased = (name: string) => set('bert-tiny uncased').cases.find((c) => c.name === name)!;
    const mask = uncased('special-token-in-text');
    expect(mask.tokens).toEqual(['[CLS]', 'the', '[', 'mask', ']', 'sat', '[', '[UNK]', ']', '[SEP]']);
    expect(mask.hf!.tokens).toEqual(['[CLS]', 'the', '[MASK]', 'sat', '[SEP]', '[SEP]']);
    /** [tokens of A, tokens of B] in [CLS] A [SEP] B [SEP]. */
    const lengths = (e: Encoded) => [e.tokens.indexOf('[SEP]') - 1, e.tokens.length - e.tokens.indexOf('[SEP]') - 2];
    const pair = uncased('pair-truncated-8-9'); // A 8 tokens, B 9
    expect([lengths(pair), lengths(pair.hf!)]).toEqual([[7, 6], [6, 7]]);
    const tie = uncased('pair-truncated-10-10');
    expect([lengths(tie), lengths(tie.hf!)]).toEqual([[7, 6], [6, 7]]);
  });
});

describe('tokenizer golden: the vocabulary our WordPiece trainer makes', () => {
  const corpus = readFileSync(join(FIXTURES, 'wordpiece-trained', 'corpus.txt'), 'utf8').split('\n').filter((l) => l !== '');
  const vocabFile = join(FIXTURES, 'wordpiece-trained', 'vocab.txt');

  it('training the corpus again gives the committed vocab.txt (deterministic)', () => {
    expect(trainWordPieceVocab(corpus, { vocabSize: 300 })).toEqual(parseVocab(readFileSync(vocabFile, 'utf8')));
  });

  it('the trained tokenizer and its vocab.txt give BERT\'s encodings of the training texts and tricky strings', async () => {
    const s = set('wordpiece-trained');
    checkSet(trainWordPiece(corpus, { vocabSize: 300 }), s);
    checkSet(await Tokenizer.fromFile(vocabFile), s);
  });

  it('training texts: no [UNK], and decode(encode(text)) encodes to the same ids', () => {
    const tok = trainWordPiece(corpus, { vocabSize: 300 });
    for (const text of corpus) {
      const ids = Array.from(tok.encode(text).ids);
      expect({ text, unk: ids.includes(tok.unkId!) }).toEqual({ text, unk: false });
      const back = tok.decode(ids, { skipSpecialTokens: true });
      expect({ text, ids: Array.from(tok.encode(back).ids) }).toEqual({ text, ids });
    }
    // Already-normalized text (lowercase, no accents, words and single spaces) comes back as it was.
    expect(tok.decode(tok.encode('the dog played in the garden').ids, { skipSpecialTokens: true })).toBe('the dog played in the garden');
  });
});
