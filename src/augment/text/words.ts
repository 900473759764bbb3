/**
 * Words of a text for the word-level text augmentations: runs of non-space characters, split and
 * joined by single spaces (the text's own spacing is not kept: an augmented view is a new text).
 */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}
