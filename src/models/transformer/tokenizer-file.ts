/**
 * A tokenizer on disk (Node only): what `Tokenizer.fromFile` reads and `saveTokenizer` writes.
 *
 * `loadTokenizer(path)` takes
 * - a folder: its `tokenizer.json` when present, else its `vocab.txt`;
 * - a `.json` file: a Hugging Face tokenizer.json (WordPiece, BPE or Unigram model);
 * - a `.txt` file: a BERT `vocab.txt` (one token per line, line k = id k), made a BERT WordPiece
 *   tokenizer by ./wordpiece-vocab.ts with the BERT defaults, overridden by the tokenizer_config.json
 *   keys `do_lower_case` (default true), `strip_accents`, `tokenize_chinese_chars`, `unk_token`,
 *   `cls_token`, `sep_token`, `pad_token`, `mask_token`;
 * and in every case the `tokenizer_config.json` beside the file when there is one (special token
 * names, `model_max_length`).
 *
 * A file that cannot be used is a one-line DataError naming it: `<path>: expected <...>, found <...>`
 * (nothing at the path, invalid JSON, a tokenizer.json the library refuses, a bad vocab.txt line).
 *
 * `saveTokenizer(tokenizer, dir)` writes `tokenizer.json`, `vocab.txt` for a WordPiece model (so
 * BERT tools that read only vocab.txt can use it) and `tokenizer_config.json` when the tokenizer has
 * one, each atomically (../../util/atomic-file.ts).
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { DataError } from '../../data/data-error.js';
import { readText } from '../../data/read-text.js';
import { writeFilesAtomic } from '../../util/atomic-file.js';
import { Tokenizer, TokenizerJSONError, type TokenizerOptions } from './tokenizer.js';
import { parseVocab, vocabText, VocabError, wordPieceTokenizerJSON, type WordPieceJSONOptions } from './wordpiece-vocab.js';

export const TOKENIZER_FILE = 'tokenizer.json';
export const VOCAB_FILE = 'vocab.txt';
export const CONFIG_FILE = 'tokenizer_config.json';

const EXPECTED = 'a tokenizer.json, a vocab.txt or a folder holding one';

/**
 * The tokenizer at `path` (see the file comment). `options` are those of Tokenizer.fromJSON; its
 * `config` replaces the tokenizer_config.json on disk.
 *
 * @throws DataError (one line naming the file) when the files cannot make a tokenizer.
 */
export function loadTokenizer(path: string, options: TokenizerOptions = {}): Tokenizer {
  if (typeof path !== 'string' || path === '') throw new Error(`loadTokenizer: path must be a non-empty string, received ${String(path)}`);
  const kind = kindOf(path);
  if (kind === 'none') throw new DataError(path, EXPECTED, 'nothing at this path');
  let file = path;
  if (kind === 'dir') {
    const names = readdirSync(path);
    if (names.includes(TOKENIZER_FILE)) file = join(path, TOKENIZER_FILE);
    else if (names.includes(VOCAB_FILE)) file = join(path, VOCAB_FILE);
    else throw new DataError(path, `a folder holding ${TOKENIZER_FILE} or ${VOCAB_FILE}`, `neither (files: ${names.slice(0, 8).join(', ') || 'none'}${names.length > 8 ? ', ...' : ''})`);
  }
  const ext = extname(file).toLowerCase();
  if (ext !== '.json' && ext !== '.txt') throw new DataError(file, EXPECTED, `a ${ext || 'extensionless'} file`);

  const config = options.config ?? readConfig(join(dirname(file), CONFIG_FILE), file);
  const withConfig: TokenizerOptions = { ...options, ...(config ? { config } : {}) };
  if (ext === '.txt') return fromVocabFile(file, withConfig);

  const text = readText(file, 'a tokenizer.json');
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new DataError(file, 'a tokenizer.json', `invalid JSON (${(err as Error).message})`);
  }
  try {
    return Tokenizer.fromJSON(json as object, withConfig);
  } catch (err) {
    if (err instanceof TokenizerJSONError) throw new DataError(file, err.expected, err.received);
    throw err;
  }
}

/**
 * Writes the tokenizer into `dir` (created if missing): tokenizer.json, vocab.txt (WordPiece only)
 * and tokenizer_config.json (when it has one). Returns the paths written.
 */
export function saveTokenizer(tokenizer: Tokenizer, dir: string): string[] {
  if (!(tokenizer instanceof Tokenizer)) throw new Error(`saveTokenizer: tokenizer must be a Tokenizer, received ${String(tokenizer)}`);
  if (typeof dir !== 'string' || dir === '') throw new Error(`saveTokenizer: dir must be a non-empty string, received ${String(dir)}`);
  mkdirSync(dir, { recursive: true });
  const files: { path: string; data: string }[] = [];
  if (tokenizer.modelType === 'WordPiece') files.push({ path: join(dir, VOCAB_FILE), data: vocabText(tokenizer.vocab()) });
  const config = tokenizer.tokenizerConfig();
  if (Object.keys(config).length > 0) files.push({ path: join(dir, CONFIG_FILE), data: `${JSON.stringify(config, null, 2)}\n` });
  files.push({ path: join(dir, TOKENIZER_FILE), data: `${JSON.stringify(tokenizer.toJSON(), null, 2)}\n` });
  writeFilesAtomic(files);
  return files.map((f) => f.path);
}

/** A BERT WordPiece tokenizer from a vocab.txt and the tokenizer_config keys of the file comment. */
function fromVocabFile(file: string, options: TokenizerOptions): Tokenizer {
  let vocab: string[];
  try {
    vocab = parseVocab(readText(file, 'a vocab.txt'));
  } catch (err) {
    if (err instanceof VocabError) throw new DataError(file, err.expected, err.found, { line: err.line });
    throw err;
  }
  const c = options.config ?? {};
  const bool = (key: string): boolean | undefined => (typeof c[key] === 'boolean' ? (c[key] as boolean) : undefined);
  const token = (key: string): string | undefined => {
    const v = c[key];
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
    return undefined;
  };
  const wp: WordPieceJSONOptions = {};
  const set = <K extends keyof WordPieceJSONOptions>(k: K, v: WordPieceJSONOptions[K] | undefined) => {
    if (v !== undefined) wp[k] = v;
  };
  set('lowercase', bool('do_lower_case'));
  set('stripAccents', bool('strip_accents'));
  set('handleChineseChars', bool('tokenize_chinese_chars'));
  set('unkToken', token('unk_token'));
  set('clsToken', token('cls_token'));
  set('sepToken', token('sep_token'));
  set('padToken', token('pad_token'));
  set('maskToken', token('mask_token'));
  let json: Record<string, unknown>;
  try {
    json = wordPieceTokenizerJSON(vocab, wp);
  } catch (err) {
    throw new DataError(file, 'a BERT vocab.txt', (err as Error).message.replace(/^wordPieceTokenizerJSON: /, ''));
  }
  return Tokenizer.fromJSON(json, options);
}

/** The tokenizer_config.json at `path`, undefined when there is none. */
function readConfig(path: string, forFile: string): Record<string, unknown> | undefined {
  if (kindOf(path) !== 'file') return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(readText(path, 'a tokenizer_config.json').replace(/^\uFEFF/, ''));
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(path, `a tokenizer_config.json (beside ${basename(forFile)})`, `invalid JSON (${(err as Error).message})`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new DataError(path, 'a JSON object', Array.isArray(obj) ? 'an array' : String(obj));
  return obj as Record<string, unknown>;
}

function kindOf(path: string): 'dir' | 'file' | 'none' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}
