/**
 * `contrastive/report`: HTML and PNG evaluation reports and 2-D embedding maps. A subpath of its
 * own because it loads vega, vega-lite, resvg and umap-js (about 0.2 s at import), which the main
 * entry does not need.
 */
export { writeReport, renderReport, checkReportTarget, type RenderedReport } from './write-report.js';
export { embeddingMap, type EmbeddingMapOptions, type EmbeddingMap } from './embedding-map.js';
export type { ReportData, ReportMetric, ReportEpoch, ReportMap, ReportTable, GalleryRow, Thumb } from './report-data.js';
