/**
 * Places text labels above a time axis in rows, so that labels close in time do not overlap.
 * Label widths are estimated from the character count, because Node has no font metrics here.
 */

/** Maximum number of label rows above a chart. Further labels share the least crowded row and may overlap. */
export const MAX_LABEL_ROWS = 4;

/** Pixel height of one label row. */
export const LABEL_ROW_HEIGHT = 13;

/** Estimated width of one character at the 10 px label font, in pixels. */
const CHARACTER_WIDTH = 6;

export interface PlacedLabel<T> {
  item: T;
  row: number;
}

/**
 * Assigns each label the first row where it starts right of the previous label in that row.
 * `x` is the label's left edge in pixels.
 */
export function placeLabels<T>(items: readonly T[], x: (item: T) => number, text: (item: T) => string): PlacedLabel<T>[] {
  const rowEnds: number[] = [];
  const sorted = [...items].sort((a, b) => x(a) - x(b));
  return sorted.map((item) => {
    const left = x(item);
    let row = rowEnds.findIndex((end) => end < left);
    if (row === -1) {
      if (rowEnds.length < MAX_LABEL_ROWS) {
        row = rowEnds.length;
      } else {
        row = rowEnds.indexOf(Math.min(...rowEnds));
      }
    }
    rowEnds[row] = left + text(item).length * CHARACTER_WIDTH + 8;
    return { item, row };
  });
}
