/**
 * Renders a vega-lite spec headless: vega-lite compiles it to a vega spec, a vega View with the
 * 'none' renderer writes SVG (no canvas, no browser), and resvg rasterises the same SVG to PNG with
 * the system's fonts. The SVG goes inline into the HTML, the PNG beside it.
 */
import { Resvg } from '@resvg/resvg-js';
import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * The chart as an SVG string. Element ids (clip paths, gradients) get `idPrefix` so several SVGs
 * can live inline in one HTML document without clashing.
 */
export async function renderChartSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg
      .replace(/\bid="([^"]+)"/g, `id="${idPrefix}-$1"`)
      .replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}-$1)`)
      .replace(/href="#([^"]+)"/g, `href="#${idPrefix}-$1"`);
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG to PNG bytes at `scale` times its size (2 for crisp text on high-DPI screens). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true }, background: 'white' });
  return resvg.render().asPng();
}
