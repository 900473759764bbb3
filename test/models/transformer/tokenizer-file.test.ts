/**
 * Tokenizers on disk: a folder, a tokenizer.json or a BERT vocab.txt (with tokenizer_config.json
 * beside it), saved and loaded back; every unusable file is one line naming it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../../src/models/transformer/tokenizer.js';
import { loadTokenizer, saveTokenizer } from '../../../src/models/transformer/tokenizer-file.js';
import { wordPieceTokenizerJSON } from '../../../src/models/transformer/wordpiece-vocab.js';
import { tempFiles } from '../../data/temp-files.js';

const { root, file, dataError } = tempFiles('tokenizer-file-');

/** BERT-style: [PAD]..[MASK] = 0..4, then words and pieces. */
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'un', '##aff', '##able', 'cafe', '.', 'The'];
const vocabTxt = VOCAB.map((t) => `${t}\n`).join('');
const ids = (t: Tokenizer, x: string) => Array.from(t.encode(x).ids);

describe('loadTokenizer: vocab.txt', () => {
  it('a folder with vocab.txt: a BERT uncased WordPiece tokenizer (lowercase, accents stripped)', () => {
    mkdirSync(join(root, 'bert'));
    writeFileSync(join(root, 'bert', 'vocab.txt'), vocabTxt);
    const t = loadTokenizer(join(root, 'bert'));
    expect(t.modelType).toBe('WordPiece');
    expect(t.vocabSize).toBe(14);
    expect([t.padId, t.unkId, t.clsId, t.sepId, t.maskId]).toEqual([0, 1, 2, 3, 4]);
    // "The Café sat." -> the cafe sat . (uncased)
    expect(ids(t, 'The Café sat.')).toEqual([2, 5, 11, 7, 12, 3]);
    expect(t.toJSON()).toEqual(wordPieceTokenizerJSON(VOCAB));
  });

  it('tokenizer_config.json beside it: do_lower_case false keeps case and accents; model_max_length', () => {
    const dir = join(root, 'cased');
    mkdirSync(dir);
    writeFileSync(join(dir, 'vocab.txt'), vocabTxt);
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false, model_max_length: 128 }));
    const t = loadTokenizer(dir);
    // "The" is its own token (13); "the" stays 5; "Café" keeps its accent -> [UNK]
    expect(ids(t, 'The the Café')).toEqual([2, 13, 5, 1, 3]);
    expect(t.maxLength).toBe(128);
    expect(t.tokenizerConfig()).toEqual({ do_lower_case: false, model_max_length: 128 });
  });

  it('CRLF line ends and a BOM; a last line without a line break', () => {
    const t = loadTokenizer(file('crlf.txt', `\uFEFF${VOCAB.join('\r\n')}`));
    expect(t.vocab()).toEqual(VOCAB);
  });

  it('a bad vocab.txt: one line naming the file and the line', () => {
    expect(dataError(() => loadTokenizer(file('dup.txt', '[UNK]\na\nb\na\n')))).toBe('<tmp>/dup.txt, line 4: expected a token not seen before, found "a", already on line 2');
    expect(dataError(() => loadTokenizer(file('blank.txt', '[UNK]\n\na\n')))).toBe('<tmp>/blank.txt, line 2: expected a token, found an empty line');
    expect(dataError(() => loadTokenizer(file('empty.txt', '')))).toBe('<tmp>/empty.txt, line 1: expected one token per line, found an empty file');
    expect(dataError(() => loadTokenizer(file('nounk.txt', 'a\nb\n')))).toBe('<tmp>/nounk.txt: expected a BERT vocab.txt, found the unknown token (unkToken) must be in the vocabulary, received "[UNK]", which is not');
  });
});

describe('loadTokenizer: tokenizer.json', () => {
  it('a folder with tokenizer.json (preferred to vocab.txt), or the file itself', () => {
    const dir = join(root, 'both');
    mkdirSync(dir);
    // tokenizer.json cased, vocab.txt uncased: the folder loads tokenizer.json
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordPieceTokenizerJSON(VOCAB, { lowercase: false })));
    writeFileSync(join(dir, 'vocab.txt'), vocabTxt);
    expect(ids(loadTokenizer(dir), 'The')).toEqual([2, 13, 3]);
    expect(ids(loadTokenizer(join(dir, 'tokenizer.json')), 'The')).toEqual([2, 13, 3]);
    expect(ids(loadTokenizer(join(dir, 'vocab.txt')), 'The')).toEqual([2, 5, 3]);
  });

  it('Tokenizer.fromFile (async, Node) reads the same', async () => {
    const path = file('async-vocab.txt', vocabTxt);
    const t = await Tokenizer.fromFile(path);
    expect(ids(t, 'the cat')).toEqual([2, 5, 6, 3]);
  });

  it('unusable paths and files: one line naming the path', () => {
    expect(dataError(() => loadTokenizer(join(root, 'none')))).toBe('<tmp>/none: expected a tokenizer.json, a vocab.txt or a folder holding one, found nothing at this path');
    mkdirSync(join(root, 'other'));
    writeFileSync(join(root, 'other', 'config.json'), '{}');
    expect(dataError(() => loadTokenizer(join(root, 'other')))).toBe('<tmp>/other: expected a folder holding tokenizer.json or vocab.txt, found neither (files: config.json)');
    expect(dataError(() => loadTokenizer(file('model.bin', 'x')))).toBe('<tmp>/model.bin: expected a tokenizer.json, a vocab.txt or a folder holding one, found a .bin file');
    expect(dataError(() => loadTokenizer(file('bad.json', '{"model": ')))).toMatch(/^<tmp>\/bad\.json: expected a tokenizer\.json, found invalid JSON \(/);
    expect(dataError(() => loadTokenizer(file('level.json', '{"model": {"type": "WordLevel", "vocab": {}}}')))).toBe('<tmp>/level.json: expected model.type WordPiece or BPE or Unigram, found "WordLevel"');
    expect(dataError(() => loadTokenizer(file('nomodel.json', '{"version": "1.0"}')))).toBe("<tmp>/nomodel.json: expected a tokenizer.json with a 'model' object, found undefined");
    mkdirSync(join(root, 'badconfig'));
    writeFileSync(join(root, 'badconfig', 'vocab.txt'), vocabTxt);
    writeFileSync(join(root, 'badconfig', 'tokenizer_config.json'), '{oops');
    expect(dataError(() => loadTokenizer(join(root, 'badconfig')))).toMatch(/^<tmp>\/badconfig\/tokenizer_config\.json: expected a tokenizer_config\.json \(beside vocab\.txt\), found invalid JSON \(/);
  });
});

describe('saveTokenizer', () => {
  it('writes tokenizer.json, vocab.txt (WordPiece) and tokenizer_config.json; both load back to the same ids', () => {
    const t = loadTokenizer(file('save-vocab.txt', vocabTxt), { config: { do_lower_case: true, model_max_length: 32 } });
    const dir = join(root, 'saved', 'tok');
    const written = saveTokenizer(t, dir);
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual(['vocab.txt', 'tokenizer_config.json', 'tokenizer.json']);
    expect(readFileSync(join(dir, 'vocab.txt'), 'utf8')).toBe(vocabTxt);
    const texts = ['The Café sat.', 'unaffable cat', 'zebra'];
    const fromJson = loadTokenizer(dir);
    const fromVocab = loadTokenizer(join(dir, 'vocab.txt'));
    for (const x of texts) {
      expect(ids(fromJson, x)).toEqual(ids(t, x));
      expect(ids(fromVocab, x)).toEqual(ids(t, x));
    }
    expect(fromJson.maxLength).toBe(32);
    expect(() => saveTokenizer({} as never, dir)).toThrow('saveTokenizer: tokenizer must be a Tokenizer, received [object Object]');
  });
});
