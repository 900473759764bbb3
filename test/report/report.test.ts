import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collapseChart, equalAspectDomains, knnChart, lossChart } from '../../src/report/charts.js';
import { escapeHtml, formatDelta, formatNumber, formatValue } from '../../src/report/format.js';
import { gallerySheetSvg } from '../../src/report/gallery-sheet.js';
import { classColors, TABLEAU10 } from '../../src/report/palette.js';
import type { ReportData } from '../../src/report/report-data.js';
import { thumbnailPng, tileScale } from '../../src/report/thumbnail.js';
import { renderReport, writeReport } from '../../src/report/write-report.js';
import { Rng } from '../../src/util/random.js';
import { CLASS_NAMES, syntheticReport, thumb } from './synthetic-report.js';

const svgSize = (svg: string): [number, number] => {
  const m = /^<svg[^>]*\swidth="([\d.]+)" height="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('no svg size');
  return [Number(m[1]), Number(m[2])];
};

/** The inline chart SVGs of a page, by the PNG file named in their caption. */
const inlineCharts = (html: string): Map<string, string> =>
  new Map([...html.matchAll(/<figure class="chart"[^>]*>(<svg[\s\S]*?<\/svg>)<figcaption>([^<]+)<\/figcaption>/g)].map((m) => [m[2], m[1]]));

const data = syntheticReport();
const tiles = data.gallery!.reduce((s, r) => s + 1 + r.neighbours.length, 0); // 4 rows x 6

describe('report text', () => {
  it('escapes HTML specials', () => {
    expect(escapeHtml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
    expect(escapeHtml('plain')).toBe('plain');
  });

  it('formats fractions as percentages and numbers compactly', () => {
    expect(formatValue(0.8734, 'fraction')).toBe('87.3%');
    expect(formatValue(0.21345, 'number')).toBe('0.2135');
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(1234.56)).toBe('1234.6');
    expect(formatNumber(0.00012)).toBe('1.20e-4');
    expect(formatDelta(0.853, 0.712, 'fraction')).toBe('+14.1 pp');
    expect(formatDelta(0.5, 0.7, 'fraction')).toBe('−20.0 pp');
    expect(formatDelta(2, 2, 'number')).toBe('±0');
  });

  it('palette: Tableau 10 up to 10 classes, Tableau 20 beyond', () => {
    expect(classColors(3)).toEqual(TABLEAU10.slice(0, 3));
    expect(classColors(12)[1]).toBe('#9ecae9');
    expect(new Set(classColors(20)).size).toBe(20);
  });
});

describe('renderReport', () => {
  it('escapes every caller string: title, info, class names (also inside the chart SVGs), table cells', async () => {
    const hostile: ReportData = {
      ...data,
      title: '<script>alert(1)</script>',
      info: [['path', 'runs/<img src=x onerror=alert(1)>']],
      metrics: [{ name: 'a</td><td>b', value: 0.5, kind: 'fraction', note: '"quoted"' }],
    };
    const { html } = await renderReport(hostile);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('a</td><td>b');
    for (const name of CLASS_NAMES.filter((c) => /[<&"]/.test(c))) expect(html).not.toContain(name);
    expect(html).toContain('ring &lt;o&gt;');
    expect(html).toContain('checks &amp; &quot;dots&quot;');
    expect(html.match(/<script>/g)!.length).toBe(1); // only the self-check
  });

  it('is self-contained: no external URL is loaded (only data: images, and the svg namespace)', async () => {
    const { html } = await renderReport(data);
    const srcs = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(srcs.length).toBeGreaterThanOrEqual(tiles);
    for (const s of srcs) expect(s.startsWith('data:image/png;base64,') || s.startsWith('#')).toBe(true);
    expect(html).not.toMatch(/<link|@import|url\(http/);
    // chart element ids are prefixed per chart, so inline SVGs do not clash
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('metrics table: fractions as percentages, the baseline and the difference, — without a baseline', async () => {
    const { html } = await renderReport(data);
    expect(html).toContain('<td class="num">85.3%</td><td class="num">71.2%</td><td class="num">+14.1 pp</td>');
    expect(html).toContain('<td class="num">0.2134</td><td class="num">—</td><td class="num">—</td>');
    expect(html).toContain('<td class="num">80.0%</td>'); // per-class fraction column
  });

  it('leaves out what is absent: no history -> no training charts; no map, gallery or per-class', async () => {
    const { html, pngs } = await renderReport({ title: 't', info: [], metrics: [], history: [] });
    expect(pngs).toEqual([]);
    expect(html).toContain('data-charts-expected="0" data-images-expected="0"');
    const only = await renderReport({ ...data, history: data.history.map(({ epoch, loss }) => ({ epoch, loss })) });
    expect(only.pngs.map((p) => p.file)).toEqual(['loss.png', 'map.png', 'gallery.png']);
  });

  it('chart specs: kNN and collapse only over epochs that have them; 1/sqrt(d) reference only with d', () => {
    const h = [{ epoch: 1, loss: 2, knnTop1: 0.5 }, { epoch: 2, loss: 1.5 }, { epoch: 3, loss: 1, knnTop1: 0.7, collapseStd: 0.05 }];
    const values = (spec: object) => (spec as { data: { values: object[] } }).data.values;
    expect(values(lossChart(h)).length).toBe(3);
    expect(values(knnChart(h))).toEqual([{ epoch: 1, top1: 0.5 }, { epoch: 3, top1: 0.7 }]);
    expect((collapseChart(h) as { layer: object[] }).layer.length).toBe(1);
    expect(JSON.stringify(collapseChart(h, 64))).toContain('1/√64');
  });

  it('map domains keep one unit per pixel on both axes and a margin', () => {
    const d = equalAspectDomains([0, 10], [0, 1], 400, 200);
    expect((d.x[1] - d.x[0]) / 400).toBeCloseTo((d.y[1] - d.y[0]) / 200, 12);
    expect(d.x[0]).toBeLessThan(0);
    expect(d.x[1]).toBeGreaterThan(10);
  });

  it('rejects bad data with errors naming the function, field, expected and received', async () => {
    const bad = (patch: Partial<ReportData>) => renderReport({ ...data, ...patch }, 'writeReport');
    await expect(bad({ title: 3 as unknown as string })).rejects.toThrow('writeReport: data.title must be a string, received 3');
    await expect(bad({ metrics: [{ name: 'x', value: NaN, kind: 'fraction' }] })).rejects.toThrow(
      'writeReport: data.metrics[0].value must be a finite number, received NaN',
    );
    await expect(bad({ metrics: [{ name: 'x', value: 1, kind: 'percent' as 'fraction' }] })).rejects.toThrow(
      `writeReport: data.metrics[0].kind must be 'fraction' or 'number', received "percent"`,
    );
    await expect(bad({ info: [['a', 1 as unknown as string]] })).rejects.toThrow('writeReport: data.info[0][1] must be a string, received 1');
    await expect(bad({ history: [{ epoch: 1, loss: Infinity }] })).rejects.toThrow('writeReport: data.history[0].loss must be a finite number, received Infinity');
    await expect(bad({ map: { ...data.map!, labels: [9, ...Array.from(data.map!.labels).slice(1)] } })).rejects.toThrow(
      'writeReport: data.map.labels[0] must be an integer in [0, 4) (an index into classNames), received 9',
    );
    await expect(bad({ map: { ...data.map!, y: [1, 2] } })).rejects.toThrow('writeReport: data.map.y must have the length of data.map.x (240), received 2');
    const t = thumb(0, new Rng(1));
    await expect(bad({ gallery: [{ query: { ...t, pixels: new Uint8Array(10) }, neighbours: [] }] })).rejects.toThrow(
      'writeReport: data.gallery[0].query.pixels must hold width * height * channels = 784 bytes, received 10',
    );
    await expect(bad({ gallery: [{ query: t, neighbours: [{ ...t, channels: 4 as 1 }] }] })).rejects.toThrow(
      'writeReport: data.gallery[0].neighbours[0].channels must be 1 or 3, received 4',
    );
    await expect(bad({ perClass: { columns: ['a', 'b'], rows: [['x']] } })).rejects.toThrow(
      'writeReport: data.perClass.rows[0] must hold 2 cells (one per column), received 1',
    );
    await expect(bad({ perClass: { columns: ['a'], rows: [], fractionColumns: [3] } })).rejects.toThrow(
      'writeReport: data.perClass.fractionColumns[0] must be a column index in [0, 1), received 3',
    );
    await expect(writeReport('', data)).rejects.toThrow('writeReport: dir must be a non-empty path, received ""');
  });
});

describe('thumbnails', () => {
  it('upscale by an integer factor with nearest-neighbour sampling; gray stays gray, RGB keeps channels', () => {
    const t = thumb(2, new Rng(4));
    expect(tileScale(t)).toBe(2);
    expect(tileScale({ width: 96, height: 64 })).toBe(1);
    const png = PNG.sync.read(thumbnailPng(t));
    expect([png.width, png.height]).toEqual([56, 56]);
    for (const [x, y] of [[0, 0], [1, 1], [2, 0], [55, 55], [13, 40]]) {
      const src = t.pixels[Math.floor(y / 2) * 28 + Math.floor(x / 2)], o = (y * 56 + x) * 4;
      expect([png.data[o], png.data[o + 1], png.data[o + 2], png.data[o + 3]]).toEqual([src, src, src, 255]);
    }
    const rgb = { ...t, width: 2, height: 1, channels: 3 as const, pixels: Uint8Array.from([10, 20, 30, 40, 50, 60]) };
    const p3 = PNG.sync.read(thumbnailPng(rgb, 3));
    expect([p3.width, p3.height]).toEqual([6, 3]);
    expect(Array.from(p3.data.subarray(0, 4))).toEqual([10, 20, 30, 255]);
    expect(Array.from(p3.data.subarray((2 * 6 + 5) * 4, (2 * 6 + 5) * 4 + 4))).toEqual([40, 50, 60, 255]);
    expect(() => thumbnailPng(t, 0)).toThrow('thumbnailPng: scale must be an integer >= 1, received 0');
  });
});

describe('writeReport', () => {
  let dir = '';
  let written: { html: string; files: string[] };
  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'report-')), 'nested', 'report');
    written = await writeReport(dir, data);
  });
  afterAll(() => rmSync(dirname(dirname(dir)), { recursive: true, force: true }));

  it('creates the directory and writes the PNGs then index.html, leaving no temporary file', () => {
    const names = ['loss.png', 'knn.png', 'collapse.png', 'map.png', 'gallery.png', 'index.html'];
    expect(written.files).toEqual(names.map((n) => join(dir, n)));
    expect(written.html).toBe(join(dir, 'index.html'));
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
  });

  it('chart PNGs decode and are the inline SVGs at twice their size; the gallery sheet too', () => {
    const html = readFileSync(written.html, 'utf8');
    const charts = inlineCharts(html);
    expect([...charts.keys()]).toEqual(['loss.png', 'knn.png', 'collapse.png', 'map.png']);
    for (const [file, svg] of charts) {
      const png = PNG.sync.read(readFileSync(join(dir, file)));
      const [w, h] = svgSize(svg);
      expect([png.width, png.height]).toEqual([Math.round(2 * w), Math.round(2 * h)]);
      expect(w).toBeLessThan(700); // small charts
    }
    const sheet = PNG.sync.read(readFileSync(join(dir, 'gallery.png')));
    const [w, h] = svgSize(gallerySheetSvg(data.gallery!));
    expect([sheet.width, sheet.height]).toEqual([2 * w, 2 * h]);
  });

  it('marks neighbours of the same class green and of another class red', () => {
    const html = readFileSync(written.html, 'utf8');
    const relevant = data.gallery!.flatMap((r) => r.neighbours.map((n) => n.label === r.query.label));
    expect(html.match(/class="tile relevant"/g)!.length).toBe(relevant.filter(Boolean).length);
    expect(html.match(/class="tile irrelevant"/g)!.length).toBe(relevant.filter((r) => !r).length);
    expect(html.match(/class="tile query"/g)!.length).toBe(data.gallery!.length);
  });
});

/** Chromium: the CHROMIUM environment variable, else Debian's /usr/bin/chromium. */
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromium);

describe.skipIf(!haveChromium)(`report in headless Chromium (${haveChromium ? chromium : `skipped: no browser at ${chromium}; set CHROMIUM`})`, () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-browser-'));
    await writeReport(dir, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => {
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--virtual-time-budget=5000', `--user-data-dir=${join(dir, '.profile')}`];
    const r = spawnSync(chromium, [...flags, ...args, pathToFileURL(join(dir, 'index.html')).href], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`chromium exited with ${r.status}: ${r.stderr}`);
    return r.stdout;
  };

  it('every image decodes and every chart is laid out (the page checks itself after load)', () => {
    const body = /<body[^>]*>/.exec(run('--dump-dom'))?.[0] ?? '';
    const attr = (name: string) => Number(new RegExp(`${name}="(\\d+)"`).exec(body)?.[1]);
    expect(attr('data-images-bad')).toBe(0);
    expect(attr('data-images-ok')).toBe(tiles);
    expect(attr('data-images-expected')).toBe(tiles);
    expect(attr('data-charts')).toBe(4); // loss, kNN, collapse, map
    expect(attr('data-charts-expected')).toBe(4);
  });

  it('renders a screenshot with content (a PNG of non-uniform pixels)', () => {
    const shot = join(dir, 'screenshot.png');
    run('--window-size=1280,2400', `--screenshot=${shot}`);
    const png = PNG.sync.read(readFileSync(shot));
    expect([png.width, png.height]).toEqual([1280, 2400]);
    const colors = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colors.add(png.data.readUInt32BE(i));
    expect(colors.size).toBeGreaterThan(20);
    if (process.env.REPORT_SCREENSHOT) {
      mkdirSync(dirname(process.env.REPORT_SCREENSHOT), { recursive: true });
      copyFileSync(shot, process.env.REPORT_SCREENSHOT);
    }
  });
});
