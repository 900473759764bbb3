/**
 * The report's charts as vega-lite specs (pure data, no rendering): training loss, kNN-monitor
 * top-1, the collapse measure and the 2-D map coloured by class. `renderChart` turns a spec into
 * SVG. Sizes are small and fixed so the PNGs and the inline SVGs look the same.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportEpoch, ReportMap } from './report-data.js';
import { SERIES_COLOR, classColors } from './palette.js';

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const },
  title: { fontSize: 13, anchor: 'start' as const, fontWeight: 'bold' as const, offset: 8 },
};

const LINE_WIDTH = 240;
const LINE_HEIGHT = 160;
/** Above this many epochs the lines get no point markers. */
const MAX_POINTS_MARKED = 30;

/** Integer epoch ticks. */
const epochAxis = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { format: 'd', tickMinStep: 1 }, scale: { nice: false } };

function lineChart(title: string, values: object[], y: object, layers: object[] = []): TopLevelSpec {
  const point = values.length <= MAX_POINTS_MARKED ? { filled: true, size: 30 } : false;
  const line = {
    mark: { type: 'line', point, color: SERIES_COLOR, strokeWidth: 2 },
    encoding: { x: epochAxis, y },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: LINE_WIDTH,
    height: LINE_HEIGHT,
    config: CONFIG,
    data: { values },
    layer: [line, ...layers],
  } as TopLevelSpec;
}

/** Mean training loss per epoch. */
export function lossChart(history: ReportEpoch[]): TopLevelSpec {
  const values = history.map((e) => ({ epoch: e.epoch, loss: e.loss }));
  return lineChart('Training loss', values, { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } });
}

/** kNN-monitor top-1 per epoch (epochs without a value are left out), as percentages. */
export function knnChart(history: ReportEpoch[]): TopLevelSpec {
  const values = history.filter((e) => e.knnTop1 !== undefined).map((e) => ({ epoch: e.epoch, top1: e.knnTop1 as number }));
  const span = Math.max(...values.map((v) => v.top1)) - Math.min(...values.map((v) => v.top1));
  return lineChart('kNN monitor top-1', values, {
    // Whole percents repeat on an axis spanning a few points: one decimal there.
    field: 'top1', type: 'quantitative', title: 'top-1', scale: { zero: false }, axis: { format: span < 0.05 ? '.1%' : '.0%' },
  });
}

/**
 * Collapse measure per epoch (lightly's `std_of_l2_normalized`): 0 means every embedding is the
 * same point; uniformly spread unit vectors in d dimensions give about 1/sqrt(d), drawn as a dashed
 * reference when `dim` is given.
 */
export function collapseChart(history: ReportEpoch[], dim?: number): TopLevelSpec {
  const values = history.filter((e) => e.collapseStd !== undefined).map((e) => ({ epoch: e.epoch, std: e.collapseStd }));
  const layers: object[] = [];
  const ref = dim === undefined ? 0 : 1 / Math.sqrt(dim);
  const top = 1.15 * Math.max(ref, ...values.map((v) => v.std ?? 0)) || 1; // room for the reference's label
  if (dim !== undefined) {
    layers.push(
      { data: { values: [{ ref }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { field: 'ref', type: 'quantitative' } } },
      {
        data: { values: [{ ref, text: `1/√${dim}` }] },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, color: '#666', fontSize: 11, x: 'width' },
        encoding: { y: { field: 'ref', type: 'quantitative' }, text: { field: 'text' } },
      },
    );
  }
  const y = { field: 'std', type: 'quantitative', title: 'std', scale: { domain: [0, top], nice: false } };
  return lineChart('Collapse: std of normalised projections', values, y, layers);
}

const MAP_WIDTH = 460;
const MAP_HEIGHT = 400;

/**
 * Domains for x and y with one unit per pixel on both axes (a map should not stretch its
 * clusters) and a 4% margin so edge points are not cut.
 */
export function equalAspectDomains(x: ArrayLike<number>, y: ArrayLike<number>, width: number, height: number): { x: [number, number]; y: [number, number] } {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < x.length; i++) {
    x0 = Math.min(x0, x[i]); x1 = Math.max(x1, x[i]);
    y0 = Math.min(y0, y[i]); y1 = Math.max(y1, y[i]);
  }
  const unitsPerPixel = Math.max((x1 - x0) / width, (y1 - y0) / height, 1e-9) * 1.08;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, hw = (unitsPerPixel * width) / 2, hh = (unitsPerPixel * height) / 2;
  return { x: [cx - hw, cx + hw], y: [cy - hh, cy + hh] };
}

/** The 2-D map: one dot per item coloured by class, a legend of class names, no axes (the coordinates have no units). */
export function mapChart(map: ReportMap): TopLevelSpec {
  const n = map.x.length;
  const values = new Array<{ x: number; y: number; c: string }>(n);
  for (let i = 0; i < n; i++) values[i] = { x: map.x[i], y: map.y[i], c: map.classNames[map.labels[i]] };
  const size = n > 2000 ? 8 : n > 500 ? 14 : 24;
  const domains = equalAspectDomains(map.x, map.y, MAP_WIDTH, MAP_HEIGHT);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${map.method} of the embeddings (${n} points)`,
    width: MAP_WIDTH,
    height: MAP_HEIGHT,
    config: CONFIG,
    data: { values },
    mark: { type: 'circle', size, opacity: 0.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', axis: null, scale: { domain: domains.x, nice: false } },
      y: { field: 'y', type: 'quantitative', axis: null, scale: { domain: domains.y, nice: false } },
      color: {
        field: 'c', type: 'nominal', title: 'class',
        scale: { domain: map.classNames, range: classColors(map.classNames.length) },
        legend: { symbolOpacity: 1, symbolSize: 80 },
      },
    },
  } as TopLevelSpec;
}
