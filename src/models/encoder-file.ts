/**
 * An encoder on disk (Node): a directory holding two files (three for a text encoder with a
 * tokenizer: `tokenizer.json` too).
 *
 * `encoder.json` (UTF-8 JSON, the manifest; `EncoderManifest` in ./encoder.ts):
 * - `format`: "contrastive-encoder", `version`: 1. Anything else is refused with
 *   "expected format contrastive-encoder version 1, received format F version V".
 * - `name` (string), `dim` (D, the width of one embedding), `input` (the `ItemSpec`:
 *   `{kind:'image', height, width, channels}` | `{kind:'vector', dim, columns?}` | `{kind:'text'}`),
 *   `preprocessing` (versioned: `{kind:'image', version:1, scale}` | `{kind:'vector', version:1,
 *   mean?, std?}` | `{kind:'text', version:1}` (no tokenizer) | `{kind:'text', version:1, maxLength,
 *   tokenizer: { file: "tokenizer.json", byteLength, checksum: { algorithm: "crc32", value },
 *   specialTokens: { pad?, unk?, cls?, sep?, mask? }, config? }}`; see ./encoder.ts), `metadata`
 *   (any JSON object),
 *   `producer` ({library, tfjsLayers}: informative only).
 * - `topology`: the tfjs-layers model topology, `model.toJSON(null, false)` (the `modelTopology` of
 *   a tfjs `model.json`; our BatchNorm layers appear as class `ContrastiveBatchNorm`).
 * - `weights`: `{ file: "weights.bin", byteLength, byteOrder: "little-endian",
 *   checksum: { algorithm: "crc32", value }, entries: [{ name, shape, dtype, offset, byteLength }] }`.
 *   `name` is the tfjs-layers weight's original name (`<layer>/<weight>`), `dtype` "float32" or
 *   "int32", `byteLength` = 4 x prod(shape); entries are contiguous in manifest order (entry k starts
 *   where entry k-1 ends, the first at 0, no padding) and their byteLengths sum to
 *   `weights.byteLength`. `checksum.value` is the CRC-32 (IEEE 802.3 / zlib: reflected polynomial
 *   0xEDB88320, init and final XOR 0xFFFFFFFF) of the whole weight file, 8 lowercase hex digits.
 *
 * `weights.bin`: the raw values of every entry, IEEE-754 float32 (or int32), little-endian,
 * row-major (C order) in each entry's shape, concatenated; nothing else (no header).
 *
 * `tokenizer.json` (text encoders with a tokenizer only): the tokenizer as Hugging Face's
 * tokenizer.json (UTF-8 JSON, `tokenizer.toJSON()`, readable by `Tokenizer.fromFile` and the
 * `tokenizers` libraries), a separate file so the manifest stays small (a 30k vocabulary is ~1 MB).
 * Its byte length and CRC-32 are in `preprocessing.tokenizer`; `specialTokens` (the token of each
 * role) and `config` (the tokenizer_config.json it was made with, when any) rebuild it exactly.
 * The format stays version 1: image and vector manifests are unchanged, and a text manifest
 * without `tokenizer` loads as before.
 *
 * Loading refuses, with an error naming the file: a missing directory or file, invalid JSON, another
 * format or version, bad fields, a weight or tokenizer file of another length (truncated), a CRC-32
 * mismatch, a tokenizer file that is not a tokenizer.json,
 * float32 weights that hold NaN/Infinity, weights that do not fit the topology.
 *
 * Atomic save: into a directory that does not exist yet, both files are written into a temporary
 * directory beside it (`.<dir>.tmp-<pid>-<random>`), which is then renamed to `dir` (all or
 * nothing). Temporary files and folders that a killed writer left (of a pid that no longer runs)
 * are removed at the next save. Into an existing directory
 * (other files in it are kept), each file is written to a temporary name, flushed, and renamed:
 * weights.bin first, then tokenizer.json, encoder.json last. The manifest is the commit point: a reader sees the old or
 * the new encoder.json, and a crash between the two renames leaves the old manifest beside the new
 * weights, which loading refuses with a checksum error instead of mixing two models.
 */
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { removeLeftovers, temporaryPath } from '../util/atomic-file.js';
import { Encoder, MANIFEST_FILE, checkManifest, nonFiniteWeight } from './encoder.js';

async function writeDurable(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function kindOf(path: string): Promise<'dir' | 'file' | 'none'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw e;
  }
}

/** Refuses NaN/Infinity in float32 weights (an unloadable file is never written). */
function checkFinite(path: string, encoder: Encoder): void {
  const bad = nonFiniteWeight(encoder.model);
  if (bad) throw new Error(`saveEncoder: ${path}: weights hold NaN/Infinity: '${bad.name}'[${bad.index}] = ${bad.value}; nothing written`);
}

/** Writes `encoder` as `dir/encoder.json` + `dir/weights.bin` (see the file comment), atomically. */
export async function saveEncoder(encoder: Encoder, dir: string): Promise<void> {
  if (!(encoder instanceof Encoder)) throw new Error(`saveEncoder: encoder must be an Encoder, received ${String(encoder)}`);
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`saveEncoder: dir must be a non-empty path, received ${JSON.stringify(dir)}`);
  const target = resolve(dir);
  checkFinite(target, encoder);
  const { manifest, weights, tokenizer } = encoder.toArtifacts();
  const json = `${JSON.stringify(manifest, null, 1)}\n`;
  // Parts besides the manifest, in write order (the manifest, the commit point, comes last).
  const parts: [string, Uint8Array][] = [[manifest.weights.file, weights]];
  if (tokenizer && manifest.preprocessing.kind === 'text' && manifest.preprocessing.tokenizer) parts.push([manifest.preprocessing.tokenizer.file, tokenizer]);
  const kind = await kindOf(target);
  removeLeftovers(dirname(target)); // temporary folders of writers killed before their rename
  if (kind === 'file') throw new Error(`saveEncoder: ${target} must be a directory (or not exist yet), received a file`);
  if (kind === 'none') {
    await mkdir(dirname(target), { recursive: true });
    const tmp = temporaryPath(target); // .<name>.tmp-<pid>-<random>: a killed writer's is removed next time
    try {
      await mkdir(tmp);
      for (const [file, bytes] of parts) await writeDurable(join(tmp, file), bytes);
      await writeDurable(join(tmp, MANIFEST_FILE), json);
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw new Error(`saveEncoder: could not write ${target}: ${(e as Error).message}`);
    }
    return;
  }
  const mPath = join(target, MANIFEST_FILE);
  const files = parts.map(([file, bytes]) => ({ path: join(target, file), tmp: temporaryPath(join(target, file)), bytes }));
  const mTmp = temporaryPath(mPath);
  removeLeftovers(target);
  try {
    for (const f of files) await writeDurable(f.tmp, f.bytes);
    await writeDurable(mTmp, json);
    for (const f of files) await rename(f.tmp, f.path);
    await rename(mTmp, mPath); // the commit point
  } catch (e) {
    for (const f of files) await rm(f.tmp, { force: true });
    await rm(mTmp, { force: true });
    throw new Error(`saveEncoder: could not write ${mPath}: ${(e as Error).message}`);
  }
}

/**
 * Loads the encoder saved in `path`: its directory, or the path of its encoder.json. Every check of
 * the file comment applies; errors name the file.
 */
export async function loadEncoder(path: string): Promise<Encoder> {
  if (typeof path !== 'string' || path.length === 0) throw new Error(`loadEncoder: path must be a non-empty path, received ${JSON.stringify(path)}`);
  const given = resolve(path);
  const kind = await kindOf(given);
  if (kind === 'none') throw new Error(`loadEncoder: ${given} does not exist (expected an encoder directory or its ${MANIFEST_FILE})`);
  const manifestPath = kind === 'dir' ? join(given, MANIFEST_FILE) : given;
  const dir = dirname(manifestPath);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `loadEncoder: ${manifestPath} is missing (expected ${MANIFEST_FILE} in ${dir})` : `loadEncoder: cannot read ${manifestPath}: ${(e as Error).message}`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new Error(`loadEncoder: ${manifestPath} is not valid JSON: ${(e as Error).message}`);
  }
  const m = checkManifest(`loadEncoder: ${manifestPath}`, manifest);
  const weightsPath = join(dir, m.weights.file);
  let bytes: Uint8Array;
  try {
    const buf = await readFile(weightsPath);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `loadEncoder: ${weightsPath} is missing (named by ${manifestPath})` : `loadEncoder: cannot read ${weightsPath}: ${(e as Error).message}`);
  }
  const t = m.preprocessing.kind === 'text' ? m.preprocessing.tokenizer : undefined;
  const tokenizerPath = t ? join(dir, t.file) : undefined;
  let tokenizer: Uint8Array | undefined;
  if (tokenizerPath) {
    try {
      const buf = await readFile(tokenizerPath);
      tokenizer = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `loadEncoder: ${tokenizerPath} is missing (named by ${manifestPath})` : `loadEncoder: cannot read ${tokenizerPath}: ${(e as Error).message}`);
    }
  }
  try {
    return await Encoder.fromArtifacts(m, bytes, { manifest: manifestPath, weights: weightsPath, tokenizer: tokenizerPath }, { tokenizer });
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(msg.startsWith('Encoder.fromArtifacts: ') ? `loadEncoder: ${msg.slice('Encoder.fromArtifacts: '.length)}` : msg);
  }
}
