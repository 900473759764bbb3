/**
 * Text helpers of the report: HTML escaping (every caller string goes through `escapeHtml`) and
 * number formatting (fractions as percentages).
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and double- or single-quoted attributes: `a<b & "c"` -> `a&lt;b &amp; &quot;c&quot;`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A number for a table cell: `formatNumber(0.87345)` -> '0.8735', `formatNumber(1234.5)` -> '1234.5', integers as they are. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(1);
  if (a >= 1e-3) return String(Number(v.toPrecision(4)));
  return v.toExponential(2);
}

/** A fraction as a percentage with one decimal: `formatFraction(0.8734)` -> '87.3%'. */
export function formatFraction(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

/** A metric value by kind: fractions as percentages, numbers by `formatNumber`. */
export function formatValue(v: number, kind: 'fraction' | 'number'): string {
  return kind === 'fraction' ? formatFraction(v) : formatNumber(v);
}

/** The encoder minus the baseline: percentage points for fractions ('+12.3 pp'), a signed number otherwise. */
export function formatDelta(value: number, baseline: number, kind: 'fraction' | 'number'): string {
  const d = value - baseline;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  return kind === 'fraction' ? `${sign}${Math.abs(d * 100).toFixed(1)} pp` : `${sign}${formatNumber(Math.abs(d))}`;
}
