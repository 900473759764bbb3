/**
 * The report's one categorical colour scheme, shared by the charts (passed to vega-lite as the
 * colour range) and the HTML (class swatches), so a class has the same colour everywhere.
 * Tableau 10 (vega's `tableau10`) up to 10 classes, Tableau 20 beyond; colours repeat past 20.
 */

/** Vega's `tableau10` scheme. */
export const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

/** Vega's `tableau20` scheme. */
export const TABLEAU20 = [
  '#4c78a8', '#9ecae9', '#f58518', '#ffbf79', '#54a24b', '#88d27a', '#b79a20', '#f2cf5b', '#439894', '#83bcb6',
  '#e45756', '#ff9d98', '#79706e', '#bab0ac', '#d67195', '#fcbfd2', '#b279a2', '#d6a5c9', '#9e765f', '#d8b5a5',
];

/** One colour per class: `classColors(3)` -> the first 3 Tableau 10 colours. */
export function classColors(classes: number): string[] {
  const scheme = classes <= TABLEAU10.length ? TABLEAU10 : TABLEAU20;
  return Array.from({ length: classes }, (_, i) => scheme[i % scheme.length]);
}

/** The colour of single-series charts (loss, kNN): the scheme's first colour. */
export const SERIES_COLOR = TABLEAU10[0];
