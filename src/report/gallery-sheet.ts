/**
 * The nearest-neighbour gallery as one picture (`gallery.png`): an SVG sheet of the pngjs-encoded
 * tiles with their captions (class name, similarity) and green / red borders for neighbours of the
 * query's class / another class, rasterised by resvg like the charts. Drawing through SVG gives the
 * sheet real text, which composing pixels with pngjs alone could not.
 */
import type { GalleryRow, Thumb } from './report-data.js';
import { escapeHtml } from './format.js';
import { thumbnailDataUrl } from './thumbnail.js';

/** Border colours, shared with the HTML gallery. */
export const GALLERY_COLORS = { query: '#333333', relevant: '#2e9e44', irrelevant: '#d62728' };

const TILE = 64; // displayed tile side (the image keeps its aspect ratio inside)
const BORDER = 3;
const CELL_W = 88;
const CELL_H = TILE + 2 * BORDER + 34;
const QUERY_GAP = 16; // extra space between the query and its neighbours
const PAD = 12;

/** Whether a neighbour counts as relevant: its own flag, else same label as the query. */
export function isRelevant(query: Thumb, neighbour: Thumb): boolean {
  return neighbour.relevant ?? neighbour.label === query.label;
}

/** Shortens a caption to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function cell(thumb: Thumb, x: number, y: number, color: string, lines: string[], dataUrl: string): string {
  const captions = lines
    .map((l, i) => `<text x="${x + CELL_W / 2}" y="${y + TILE + 2 * BORDER + 13 + i * 13}" text-anchor="middle">${escapeHtml(l)}</text>`)
    .join('');
  const ix = x + (CELL_W - TILE) / 2;
  return (
    `<rect x="${ix - BORDER / 2}" y="${y + BORDER / 2}" width="${TILE + BORDER}" height="${TILE + BORDER}" fill="none" stroke="${color}" stroke-width="${BORDER}"/>` +
    `<image x="${ix}" y="${y + BORDER}" width="${TILE}" height="${TILE}" href="${dataUrl}" image-rendering="optimizeSpeed"/>` +
    captions
  );
}

/**
 * The gallery sheet as SVG. `dataUrls[r][0]` is row r's query tile and `dataUrls[r][1 + j]` its
 * neighbour j (default: encoded here); passing them lets the HTML and the sheet share one encoding.
 */
export function gallerySheetSvg(rows: GalleryRow[], dataUrls?: string[][]): string {
  const columns = Math.max(1, ...rows.map((r) => 1 + r.neighbours.length));
  const width = 2 * PAD + columns * CELL_W + QUERY_GAP;
  const height = 2 * PAD + 16 + rows.length * CELL_H;
  const parts: string[] = [
    `<text x="${PAD + CELL_W / 2}" y="${PAD + 10}" text-anchor="middle" font-weight="bold">query</text>`,
    `<text x="${PAD + CELL_W + QUERY_GAP + 4}" y="${PAD + 10}" font-weight="bold">nearest neighbours (cosine similarity)</text>`,
  ];
  rows.forEach((row, r) => {
    const y = PAD + 16 + r * CELL_H;
    const urls = dataUrls?.[r] ?? [row.query, ...row.neighbours].map((t) => thumbnailDataUrl(t));
    parts.push(cell(row.query, PAD, y, GALLERY_COLORS.query, [clip(row.query.className, 13)], urls[0]));
    row.neighbours.forEach((t, j) => {
      const color = isRelevant(row.query, t) ? GALLERY_COLORS.relevant : GALLERY_COLORS.irrelevant;
      const lines = [clip(t.className, 13)];
      if (t.similarity !== undefined) lines.push(t.similarity.toFixed(3));
      parts.push(cell(t, PAD + QUERY_GAP + (1 + j) * CELL_W, y, color, lines, urls[1 + j]));
    });
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#222">` +
    `<rect width="${width}" height="${height}" fill="white"/>${parts.join('')}</svg>`
  );
}
