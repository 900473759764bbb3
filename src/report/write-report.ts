/**
 * Writes an evaluation report: `index.html` (self-contained, see `reportHtml`) and PNG copies of
 * every chart and of the gallery beside it. `renderReport` does the work in memory (no files), so
 * tests and other front ends can use it; `writeReport` puts the result on disk.
 *
 * Files: loss.png, knn.png, collapse.png (when the history has them), map.png, gallery.png.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collapseChart, knnChart, lossChart, mapChart } from './charts.js';
import { gallerySheetSvg } from './gallery-sheet.js';
import { checkReportData, type ReportData } from './report-data.js';
import { reportHtml, type RenderedChart } from './report-html.js';
import { renderChartSvg, svgToPng } from './render-chart.js';
import { thumbnailDataUrl } from './thumbnail.js';
import type { TopLevelSpec } from 'vega-lite';

export interface RenderedReport {
  /** The page. */
  html: string;
  /** PNG files to write beside it, by file name, in page order. */
  pngs: { file: string; data: Buffer }[];
}

/** Renders the page and the PNGs in memory; checks `data` first (errors name `caller`). */
export async function renderReport(data: ReportData, caller = 'renderReport'): Promise<RenderedReport> {
  checkReportData(caller, data);
  const pngs: RenderedReport['pngs'] = [];
  const render = async (name: string, label: string, spec: TopLevelSpec): Promise<RenderedChart> => {
    const svg = await renderChartSvg(spec, name);
    const file = `${name}.png`;
    pngs.push({ file, data: svgToPng(svg) });
    return { svg, file, label };
  };

  const h = data.history;
  const training: RenderedChart[] = [];
  if (h.length > 0) {
    training.push(await render('loss', 'Training loss per epoch', lossChart(h)));
    if (h.some((e) => e.knnTop1 !== undefined)) training.push(await render('knn', 'kNN monitor top-1 per epoch', knnChart(h)));
    if (h.some((e) => e.collapseStd !== undefined)) {
      training.push(await render('collapse', 'Collapse measure per epoch', collapseChart(h, data.embeddingDim)));
    }
  }
  const map = data.map && data.map.x.length > 0 ? await render('map', `${data.map.method} map of the embeddings`, mapChart(data.map)) : undefined;

  const gallery = data.gallery ?? [];
  const tiles = gallery.map((row) => [row.query, ...row.neighbours].map((t) => thumbnailDataUrl(t)));
  let galleryFile: string | undefined;
  if (gallery.length > 0) {
    galleryFile = 'gallery.png';
    pngs.push({ file: galleryFile, data: svgToPng(gallerySheetSvg(gallery, tiles)) });
  }
  return { html: reportHtml(data, { training, map, tiles, galleryFile }), pngs };
}

/**
 * Writes the report into `dir` (created if needed): the PNGs, then `index.html` through a
 * temporary file and a rename, so a reader never sees half a page. Returns the page's path and
 * every file written (page last).
 */
export async function writeReport(dir: string, data: ReportData): Promise<{ html: string; files: string[] }> {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`writeReport: dir must be a non-empty path, received ${JSON.stringify(dir)}`);
  const { html, pngs } = await renderReport(data, 'writeReport');
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const { file, data: bytes } of pngs) {
    const path = join(dir, file);
    writeFileSync(path, bytes);
    files.push(path);
  }
  const page = join(dir, 'index.html');
  const temp = join(dir, `.index.html.${process.pid}.tmp`);
  writeFileSync(temp, html);
  renameSync(temp, page);
  files.push(page);
  return { html: page, files };
}
