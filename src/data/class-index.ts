/** Class labels from the label texts of a table column or a JSONL field. */

/** A decimal number as text (what counts as a numeric cell or label). */
export const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Labels from label texts: the distinct non-empty texts sorted (numerically when every one is a
 * number, ties by text; else by code unit) are the class names; '' is unlabelled (-1).
 */
export function indexClasses(texts: readonly string[]): { labels: Int32Array; classNames: string[] } {
  const distinct = [...new Set(texts.filter((t) => t !== ''))];
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const numeric = distinct.every((t) => NUMBER.test(t));
  const classNames = numeric ? distinct.sort((a, b) => Number(a) - Number(b) || byText(a, b)) : distinct.sort(byText);
  const index = new Map(classNames.map((name, c) => [name, c]));
  return { labels: Int32Array.from(texts, (t) => (t === '' ? -1 : index.get(t)!)), classNames };
}
