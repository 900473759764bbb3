/**
 * The report page: one self-contained HTML document (inline CSS, inline SVG charts, gallery tiles
 * as `data:` PNGs, no external fonts, scripts or network) that opens offline from disk. Every
 * caller string is escaped.
 *
 * A small inline script checks the page after load and writes what it found on <body>:
 * `data-images-ok` / `data-images-bad` (every <img> decoded: complete with a natural width) and
 * `data-charts` (inline chart SVGs laid out with a non-zero size), beside the server-side
 * `data-charts-expected` and `data-images-expected`; a headless browser test reads them back.
 */
import type { GalleryRow, ReportData, ReportTable } from './report-data.js';
import { escapeHtml as e, formatDelta, formatFraction, formatNumber, formatValue } from './format.js';
import { GALLERY_COLORS, isRelevant } from './gallery-sheet.js';
import { classColors } from './palette.js';

/** A rendered chart: its SVG and the PNG file written beside the page. */
export interface RenderedChart {
  svg: string;
  /** File name of the PNG copy, e.g. 'loss.png'. */
  file: string;
  /** Accessible name of the chart. */
  label: string;
}

export interface ReportParts {
  /** Training charts (loss, kNN, collapse), shown side by side. */
  training: RenderedChart[];
  map?: RenderedChart;
  /** `tiles[r][0]`: row r's query tile as a data URL, `tiles[r][1 + j]`: its neighbour j. */
  tiles: string[][];
  /** Name of the gallery sheet PNG, when written. */
  galleryFile?: string;
}

const CSS = `
:root { color-scheme: light; --fg: #222; --muted: #666; --line: #e3e3e3; --bg-alt: #f7f7f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
p.sub { color: var(--muted); margin: 0 0 16px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; background: var(--bg-alt); }
td.num, th.num { text-align: right; }
td.note { color: var(--muted); font-size: 12px; }
table.info td:first-child { color: var(--muted); padding-right: 20px; }
table.info td { border: none; padding: 2px 12px 2px 0; word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 16px 20px; align-items: flex-start; }
figure { margin: 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figure.chart figcaption, .files { color: var(--muted); font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: baseline; }
.gallery { display: flex; flex-direction: column; gap: 10px; }
.gallery .row { display: flex; gap: 8px; align-items: flex-start; }
.gallery .row .query { margin-right: 14px; }
.tile { width: 82px; text-align: center; font-size: 11px; line-height: 1.3; }
.tile img { display: block; width: 64px; height: 64px; object-fit: contain; margin: 0 auto 3px; image-rendering: pixelated; border: 3px solid; background: #fff; }
.tile .name { overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.tile .sim { color: var(--muted); }
.legend { color: var(--muted); font-size: 12px; margin: 0 0 10px; }
.legend b { display: inline-block; width: 10px; height: 10px; border: 3px solid; vertical-align: -1px; margin: 0 4px 0 10px; }
details summary { cursor: pointer; color: var(--muted); margin: 10px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

/** Runs after load; the test reads the attributes back through --dump-dom. */
const CHECK_SCRIPT = `
addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images), ok = 0;
  imgs.forEach(function (i) { if (i.complete && i.naturalWidth > 0) ok++; });
  var charts = 0;
  document.querySelectorAll('figure.chart > svg').forEach(function (s) { var r = s.getBoundingClientRect(); if (r.width > 0 && r.height > 0) charts++; });
  document.body.setAttribute('data-images-ok', String(ok));
  document.body.setAttribute('data-images-bad', String(imgs.length - ok));
  document.body.setAttribute('data-charts', String(charts));
});
`;

function chartFigure(c: RenderedChart): string {
  return `<figure class="chart" role="img" aria-label="${e(c.label)}">${c.svg}<figcaption>${e(c.file)}</figcaption></figure>`;
}

function infoTable(info: [string, string][]): string {
  if (info.length === 0) return '';
  return `<table class="info"><tbody>${info.map(([k, v]) => `<tr><td>${e(k)}</td><td>${e(v)}</td></tr>`).join('')}</tbody></table>`;
}

function metricsTable(metrics: ReportData['metrics']): string {
  if (metrics.length === 0) return '<p class="sub">No metrics.</p>';
  const rows = metrics.map((m) => {
    const base = m.baseline === undefined ? '—' : formatValue(m.baseline, m.kind);
    const delta = m.baseline === undefined ? '—' : formatDelta(m.value, m.baseline, m.kind);
    return (
      `<tr><td>${e(m.name)}</td><td class="num">${e(formatValue(m.value, m.kind))}</td><td class="num">${e(base)}</td>` +
      `<td class="num">${e(delta)}</td><td class="note">${e(m.note ?? '')}</td></tr>`
    );
  });
  return (
    '<table class="metrics"><thead><tr><th>metric</th><th class="num">encoder</th><th class="num">raw pixels</th>' +
    `<th class="num">difference</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function historyTable(history: ReportData['history']): string {
  const has = (k: 'knnTop1' | 'collapseStd' | 'learningRate') => history.some((h) => h[k] !== undefined);
  const cols: [string, (h: ReportData['history'][number]) => string][] = [
    ['epoch', (h) => String(h.epoch)],
    ['loss', (h) => formatNumber(h.loss)],
  ];
  if (has('knnTop1')) cols.push(['kNN top-1', (h) => (h.knnTop1 === undefined ? '—' : formatFraction(h.knnTop1))]);
  if (has('collapseStd')) cols.push(['collapse std', (h) => (h.collapseStd === undefined ? '—' : formatNumber(h.collapseStd))]);
  if (has('learningRate')) cols.push(['learning rate', (h) => (h.learningRate === undefined ? '—' : formatNumber(h.learningRate))]);
  const head = cols.map(([name]) => `<th class="num">${e(name)}</th>`).join('');
  const body = history.map((h) => `<tr>${cols.map(([, f]) => `<td class="num">${e(f(h))}</td>`).join('')}</tr>`).join('');
  return `<details><summary>Every epoch (${history.length})</summary><table class="history"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></details>`;
}

function tile(t: GalleryRow['query'], url: string, color: string, kind: string, alt: string): string {
  const sim = t.similarity === undefined ? '' : `<div class="sim">${t.similarity.toFixed(3)}</div>`;
  return (
    `<figure class="tile ${kind}"><img src="${url}" alt="${e(alt)}" width="64" height="64" style="border-color:${color}">` +
    `<div class="name" title="${e(t.className)}">${e(t.className)}</div>${sim}</figure>`
  );
}

function gallerySection(rows: GalleryRow[], tiles: string[][], galleryFile?: string): string {
  const html = rows.map((row, r) => {
    const q = tile(row.query, tiles[r][0], GALLERY_COLORS.query, 'query', `query ${r + 1}: ${row.query.className}`);
    const ns = row.neighbours.map((t, j) => {
      const relevant = isRelevant(row.query, t);
      const color = relevant ? GALLERY_COLORS.relevant : GALLERY_COLORS.irrelevant;
      return tile(t, tiles[r][1 + j], color, relevant ? 'relevant' : 'irrelevant', `neighbour ${j + 1} of query ${r + 1}: ${t.className}`);
    });
    return `<div class="row">${q}${ns.join('')}</div>`;
  });
  const legend =
    `<p class="legend">First tile: the query; then its nearest neighbours by cosine similarity, most similar first.` +
    `<b style="border-color:${GALLERY_COLORS.relevant}"></b>same class<b style="border-color:${GALLERY_COLORS.irrelevant}"></b>other class</p>`;
  const file = galleryFile ? `<p class="files">Also as ${e(galleryFile)}.</p>` : '';
  return `<h2>Nearest neighbours</h2>${legend}<div class="gallery">${html.join('')}</div>${file}`;
}

function perClassTable(t: ReportTable, classNames?: string[]): string {
  const fractions = new Set(t.fractionColumns ?? []);
  const colors = classNames ? classColors(classNames.length) : [];
  const head = t.columns.map((c, i) => `<th${fractions.has(i) || t.rows.some((r) => typeof r[i] === 'number') ? ' class="num"' : ''}>${e(c)}</th>`).join('');
  const body = t.rows
    .map((row) => {
      const cells = row.map((cell, i) => {
        if (typeof cell === 'number') return `<td class="num">${e(fractions.has(i) ? formatFraction(cell) : formatNumber(cell))}</td>`;
        const k = i === 0 && classNames ? classNames.indexOf(cell) : -1; // a class-name cell gets its map colour
        const swatch = k >= 0 ? `<span class="swatch" style="background:${colors[k]}"></span>` : '';
        return `<td>${swatch}${e(cell)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  return `<h2>Per class</h2><table class="per-class"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The whole page. */
export function reportHtml(data: ReportData, parts: ReportParts): string {
  const charts = parts.training.length + (parts.map ? 1 : 0);
  const images = parts.tiles.reduce((s, r) => s + r.length, 0);
  const sections: string[] = [];
  sections.push(`<h2>Metrics</h2>${metricsTable(data.metrics)}`);
  if (data.history.length > 0) {
    sections.push(`<h2>Training</h2><div class="charts">${parts.training.map(chartFigure).join('')}</div>${historyTable(data.history)}`);
  }
  if (parts.map) sections.push(`<h2>Embedding map</h2><div class="charts">${chartFigure(parts.map)}</div>`);
  if (data.gallery && data.gallery.length > 0) sections.push(gallerySection(data.gallery, parts.tiles, parts.galleryFile));
  if (data.perClass) sections.push(perClassTable(data.perClass, data.map?.classNames));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(data.title)}</title>
<style>${CSS}</style>
</head>
<body data-charts-expected="${charts}" data-images-expected="${images}">
<main>
<h1>${e(data.title)}</h1>
<p class="sub">Evaluation report</p>
${infoTable(data.info)}
${sections.join('\n')}
<footer>Written by contrastive. Self-contained: every image is inline; the PNG files beside this page are copies.</footer>
</main>
<script>${CHECK_SCRIPT}</script>
</body>
</html>
`;
}
