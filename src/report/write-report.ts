/**
 * Writes an evaluation report: `index.html` (self-contained, see `reportHtml`) and PNG copies of
 * every chart and of the gallery beside it. `renderReport` does the work in memory (no files), so
 * tests and other front ends can use it; `writeReport` puts the result on disk.
 *
 * Files: loss.png, knn.png, collapse.png (when the history has them), map.png, gallery.png, and
 * index.html, whose head carries `<meta name="generator" content="contrastive report">`.
 *
 * The folder appears whole or not at all: every file is written and flushed into a temporary
 * sibling folder (`.<name>.tmp-<pid>-<random>`, util/atomic-file.ts), which is then renamed to the
 * target. A folder already there is replaced only when it is empty or a report this tool wrote
 * (its index.html is ours and every other entry a report file); any other folder, or a file, is
 * refused before anything is written (`checkReportTarget`, which `contrastive eval` also calls
 * before its work). The old report is renamed aside, the new one renamed in and the old one
 * removed: a reader sees the old report, none for an instant, or the new one, never a mix or a
 * 0-byte PNG. Temporary folders of writers killed midway are removed at the next start.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { removeLeftovers, syncDir, temporaryPath, writeDurable } from '../util/atomic-file.js';
import { UsageError } from '../util/usage-error.js';
import { collapseChart, knnChart, lossChart, mapChart } from './charts.js';
import { gallerySheetSvg } from './gallery-sheet.js';
import { checkReportData, type ReportData } from './report-data.js';
import { reportHtml, type RenderedChart } from './report-html.js';
import { renderChartSvg, svgToPng } from './render-chart.js';
import { thumbnailDataUrl } from './thumbnail.js';
import type { TopLevelSpec } from 'vega-lite';

/** The page's mark of authorship, in its head: a folder whose index.html holds it is ours to replace. */
export const REPORT_GENERATOR = '<meta name="generator" content="contrastive report">';
/** Every file a report folder may hold. */
export const REPORT_FILES: readonly string[] = ['index.html', 'loss.png', 'knn.png', 'collapse.png', 'map.png', 'gallery.png'];
/** Reports written before the generator mark end with this footer. */
const LEGACY_MARK = '<footer>Written by contrastive.';
/** The temporary page of writers before the folder was written whole (inside the folder). */
const LEGACY_TEMP = /^\.index\.html\.\d+\.tmp$/;

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
  const page = reportHtml(data, { training, map, tiles, galleryFile });
  if (!page.includes('<head>')) throw new Error(`${caller}: the page has no <head> for the generator mark`);
  for (const p of pngs) {
    if (!REPORT_FILES.includes(p.file)) throw new Error(`${caller}: '${p.file}' is not one of the report's files (${REPORT_FILES.join(', ')})`);
    if (p.data.length === 0) throw new Error(`${caller}: ${p.file} rendered as 0 bytes`);
  }
  return { html: page.replace('<head>', `<head>\n${REPORT_GENERATOR}`), pngs };
}

/**
 * Refuses a report target that is not free: a file, or a folder that is neither empty nor a report
 * this tool wrote (see the file comment). A UsageError of option 'report', one line.
 */
export function checkReportTarget(dir: string): void {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`writeReport: dir must be a non-empty path, received ${JSON.stringify(dir)}`);
  if (!existsSync(dir)) {
    // It will be made: the nearest existing folder above it must be a folder, not a file.
    for (let path = dirname(resolve(dir)); ; path = dirname(path)) {
      if (existsSync(path)) {
        if (!statSync(path).isDirectory()) throw new UsageError('report', `expected a folder for the report, received '${dir}', under the file '${path}'`);
        return;
      }
      if (dirname(path) === path) return;
    }
  }
  if (!statSync(dir).isDirectory()) throw new UsageError('report', `expected a folder for the report, received the file '${dir}'`);
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  const page = join(dir, 'index.html');
  let ours = false;
  try {
    const html = readFileSync(page, 'utf8');
    ours = html.includes(REPORT_GENERATOR) || html.includes(LEGACY_MARK);
  } catch {
    // no readable index.html: not a report
  }
  const foreign = entries.filter((f) => !REPORT_FILES.includes(f) && !LEGACY_TEMP.test(f));
  if (ours && foreign.length === 0) return;
  const list = (names: string[]) => names.slice(0, 3).map((n) => `'${n}'`).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  const why = !ours ? `it holds ${list(entries)} and no index.html written by contrastive` : `it holds files a report does not write (${list(foreign)})`;
  throw new UsageError('report', `the folder '${dir}' is not a report written by contrastive (${why}); it is not replaced: remove it or choose another folder`);
}

/**
 * Writes the report as the folder `dir` (its parent created if needed), whole: see the file
 * comment. Returns the page's path and every file written (page last).
 */
export async function writeReport(dir: string, data: ReportData): Promise<{ html: string; files: string[] }> {
  checkReportTarget(dir);
  const { html, pngs } = await renderReport(data, 'writeReport');
  const target = resolve(dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  removeLeftovers(parent);
  checkReportTarget(dir); // again: the folder may have changed while the report rendered
  const tmp = temporaryPath(target);
  let aside: string | undefined;
  try {
    mkdirSync(tmp);
    for (const { file, data: bytes } of pngs) writeDurable(join(tmp, file), bytes);
    writeDurable(join(tmp, 'index.html'), html);
    syncDir(tmp);
    if (existsSync(target)) {
      aside = temporaryPath(target);
      renameSync(target, aside);
    }
    renameSync(tmp, target);
    syncDir(parent);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (aside && !existsSync(target)) renameSync(aside, target); // the old report back in place
    throw e;
  }
  if (aside) rmSync(aside, { recursive: true, force: true });
  const files = [...pngs.map((p) => join(dir, p.file)), join(dir, 'index.html')];
  return { html: join(dir, 'index.html'), files };
}
