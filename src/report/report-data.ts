/**
 * The plain data an evaluation report shows: the caller (the CLI's `eval --report`) computes every
 * number; `writeReport` only lays it out. Nothing here touches a model or a tensor.
 *
 * `checkReportData` validates it once, with errors that name the function, the field, the expected
 * and the received value (`writeReport: data.metrics[2].value must be a finite number, received NaN`).
 */

/** One image tile of the nearest-neighbour gallery. */
export interface Thumb {
  /** Row-major [height, width, channels] bytes 0..255 (channels interleaved for RGB). */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  /** Class id (index into the run's class names). */
  label: number;
  className: string;
  /** Cosine similarity to the query (neighbours only). */
  similarity?: number;
  /** Same class as the query (green border) or not (red); default: `label === query.label`. */
  relevant?: boolean;
}

/** A query and its nearest neighbours, most similar first. */
export interface GalleryRow {
  query: Thumb;
  neighbours: Thumb[];
}

export interface ReportMetric {
  name: string;
  /** The encoder's value. */
  value: number;
  /** The same metric on raw pixels ('—' when absent). */
  baseline?: number;
  /** 'fraction' values (0..1) are shown as percentages. */
  kind: 'fraction' | 'number';
  /** A short explanation shown beside the name. */
  note?: string;
}

/** One epoch of the training history (the checkpoint's `EpochLog`s fit as they are). */
export interface ReportEpoch {
  epoch: number;
  loss: number;
  /** kNN-monitor top-1 (fraction). */
  knnTop1?: number;
  /** Collapse measure: mean per-dimension std of the L2-normalised embeddings (lightly). */
  collapseStd?: number;
  learningRate?: number;
}

/** 2-D coordinates of embedded items (e.g. `embeddingMap`'s x, y with the labels of its `indices`). */
export interface ReportMap {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Class id of each point, an index into `classNames`. */
  labels: ArrayLike<number>;
  classNames: string[];
  /** How the coordinates were made, shown in the title (e.g. 'UMAP'). */
  method: string;
}

export interface ReportTable {
  columns: string[];
  rows: (string | number)[][];
  /** Indices of the columns that hold fractions (0..1), shown as percentages. */
  fractionColumns?: number[];
}

export interface ReportData {
  /** e.g. 'fashion-mnist · simclr · cnn'. */
  title: string;
  /** Run facts shown at the top: ['epochs', '15'], ['checkpoint', 'runs/x'], ... */
  info: [string, string][];
  /** Encoder vs raw-pixel baseline. */
  metrics: ReportMetric[];
  /** From the checkpoint; may be empty (no training charts then). */
  history: ReportEpoch[];
  /** Embedding dimension: when given, the collapse chart draws the 1/sqrt(d) reference. */
  embeddingDim?: number;
  map?: ReportMap;
  gallery?: GalleryRow[];
  perClass?: ReportTable;
}

const fail = (caller: string, message: string): never => {
  throw new Error(`${caller}: ${message}`);
};

const show = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? typeof v : String(v);

function checkString(caller: string, name: string, v: unknown): void {
  if (typeof v !== 'string') fail(caller, `${name} must be a string, received ${show(v)}`);
}

function checkFinite(caller: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(caller, `${name} must be a finite number, received ${show(v)}`);
}

function checkArray(caller: string, name: string, v: unknown): void {
  if (!Array.isArray(v)) fail(caller, `${name} must be an array, received ${show(v)}`);
}

function checkThumb(caller: string, name: string, t: Thumb): void {
  if (!t || typeof t !== 'object') fail(caller, `${name} must be a Thumb object, received ${show(t)}`);
  for (const k of ['width', 'height'] as const) {
    if (!Number.isInteger(t[k]) || t[k] < 1) fail(caller, `${name}.${k} must be an integer >= 1, received ${show(t[k])}`);
  }
  if (t.channels !== 1 && t.channels !== 3) fail(caller, `${name}.channels must be 1 or 3, received ${show(t.channels)}`);
  if (!(t.pixels instanceof Uint8Array)) fail(caller, `${name}.pixels must be a Uint8Array, received ${show(t.pixels)}`);
  const expected = t.width * t.height * t.channels;
  if (t.pixels.length !== expected) {
    fail(caller, `${name}.pixels must hold width * height * channels = ${expected} bytes, received ${t.pixels.length}`);
  }
  if (!Number.isInteger(t.label)) fail(caller, `${name}.label must be an integer, received ${show(t.label)}`);
  checkString(caller, `${name}.className`, t.className);
  if (t.similarity !== undefined) checkFinite(caller, `${name}.similarity`, t.similarity);
  if (t.relevant !== undefined && typeof t.relevant !== 'boolean') fail(caller, `${name}.relevant must be a boolean, received ${show(t.relevant)}`);
}

/** Throws on anything `writeReport` cannot show faithfully; `caller` names the function in errors. */
export function checkReportData(caller: string, data: ReportData): void {
  if (!data || typeof data !== 'object') fail(caller, `data must be a ReportData object, received ${show(data)}`);
  checkString(caller, 'data.title', data.title);
  checkArray(caller, 'data.info', data.info);
  data.info.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) fail(caller, `data.info[${i}] must be a [name, value] pair of strings, received ${show(pair)}`);
    checkString(caller, `data.info[${i}][0]`, pair[0]);
    checkString(caller, `data.info[${i}][1]`, pair[1]);
  });
  checkArray(caller, 'data.metrics', data.metrics);
  data.metrics.forEach((m, i) => {
    checkString(caller, `data.metrics[${i}].name`, m.name);
    checkFinite(caller, `data.metrics[${i}].value`, m.value);
    if (m.baseline !== undefined) checkFinite(caller, `data.metrics[${i}].baseline`, m.baseline);
    if (m.kind !== 'fraction' && m.kind !== 'number') fail(caller, `data.metrics[${i}].kind must be 'fraction' or 'number', received ${show(m.kind)}`);
    if (m.note !== undefined) checkString(caller, `data.metrics[${i}].note`, m.note);
  });
  checkArray(caller, 'data.history', data.history);
  data.history.forEach((e, i) => {
    checkFinite(caller, `data.history[${i}].epoch`, e.epoch);
    checkFinite(caller, `data.history[${i}].loss`, e.loss);
    for (const k of ['knnTop1', 'collapseStd', 'learningRate'] as const) {
      if (e[k] !== undefined) checkFinite(caller, `data.history[${i}].${k}`, e[k]);
    }
  });
  if (data.embeddingDim !== undefined && (!Number.isInteger(data.embeddingDim) || data.embeddingDim < 1)) {
    fail(caller, `data.embeddingDim must be an integer >= 1, received ${show(data.embeddingDim)}`);
  }
  if (data.map !== undefined) checkMap(caller, data.map);
  if (data.gallery !== undefined) {
    checkArray(caller, 'data.gallery', data.gallery);
    data.gallery.forEach((row, r) => {
      checkThumb(caller, `data.gallery[${r}].query`, row.query);
      checkArray(caller, `data.gallery[${r}].neighbours`, row.neighbours);
      row.neighbours.forEach((t, j) => checkThumb(caller, `data.gallery[${r}].neighbours[${j}]`, t));
    });
  }
  if (data.perClass !== undefined) checkTable(caller, 'data.perClass', data.perClass);
}

function checkMap(caller: string, map: ReportMap): void {
  const n = map.x?.length;
  if (typeof n !== 'number') fail(caller, `data.map.x must be an array of numbers, received ${show(map.x)}`);
  if (map.y?.length !== n) fail(caller, `data.map.y must have the length of data.map.x (${n}), received ${show(map.y?.length)}`);
  if (map.labels?.length !== n) fail(caller, `data.map.labels must have the length of data.map.x (${n}), received ${show(map.labels?.length)}`);
  checkArray(caller, 'data.map.classNames', map.classNames);
  map.classNames.forEach((c, i) => checkString(caller, `data.map.classNames[${i}]`, c));
  checkString(caller, 'data.map.method', map.method);
  const classes = map.classNames.length;
  for (let i = 0; i < n; i++) {
    checkFinite(caller, `data.map.x[${i}]`, map.x[i]);
    checkFinite(caller, `data.map.y[${i}]`, map.y[i]);
    const l = map.labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= classes) {
      fail(caller, `data.map.labels[${i}] must be an integer in [0, ${classes}) (an index into classNames), received ${show(l)}`);
    }
  }
}

function checkTable(caller: string, name: string, t: ReportTable): void {
  checkArray(caller, `${name}.columns`, t.columns);
  t.columns.forEach((c, i) => checkString(caller, `${name}.columns[${i}]`, c));
  checkArray(caller, `${name}.rows`, t.rows);
  t.rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== t.columns.length) {
      fail(caller, `${name}.rows[${r}] must hold ${t.columns.length} cells (one per column), received ${Array.isArray(row) ? row.length : show(row)}`);
    }
    row.forEach((cell, c) => {
      if (typeof cell !== 'string' && typeof cell !== 'number') fail(caller, `${name}.rows[${r}][${c}] must be a string or a number, received ${show(cell)}`);
    });
  });
  if (t.fractionColumns !== undefined) {
    checkArray(caller, `${name}.fractionColumns`, t.fractionColumns);
    t.fractionColumns.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= t.columns.length) {
        fail(caller, `${name}.fractionColumns[${i}] must be a column index in [0, ${t.columns.length}), received ${show(c)}`);
      }
    });
  }
}
